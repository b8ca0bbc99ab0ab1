"""Benchmark: many logged-in sessions saving their consents on /konto over Reflex's websocket.

Each session is a socket-level client speaking Reflex's event protocol as Chromium does
(Engine.IO 4 / Socket.IO 5 over a websocket on /_event; the frames were recorded from a real
browser with Playwright's page.on("websocket") and are reproduced here): the handshake carries the
session cookie `fakturowo_session` and the Origin of FAKTUROWO_BASE_URL, the Socket.IO CONNECT
packet carries the hydrate_and_load event for /konto/ (without the compiled page's state hashes,
so the server sends the whole state once), then every save is one save_consents event whose form
flips one consent (alternately, so each save changes something; the boxes send no event of their own)
followed by save_consents with the form as the browser sends it. A save is acknowledged by the
delta that carries the region's new consents_message; its latency runs from sending the setter
to that delta.

Users and sessions are made straight in the database (one per client; new ones for every N).
For each configuration and each N (--sizes), after a --warmup of closed loop:
  - closed loop: every client saves, waits for the answer, saves again, for --duration seconds;
  - open loop:   --rate saves/s offered in total, spread evenly over the N clients (each client
                 sends on its own schedule, answered or not; latency counts from the scheduled
                 moment), for --duration seconds.
Configurations (--configs):
  - sqlite:   SQLite, one worker, state in memory (no Redis);
  - postgres1: PostgreSQL (a database of its own on 127.0.0.1:5432, migrated, dropped at the end),
              Redis (its own redis-server on a free port, nothing saved), 1 worker: the scale-out
              path before it is scaled out, so that what the second worker adds shows on its own;
  - postgres: the same with 2 workers (FAKTUROWO_WORKERS and GRANIAN_WORKERS).
The server is `reflex run --env prod --backend-only` (the event path needs no pages) in its own
process group, killed at the end. Printed per configuration, N and loop: saves/s; server CPU per
save (utime + stime of every process of the server's process group from /proc; "+db" adds the
Redis server and the PostgreSQL backends of our database); the load client's own CPU per save
(it shares the cores); p50/p95/p99 latency; errors (an answer with the "unexpected" message
"Coś poszło nie tak" or any other error message, a redirect, a save never answered, a dropped
connection); lost updates (after the run, a user whose consents in the database differ from its
last acknowledged save); server RSS growth per session (Redis included); how busy the whole
machine's cores were ("host %", from /proc/stat: servers, databases, this client and the rest).
Then the ratios and the targets of issue 9 beside the figures (2 workers against SQLite's one worker
and against one worker of the same PostgreSQL + Redis configuration), and for each configuration
with Redis what its Redis holds once the run is over (every key and value scanned for the users'
session tokens, the session cookie and password hashes: none may be there).

Then (unless --no-blank) the framework alone in each configuration's place: the blank Reflex
counter app of bench/_blank.py (one var, no database), served the same way (1 worker with its
state in memory, or 1 or 2 workers keeping it in a Redis of their own with the same opportunistic
lock), driven by the same clients in a closed loop of increment events and then an open loop at the
same offered rate: events/s, server CPU per event, and what 2 workers gain over 1 for it beside what
they gain for ours. It says how much of a save's cost is the framework's and how much ours (in the
open loop, where every event finds its worker idle, the framework's own floor of CPU per event),
and what a second worker can give at all on this machine's cores.

Needs `make setup`; the postgres configuration also PostgreSQL on 127.0.0.1:5432 and Debian's
redis-server (it says which is missing and exits 2; `--configs sqlite` needs neither).
Run: .venv/bin/python bench/load.py [--configs sqlite,postgres1,postgres] [--sizes 10,50,100]
         [--duration 15] [--rate 50] [--warmup 3] [--idle 2] [--no-blank] [--oplock-hold 1s]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import dataclasses
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _blank import COUNT_KEY, INCREMENT, STATE, write_blank_app  # noqa: E402
from _servers import (  # noqa: E402
    ROOT,
    AppServer,
    BenchUser,
    PostgresDatabase,
    RedisServer,
    Usage,
    app_environment,
    argument_parser,
    consents_in_db,
    free_port,
    header,
    host_busy,
    host_cpu,
    logs_on_failure,
    make_users,
    message_prefix,
    migrate,
    percentile,
    require,
    use_in_this_process,
)
from _ws import ConnectionClosed, WebSocket  # noqa: E402

NAMESPACE = "/_event"
PAGE = "/konto/"
COOKIE = "fakturowo_session"
ANSWER_TIMEOUT_S = 30
CONNECT_PARALLEL = 10
PRIMERS = 8

TARGET_CPU_MS = 3.0
TARGET_ONE_WORKER = 300.0
TARGET_SCALE = 1.6
TARGET_OPEN_P99_MS = 100.0


def state_names() -> tuple[str, str]:
    """(the root state's full name, the consents region's state's full name), as the frontend
    names them (save_consents is ConsentsState's)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import reflex as rx

    from fakturowo_ui.state.account import ConsentsState

    return rx.State.get_full_name(), ConsentsState.get_full_name()


def consent_texts() -> dict[str, str]:
    """The starts of the messages a save is answered with, by outcome (Client.texts)."""
    return {
        "saved": message_prefix("account.consents.saved"),
        "unchanged": message_prefix("account.consents.unchanged"),
        "unexpected": message_prefix("common.unexpected"),
    }


@dataclasses.dataclass
class Save:
    values: tuple[bool, bool]
    due: float  # when it was (to be) sent; latency counts from here
    future: asyncio.Future
    answered: float = 0.0
    outcome: str = ""  # "ok", "unexpected", "refused", "redirect", "timeout", "dropped"


class Tab:
    """One tab over its own websocket, speaking Reflex's event protocol as the browser does: the
    connection (the hydrate_and_load of its page), the reader of the server's frames, the saves
    waiting for their answers in order. A subclass says what its hydrate frames and its answers
    look like, and what a save sends."""

    def __init__(self, server: AppServer, page: str, root: str, headers: dict[str, str], name: str) -> None:
        self.server = server
        self.root = root
        self.headers = headers
        self.name = name  # for the errors it reports
        self.ws: WebSocket | None = None
        self.pending: collections.deque[Save] = collections.deque()
        self.dropped = False
        self.hydrated = asyncio.Event()
        self.reader: asyncio.Task | None = None
        self.router_data = {"pathname": page, "asPath": page}

    async def connect(self) -> None:
        origin = self.server.base_url
        url = f"ws://127.0.0.1:{self.server.port}{NAMESPACE}/?token={uuid.uuid4()}&EIO=4&transport=websocket"
        self.ws = await WebSocket.connect(
            url,
            subprotocol=_reflex_version(),
            headers={
                "Host": origin.removeprefix("http://"),
                "Origin": origin,
                "User-Agent": "fakturowo-bench-load",
                **self.headers,
            },
        )
        opening = await self.ws.recv()
        if not str(opening).startswith("0{"):
            raise RuntimeError(f"no Engine.IO open packet: {opening!r}")
        boot = {
            "event": {"name": f"{self.root}.hydrate_and_load", "payload": {}, "router_data": self.router_data}
        }
        await self.ws.send_text(f"40{NAMESPACE}," + json.dumps(boot, separators=(",", ":")))
        self.reader = asyncio.create_task(self._read())
        await asyncio.wait_for(self.hydrated.wait(), ANSWER_TIMEOUT_S)
        self.check_hydrated()

    @property
    def socket(self) -> WebSocket:
        """The websocket, once connect() has opened it."""
        if self.ws is None:
            raise RuntimeError(f"{self.name}: not connected")
        return self.ws

    def send_event(self, name: str, payload: dict, save: Save) -> Save:
        """Send the event `name` (a handler's full name) now; `save` waits for its answer."""
        self.pending.append(save)
        event = {"name": name, "payload": payload, "router_data": self.router_data}
        self.socket.send_text_nowait(f"42{NAMESPACE}," + json.dumps(["event", event], separators=(",", ":")))
        return save

    def _answer(self, outcome: str) -> None:
        if not self.pending:
            return
        save = self.pending.popleft()
        save.answered = time.perf_counter()
        save.outcome = outcome
        self.answered(save)
        if not save.future.done():
            save.future.set_result(save)

    async def _read(self) -> None:
        ws = self.socket
        try:
            while True:
                frame = await ws.recv()
                if not isinstance(frame, str):
                    continue
                if frame == "2":  # Engine.IO ping
                    ws.send_text_nowait("3")
                    continue
                if frame.startswith("41"):  # Socket.IO disconnect from the server
                    raise ConnectionClosed("the server ended the Socket.IO session")
                if not frame.startswith("42"):
                    continue
                if not self.hydrated.is_set():
                    self.hydrate_frame(frame)
                    if '"is_hydrated_rx_state_":true' in frame:
                        self.hydrated.set()
                    continue
                outcome = self.outcome_of(frame)
                if outcome:
                    self._answer(outcome)
        except ConnectionClosed:
            pass
        except Exception as error:  # noqa: BLE001 - a client that breaks counts as dropped
            print(f"client {self.name} stopped: {error!r}", file=sys.stderr)
        self.dropped = True
        self.hydrated.set()
        while self.pending:
            self._answer("dropped")

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.reader
        if self.ws is not None:
            await self.ws.close()

    # -- what a subclass says ----------------------------------------------------------------

    def hydrate_frame(self, frame: str) -> None:
        """A frame of the page's hydration (before `is_hydrated`)."""

    def check_hydrated(self) -> None:
        """Raise when the hydrated page is not what the benchmark needs."""

    def send_save(self, due: float) -> Save:
        """The tab's next save, sent now (due: when it was to be sent); answered through its future."""
        raise NotImplementedError

    def outcome_of(self, frame: str) -> str:
        """The outcome of the oldest pending save this frame answers ("" when it answers none)."""
        raise NotImplementedError

    def answered(self, save: Save) -> None:
        """A save was answered (its outcome set)."""


class Client(Tab):
    """One logged-in tab on /konto saving its consents."""

    def __init__(
        self, user: BenchUser, server: AppServer, names: tuple[str, str], texts: dict[str, str]
    ) -> None:
        root, self.account = names
        super().__init__(server, PAGE, root, {"Cookie": f"{COOKIE}={user.token}"}, user.email)
        self.user = user
        self.texts = texts
        self.values = (False, False)  # what the database holds for a new user
        self.acknowledged: tuple[bool, bool] | None = None
        self.step = 0
        self.signed_in = False
        self.message = ""  # the region's message as the page would show it now
        self.message_is_error = False

    def hydrate_frame(self, frame: str) -> None:
        if self.user.email in frame:
            self.signed_in = True

    def check_hydrated(self) -> None:
        if not self.signed_in:
            raise RuntimeError(f"{self.user.email}: /konto did not load for the session (not signed in?)")

    def send_save(self, due: float) -> Save:
        """The next save (one consent flipped, alternately), sent now; answered through its future."""
        reminder, info = self.values
        # The boxes are read from the form (no event per click): flip one, alternately.
        if self.step % 2 == 0:
            reminder = not reminder
        else:
            info = not info
        self.step += 1
        self.values = (reminder, info)
        form = ([["reminder_consent", "on"]] if reminder else []) + ([["info_consent", "on"]] if info else [])
        form += [["konto_reminder_consent", reminder], ["konto_info_consent", info]]
        save = Save(self.values, due, asyncio.get_running_loop().create_future())
        payload = {"form_data": {"__reflex_form_data__": form}}
        return self.send_event(f"{self.account}.save_consents", payload, save)

    def answered(self, save: Save) -> None:
        if save.outcome == "ok":
            self.acknowledged = save.values

    def outcome_of(self, frame: str) -> str:
        # A save's answer: its delta renews the message element (the serial), and carries the
        # message's text only when that changed (not for two saves within the same second).
        if "consents_message_serial_rx_state_" in frame or "consents_message_rx_state_" in frame:
            return self._outcome(frame)
        if '"events"' in frame and self.pending:  # e.g. a redirect to the login page
            return "redirect"
        return ""

    def _outcome(self, frame: str) -> str:
        try:
            _name, body = json.loads(frame[frame.index("[") :])
            delta = body["delta"][self.account]
        except (ValueError, KeyError, TypeError):
            return "refused"
        self.message = delta.get("consents_message_rx_state_", self.message)
        self.message_is_error = delta.get("consents_message_is_error_rx_state_", self.message_is_error)
        if self.message.startswith(self.texts["unexpected"]):
            return "unexpected"
        if self.message_is_error or not self.message.startswith(
            (self.texts["saved"], self.texts["unchanged"])
        ):
            return "refused"
        return "ok"


class BlankClient(Tab):
    """One tab of the blank counter app (bench/_blank.py): each "save" is one increment event,
    acknowledged by the delta carrying the counter's next value."""

    def __init__(self, server: AppServer) -> None:
        super().__init__(server, "/", STATE.rpartition(".")[0], {}, "blank tab")
        self.count = 0
        self.has_state = False

    def hydrate_frame(self, frame: str) -> None:
        self.has_state = self.has_state or json.dumps(STATE) in frame

    def check_hydrated(self) -> None:
        if not self.has_state:
            raise RuntimeError(f"the blank app's hydrated state has no {STATE} (has Reflex renamed states?)")

    def send_save(self, due: float) -> Save:
        save = Save((False, False), due, asyncio.get_running_loop().create_future())
        return self.send_event(INCREMENT, {}, save)

    def outcome_of(self, frame: str) -> str:
        if COUNT_KEY not in frame or not self.pending:
            return ""
        try:
            _name, body = json.loads(frame[frame.index("[") :])
            count = body["delta"][STATE][COUNT_KEY]
        except (ValueError, KeyError, TypeError):
            return "refused"
        ok = count == self.count + 1
        self.count = count if isinstance(count, int) else self.count
        return "ok" if ok else "refused"


def _reflex_version() -> str:
    from importlib.metadata import version

    return version("reflex")


@dataclasses.dataclass
class Phase:
    loop: str
    offered: float | None
    duration: float
    saves: list[Save]
    server: Usage
    extra: Usage  # Redis and PostgreSQL backends
    client_cpu_s: float
    host_busy: float = 0.0  # share of all the machine's cores busy (server, databases, client, the rest)

    @property
    def answered(self) -> list[Save]:
        return [s for s in self.saves if s.outcome == "ok"]

    def latencies_ms(self) -> list[float]:
        return [(s.answered - s.due) * 1000 for s in self.answered]

    def rate(self) -> float:
        return sum(1 for s in self.answered if s.answered - self.t0 <= self.duration) / self.duration

    def server_ms_per_save(self) -> float:
        """The server's CPU per answered save (or event), in ms."""
        return self.server.cpu_s * 1000 / max(len(self.answered), 1)

    t0: float = 0.0


async def _await_saves(saves: list[Save], timeout: float) -> None:
    waiting = [s.future for s in saves if not s.future.done()]
    if waiting:
        await asyncio.wait(waiting, timeout=timeout)
    for save in saves:
        if not save.future.done():
            save.outcome = "timeout"
            save.future.cancel()


async def closed_loop(clients: Sequence[Tab], duration: float) -> list[Save]:
    saves: list[Save] = []
    stop = time.perf_counter() + duration

    async def run(client: Tab) -> None:
        while time.perf_counter() < stop and not client.dropped:
            save = client.send_save(time.perf_counter())
            saves.append(save)
            await client.socket.drain()
            try:
                await asyncio.wait_for(asyncio.shield(save.future), ANSWER_TIMEOUT_S)
            except TimeoutError:
                save.outcome = "timeout"
                return

    await asyncio.gather(*(run(c) for c in clients))
    return saves


async def open_loop(clients: Sequence[Tab], duration: float, rate: float) -> list[Save]:
    saves: list[Save] = []
    interval = len(clients) / rate  # each client's own period
    start = time.perf_counter()
    stop = start + duration

    async def run(client: Tab, phase: float) -> None:
        due = start + phase
        while due < stop and not client.dropped:
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            saves.append(client.send_save(due))
            await client.socket.drain()
            due += interval

    await asyncio.gather(*(run(c, random.uniform(0, interval)) for c in clients))
    await _await_saves(saves, ANSWER_TIMEOUT_S)
    return saves


def _client_cpu() -> float:
    times = os.times()
    return times.user + times.system


async def measure(
    clients: Sequence[Tab], loop: str, duration: float, rate: float | None, server: AppServer, extras
) -> Phase:
    def extra_usage() -> Usage:
        return _sum(extra.usage() for extra in extras)

    before, extra_before, cpu_before, host_before = server.usage(), extra_usage(), _client_cpu(), host_cpu()
    t0 = time.perf_counter()
    if loop == "closed":
        saves = await closed_loop(clients, duration)
    else:
        saves = await open_loop(clients, duration, rate or 1.0)
    await _await_saves(saves, ANSWER_TIMEOUT_S)
    phase = Phase(
        loop,
        rate,
        duration,
        saves,
        server.usage() - before,
        extra_usage() - extra_before,
        _client_cpu() - cpu_before,
        host_busy(host_before, host_cpu()),
    )
    phase.t0 = t0
    return phase


@dataclasses.dataclass
class Row:
    config: str
    sessions: int
    phase: Phase
    errors: int
    lost: int
    rss_per_session: float
    dropped: int
    idle_cpu_share: float  # server (+ Redis, PostgreSQL) CPU while the N sessions sit idle, of one core


def _sum(usages) -> Usage:
    total = Usage(0.0, 0, 0)
    for u in usages:
        total = Usage(total.cpu_s + u.cpu_s, total.rss + u.rss, total.processes + u.processes)
    return total


def _total(server: AppServer, extras) -> Usage:
    """The server's process group plus Redis and the PostgreSQL backends of our database."""
    return _sum([server.usage(), *(extra.usage() for extra in extras)])


async def prime(server: AppServer, users: list[BenchUser], names, texts) -> None:
    """A few sessions saving a while before anything is measured (spread by the kernel over the
    workers): lazy imports, caches and pools are then in place in every worker, and not counted
    as the first sessions' memory or latency."""
    clients = [Client(user, server, names, texts) for user in users]
    try:
        for client in clients:
            await client.connect()
        await closed_loop(clients, 2.0)
    finally:
        await asyncio.gather(*(c.close() for c in clients))


async def connect_all(clients: Sequence[Tab]) -> None:
    """Connect the tabs, CONNECT_PARALLEL at a time (a burst of handshakes is not what is measured)."""
    gate = asyncio.Semaphore(CONNECT_PARALLEL)

    async def connect(client: Tab) -> None:
        async with gate:
            await client.connect()

    await asyncio.gather(*(connect(c) for c in clients))


async def run_size(server: AppServer, users: list[BenchUser], args, names, texts, extras) -> list[Row]:
    clients = [Client(user, server, names, texts) for user in users]
    base = _total(server, extras).rss
    try:
        await connect_all(clients)
        idle_before, idle_t0 = _total(server, extras).cpu_s, time.perf_counter()
        await asyncio.sleep(args.idle)
        idle_share = (_total(server, extras).cpu_s - idle_before) / (time.perf_counter() - idle_t0)
        if args.warmup > 0:
            await closed_loop(clients, args.warmup)
        phases = [await measure(clients, "closed", args.duration, None, server, extras)]
        if args.rate > 0:
            phases.append(await measure(clients, "open", args.duration, args.rate, server, extras))
        grown = _total(server, extras).rss - base
    finally:
        await asyncio.gather(*(c.close() for c in clients))
    in_db = consents_in_db([c.user.user_id for c in clients])
    lost = sum(
        1
        for c in clients
        if c.acknowledged is not None and not c.pending and in_db.get(c.user.user_id) != c.acknowledged
    )
    dropped = sum(c.dropped for c in clients)
    rows = []
    for i, phase in enumerate(phases):
        errors = sum(1 for s in phase.saves if s.outcome != "ok") + (dropped if i == len(phases) - 1 else 0)
        rows.append(
            Row(
                "",
                len(clients),
                phase,
                errors,
                lost if i == len(phases) - 1 else 0,
                grown / len(clients),
                dropped,
                idle_share,
            )
        )
    return rows


@contextlib.contextmanager
def configuration(name: str, tmp: Path, total_users: int, hold: str = "", app_dir: Path = ROOT):
    """The server of one configuration with `total_users` users made in its database (`hold`: the
    opportunistic lock's hold time with Redis, when not the app's own; `app_dir`: the checkout
    served, bench/compare.py's other revision)."""
    var_dir = tmp / name / "var"
    var_dir.mkdir(parents=True)
    port = free_port()
    base_url = f"http://localhost:{port}"
    with contextlib.ExitStack() as stack:
        extras = []
        if name == "sqlite":
            db_url = f"sqlite:///{var_dir / 'fakturowo.db'}"
            env = app_environment(var_dir, db_url, base_url, workers=1)
        else:
            database = stack.enter_context(PostgresDatabase())
            redis = stack.enter_context(RedisServer())
            extras = [redis, database]
            workers = 1 if name == "postgres1" else 2
            env = app_environment(var_dir, database.url, base_url, redis_url=redis.url, workers=workers)
            if hold:
                env["REFLEX_OPLOCK_HOLD_TIME"] = hold
        use_in_this_process(env)
        migrate(env["REFLEX_DB_URL"])
        users = make_users(PRIMERS + total_users, f"load-{name}-")  # the first PRIMERS prime the server
        server = AppServer(
            app_dir,
            env,
            port=port,
            web_dir=".web-bench-load",
            log_path=tmp / f"server-{name}.log",
            backend_only=True,
        )
        stack.enter_context(server)
        yield server, users, extras


def hold_seconds(hold: str) -> float:
    """The opportunistic lock's hold time of the servers, in seconds (`hold`: --oplock-hold; unset,
    Reflex's own, which the app keeps: half its default lock expiration)."""
    if not hold:
        from reflex_base import constants

        return constants.Expiration.LOCK / 2 / 1000
    from reflex_base.environment import interpret_timedelta_env

    return interpret_timedelta_env(hold, "--oplock-hold").total_seconds()


def secrets_in_redis(redis: RedisServer, users: list[BenchUser]) -> tuple[int, int, list[str]]:
    """(keys, bytes) of everything in the benchmark's Redis, and what of the users' secrets any key
    or value holds: a session token, the cookie that carries one, a password hash (issue 9: no
    secret at rest in Redis), each named once."""
    import redis as redis_client

    found: set[str] = set()
    keys = size = 0
    tokens = {user.token.encode(): user.email for user in users}
    client = redis_client.Redis.from_url(redis.url)
    try:
        for key in client.scan_iter(count=1000):
            kind = client.type(key)
            if kind == b"string":
                values = [client.get(key) or b""]
            elif kind == b"hash":
                fields: dict = client.hgetall(key)  # pyright: ignore[reportAssignmentType] - the sync client
                values = [b"".join(k + v for k, v in fields.items())]
            else:
                values = [repr(client.dump(key)).encode()]
            keys += 1
            for blob in [key, *values]:
                size += len(blob)
                if b"$argon2" in blob:
                    found.add("a password hash")
                if b"fakturowo_session=" in blob:
                    found.add("the session cookie")
                for token, email in tokens.items():
                    if token in blob:
                        found.add(f"the session token of {email}")
    finally:
        client.close()
    return keys, size, sorted(found)


CONFIGS = {
    "sqlite": "SQLite, 1 worker",
    "postgres1": "PostgreSQL + Redis, 1 worker",
    "postgres": "PostgreSQL + Redis, 2 workers",
}
ALIASES = {"a": "sqlite", "b1": "postgres1", "pg1": "postgres1", "b": "postgres", "pg": "postgres"}
# What the two workers of (b) are compared with: SQLite's one worker (the baseline, the
# fastest single process) and one worker of the same PostgreSQL + Redis configuration.
SCALE_BASES = {"sqlite": "(a) SQLite, 1 worker", "postgres1": "(b1) PostgreSQL + Redis, 1 worker"}


def print_rows(rows: list[Row]) -> None:
    print(
        f"{'configuration':<30} {'N':>4} {'loop':>11} {'saves/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>8} "
        f"{'srv ms/save':>11} {'+db ms':>7} {'client ms':>9} {'host %':>6} {'idle %':>6} {'errors':>6} {'lost':>5} "
        f"{'RSS KiB/sess':>12}"
    )
    for row in rows:
        p = row.phase
        n = max(len(p.answered), 1)
        lat = p.latencies_ms()
        loop = "closed" if p.loop == "closed" else f"open {p.offered:g}/s"
        print(
            f"{CONFIGS[row.config]:<30} {row.sessions:>4} {loop:>11} {p.rate():>8.1f} {percentile(lat, 50):>7.1f} "
            f"{percentile(lat, 95):>7.1f} {percentile(lat, 99):>8.1f} {p.server_ms_per_save():>11.2f} "
            f"{(p.server.cpu_s + p.extra.cpu_s) * 1000 / n:>7.2f} {p.client_cpu_s * 1000 / n:>9.2f} "
            f"{p.host_busy * 100:>6.0f} {row.idle_cpu_share * 100:>6.1f} {row.errors:>6} {row.lost:>5} {row.rss_per_session / 1024:>12.1f}",
            flush=True,
        )


def print_targets(rows: list[Row]) -> None:
    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    # A configuration whose saves all failed has no rate to compare (its errors column says so).
    closed = {
        (r.config, r.sessions): r.phase.rate()
        for r in rows
        if r.phase.loop == "closed" and r.phase.rate() > 0
    }
    print("\nratios and targets (issue 9):")
    sizes = sorted({n for _c, n in closed})
    ran = {c for c, _ in closed}
    for base, label in SCALE_BASES.items():
        if not {base, "postgres"} <= ran:
            continue
        parts = [
            f"N={n}: {closed[('postgres', n)] / closed[(base, n)]:.2f}x"
            for n in sizes
            if ("postgres", n) in closed and (base, n) in closed
        ]
        best = max(v for (c, _n), v in closed.items() if c == "postgres") / max(
            v for (c, _n), v in closed.items() if c == base
        )
        print(
            f"  throughput (b) PostgreSQL + Redis, 2 workers / {label}, closed loop: {', '.join(parts)}; "
            f"best against best {best:.2f}x (target >= {TARGET_SCALE}x: {verdict(best >= TARGET_SCALE)})"
        )
    if ran:
        busy = {
            c: max(r.phase.host_busy for r in rows if r.config == c and r.phase.loop == "closed") for c in ran
        }
        print(
            f"    the machine's {os.cpu_count()} cores were at most "
            + ", ".join(f"{busy[c] * 100:.0f} % busy under {CONFIGS[c]}" for c in CONFIGS if c in busy)
            + ", closed loop (servers, databases, this client and the rest)"
        )
    if any(c == "sqlite" for c, _ in closed):
        best = max(v for (c, _n), v in closed.items() if c == "sqlite")
        print(
            f"  one worker, closed loop: best {best:.1f} saves/s (target >= {TARGET_ONE_WORKER:g}: "
            f"{verdict(best >= TARGET_ONE_WORKER)})"
        )
    for config in CONFIGS:
        mine = [r for r in rows if r.config == config]
        if not mine:
            continue
        worst_cpu = max(r.phase.server_ms_per_save() for r in mine)
        worst_all = max(
            (r.phase.server.cpu_s + r.phase.extra.cpu_s) * 1000 / max(len(r.phase.answered), 1) for r in mine
        )
        errors, lost = sum(r.errors for r in mine), sum(r.lost for r in mine)
        print(
            f"  {CONFIGS[config]}: server CPU per save, worst row {worst_cpu:.2f} ms (with Redis/PostgreSQL "
            f"{worst_all:.2f} ms; target <= {TARGET_CPU_MS:g} ms: {verdict(worst_all <= TARGET_CPU_MS)}); "
            f"errors {errors}, lost updates {lost} (target 0: {verdict(errors == 0 and lost == 0)})"
        )
        opened = [r for r in mine if r.phase.loop == "open"]
        if opened:
            top = max(opened, key=lambda r: r.sessions)
            p99 = percentile(top.phase.latencies_ms(), 99)
            print(
                f"    {top.sessions} sessions offered {top.phase.offered:g} saves/s: p99 {p99:.1f} ms "
                f"(target at 100 sessions, 50 saves/s: <= {TARGET_OPEN_P99_MS:g} ms: "
                f"{verdict(p99 <= TARGET_OPEN_P99_MS)})"
            )


# The blank counter app in each configuration's place: what the framework alone gains from it.
BLANK_CONFIGS = {
    "sqlite": "blank app, memory, 1 worker",
    "postgres1": "blank app, Redis, 1 worker",
    "postgres": "blank app, Redis, 2 workers",
}


@contextlib.contextmanager
def blank_configuration(name: str, tmp: Path, hold: str = ""):
    """The blank counter app served as `name`'s configuration serves ours (1 worker with its state in
    memory, or 1 or 2 workers with it in a Redis of their own, with the same hold time), backend only."""
    app_dir = tmp / f"blank-{name}"
    write_blank_app(app_dir)
    with contextlib.ExitStack() as stack:
        extras = []
        env = {"GRANIAN_WORKERS": "1"}
        if name != "sqlite":
            redis = stack.enter_context(RedisServer())
            extras = [redis]
            env = {"GRANIAN_WORKERS": "1" if name == "postgres1" else "2", "BLANK_REDIS_URL": redis.url}
            if hold:
                env["REFLEX_OPLOCK_HOLD_TIME"] = hold
        server = AppServer(
            app_dir,
            env,
            web_dir=str(ROOT / ".web-bench-load-blank"),
            log_path=tmp / f"server-blank-{name}.log",
            backend_only=True,
        )
        stack.enter_context(server)
        yield server, extras


@dataclasses.dataclass
class BlankRow:
    config: str
    sessions: int
    phase: Phase
    errors: int


async def run_blank_size(server: AppServer, size: int, args, extras) -> list[BlankRow]:
    """The blank app's closed loop, and its open loop at --rate (each event finding its worker idle)."""
    clients = [BlankClient(server) for _ in range(size)]
    try:
        await connect_all(clients)
        if args.warmup > 0:
            await closed_loop(clients, args.warmup)
        phases = [await measure(clients, "closed", args.duration, None, server, extras)]
        if args.rate > 0:
            phases.append(await measure(clients, "open", args.duration, args.rate, server, extras))
    finally:
        await asyncio.gather(*(c.close() for c in clients))
    return [BlankRow("", size, p, sum(1 for s in p.saves if s.outcome != "ok")) for p in phases]


def print_blank(blank_rows: list[BlankRow], rows: list[Row]) -> None:
    """The blank app's figures, what (b) gains over (a) and (b1) for it beside ours, and its open
    loop's CPU per event beside ours."""
    print(
        "\nthe framework alone: the blank Reflex counter app (bench/_blank.py; no database, one var), "
        "one increment event per save"
    )
    print(
        f"{'configuration':<30} {'N':>4} {'loop':>11} {'events/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>8} "
        f"{'srv ms/ev':>9} {'+redis':>7} {'client ms':>9} {'host %':>6} {'errors':>6}"
    )
    for row in blank_rows:
        p = row.phase
        n = max(len(p.answered), 1)
        lat = p.latencies_ms()
        loop = "closed" if p.loop == "closed" else f"open {p.offered:g}/s"
        print(
            f"{BLANK_CONFIGS[row.config]:<30} {row.sessions:>4} {loop:>11} {p.rate():>8.1f} {percentile(lat, 50):>7.1f} "
            f"{percentile(lat, 95):>7.1f} {percentile(lat, 99):>8.1f} {p.server_ms_per_save():>9.2f} "
            f"{(p.server.cpu_s + p.extra.cpu_s) * 1000 / n:>7.2f} {p.client_cpu_s * 1000 / n:>9.2f} "
            f"{p.host_busy * 100:>6.0f} {row.errors:>6}",
            flush=True,
        )
    blank = {
        (r.config, r.sessions): r.phase.rate()
        for r in blank_rows
        if r.phase.loop == "closed" and r.phase.rate() > 0
    }
    ours = {
        (r.config, r.sessions): r.phase.rate()
        for r in rows
        if r.phase.loop == "closed" and r.phase.rate() > 0
    }
    sizes = sorted({n for _c, n in blank})
    for base, label in (("sqlite", "1 worker in memory"), ("postgres1", "1 worker on Redis")):
        parts = []
        for n in sizes:
            if ("postgres", n) in blank and (base, n) in blank:
                part = f"N={n}: blank {blank[('postgres', n)] / blank[(base, n)]:.2f}x"
                if ("postgres", n) in ours and (base, n) in ours:
                    part += f", ours {ours[('postgres', n)] / ours[(base, n)]:.2f}x"
                parts.append(part)
        if parts:
            print(
                f"  gain of 2 workers on Redis over {label}, closed loop, same machine and run: "
                + "; ".join(parts)
            )
    for config in BLANK_CONFIGS:
        for n in sizes:
            if (config, n) in blank and (config, n) in ours:
                print(
                    f"  {CONFIGS[config]}, N={n}: our saves/s are {ours[(config, n)] / blank[(config, n)]:.2f}x "
                    f"the blank app's events/s"
                )

    # Open loop: CPU per event when each finds its worker idle, the framework's own against ours.
    def open_cpu(found_rows) -> dict[tuple[str, int], float]:
        return {
            (r.config, r.sessions): r.phase.server_ms_per_save()
            for r in found_rows
            if r.phase.loop == "open" and r.phase.answered
        }

    blank_open, ours_open = open_cpu(blank_rows), open_cpu(rows)
    for config in BLANK_CONFIGS:
        parts = [
            f"N={n}: {ours_open[(config, n)]:.2f} against {blank_open[(config, n)]:.2f} ms"
            for n in sizes
            if (config, n) in blank_open and (config, n) in ours_open
        ]
        if parts:
            print(
                f"  {CONFIGS[config]}, open loop: server CPU per save against the blank app's per event "
                f"(the framework's floor when every event finds its worker idle): " + "; ".join(parts)
            )


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument(
        "--configs",
        default="sqlite,postgres1,postgres",
        help="comma-separated: sqlite (a), postgres1 (b1), postgres (b)",
    )
    parser.add_argument("--sizes", default="10,50,100", help="numbers of sessions, comma-separated")
    parser.add_argument("--duration", type=float, default=15, help="seconds of each closed and open loop")
    parser.add_argument(
        "--rate", type=float, default=50, help="open loop: saves/s offered in total (0: skip)"
    )
    parser.add_argument("--warmup", type=float, default=3, help="seconds of untimed closed loop first")
    parser.add_argument(
        "--idle",
        type=float,
        default=2,
        help="seconds the connected sessions sit idle first, to measure the server's idle CPU",
    )
    parser.add_argument(
        "--blank",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also drive the blank counter app in each configuration (closed and open loop), for the framework's own figures",
    )
    parser.add_argument(
        "--oplock-hold",
        default="",
        help="postgres1, postgres: REFLEX_OPLOCK_HOLD_TIME for the servers, e.g. 1s or 500ms (default: the "
        "app's own, rxconfig.py: Reflex's, half the lock's 10 s)",
    )
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    requested: str = args.configs
    configs = [ALIASES.get(c, c) for c in requested.split(",") if c]
    if set(configs) - set(CONFIGS):
        parser.error(f"--configs: choose from {', '.join(CONFIGS)} (or a, b1, b)")
    try:
        hold_seconds(args.oplock_hold)
    except Exception as error:  # noqa: BLE001 - Reflex's own reading of the value, its message
        parser.error(f"--oplock-hold: {error}")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    random.seed(args.seed)

    if {"postgres", "postgres1"} & set(configs):
        require("bench/load.py --configs postgres", "redis-server", "postgres")
    import logging

    logging.disable(logging.INFO)
    print(header("bench/load.py"), flush=True)
    print(
        f"sizes {sizes}, closed loop {args.duration:g} s, open loop {args.duration:g} s at {args.rate:g} saves/s "
        f"in total, warm-up {args.warmup:g} s; one save = one save_consents event, latency from sending it "
        f"to the delta with the new message",
        flush=True,
    )
    names = state_names()
    texts = consent_texts()
    started = time.monotonic()
    rows: list[Row] = []
    blank_rows: list[BlankRow] = []
    redis_scans: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp_name:
        tmp = Path(tmp_name)
        for config in configs:
            with configuration(config, tmp, sum(sizes), args.oplock_hold) as (server, users, extras):
                print(
                    f"{CONFIGS[config]}: server ready in {server.started_in:.0f} s "
                    f"({server.usage().processes} processes)",
                    file=sys.stderr,
                    flush=True,
                )
                asyncio.run(prime(server, users[:PRIMERS], names, texts))
                offset = PRIMERS
                for size in sizes:
                    with logs_on_failure(server):
                        got = asyncio.run(
                            run_size(server, users[offset : offset + size], args, names, texts, extras)
                        )
                    offset += size
                    for row in got:
                        row.config = config
                    rows += got
                    print(f"  {CONFIGS[config]}, N={size} done", file=sys.stderr, flush=True)
                for extra in extras:
                    if isinstance(extra, RedisServer):
                        time.sleep(hold_seconds(args.oplock_hold) + 1)  # the holds lapse: all is in Redis
                        keys, size, found = secrets_in_redis(extra, users)
                        redis_scans.append(
                            f"  {CONFIGS[config]}: Redis after the run holds {keys} keys, {size / 1024:.0f} KiB; "
                            f"secrets found in them: {', '.join(found) if found else 'none'} "
                            f"(session tokens of {len(users)} users, their cookie, password hashes looked for)"
                        )
            if not args.blank:
                continue
            with blank_configuration(config, tmp, args.oplock_hold) as (server, extras):
                for size in sizes:
                    with logs_on_failure(server):
                        got_blank = asyncio.run(run_blank_size(server, size, args, extras))
                    for blank_row in got_blank:
                        blank_row.config = config
                    blank_rows += got_blank
                    print(f"  {BLANK_CONFIGS[config]}, N={size} done", file=sys.stderr, flush=True)
    print_rows(rows)
    print_targets(rows)
    print("\n".join(redis_scans))
    if blank_rows:
        print_blank(blank_rows, rows)
    print(f"total time {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
