"""The production server with several workers (issue 9, points 2 and 5), started by these tests.

One server on PostgreSQL and a Redis started here, with FAKTUROWO_WORKERS=2, serves the first
tests: it really runs two workers (whatever GRANIAN_WORKERS says), /healthz answers, logged-in
users' tabs go through events, and then no key in Redis holds a session token, a login code, a
password hash, a password or the SMTP password, while the tabs' next events still find their
session. The last test of that server stops it with SIGTERM and times it, and finds in Redis what
a tab did just before (the worker held that state under Reflex's opportunistic lock and wrote it
back as it stopped); a second, SQLite one is stopped while its daily work waits on an SMTP server
that never answers.

Both share one production build in their own web directory (WEB_DIR, so the e2e build is left
alone), built once and reused; they run one after the other, never at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import sqlite3
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from fakturowo_ui import db, routes
from tests.conftest import TEST_SECRET, SMTPServer
from tests.servers import RedisServer, postgres_database, silent_port

pytestmark = pytest.mark.filterwarnings("ignore")

WEB_DIR = ".web-test-workers"
WORKERS = 2
HOLD_S = 5  # REFLEX_OPLOCK_HOLD_TIME of this module's server (see stack)
USERS = 3
SMTP_PASSWORD = f"smtp-haslo-{uuid.uuid4().hex}"
PASSWORD_REGION = "Zgody na otrzymywanie wiadomości"
STOP_WITHIN_S = 10

# -- processes --------------------------------------------------------------------------------


def group_processes(pgid: int) -> list[dict]:
    """The live (not zombie) processes of a process group, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after the last ')'.
        state, ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if int(pgrp) == pgid and state not in ("Z", "X"):
            found.append({"pid": int(entry.name), "ppid": int(ppid), "cmdline": cmdline.strip()})
    return found


def backend_workers(leader: int) -> list[dict]:
    """Granian's workers: the server process's forked children running the same `reflex run`."""
    return [p for p in group_processes(leader) if p["ppid"] == leader and "reflex run" in p["cmdline"]]


def sigterm_and_time(process) -> tuple[float | None, list[dict]]:
    """SIGTERM to the whole group; seconds until every process of it is gone (None: not within
    STOP_WITHIN_S, then the group is killed), and what was still alive at the deadline."""
    started = time.monotonic()
    os.killpg(process.pid, signal.SIGTERM)
    left: list[dict] = []
    while time.monotonic() - started < STOP_WITHIN_S:
        process.poll()  # reap the leader, or it stays as a zombie
        left = group_processes(process.pid)
        if not left:
            return time.monotonic() - started, []
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    return None, left


# -- the servers --------------------------------------------------------------------------------


@dataclass
class Stack:
    server: object  # tests.e2e.helpers.Server
    redis: RedisServer
    db_url: str


# The servers started here: they share WEB_DIR, so a new one starts only once these are gone.
_running: list = []


@contextlib.contextmanager
def production_server(tmp_path_factory, smtp: SMTPServer, settings: dict[str, str]) -> Iterator[object]:
    """tests/e2e/conftest.py's running_server in WEB_DIR, after stopping the earlier ones."""
    from tests.e2e.conftest import _stop, running_server

    while _running:
        _stop(_running.pop())
    with running_server(tmp_path_factory, smtp, settings=settings, web_dir=WEB_DIR) as running:
        _running.append(running.process)
        try:
            yield running
        finally:
            with contextlib.suppress(ValueError):
                _running.remove(running.process)


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A database of our own on the local PostgreSQL, migrated to head, dropped afterwards."""
    with postgres_database("fakturowo_workers") as url:
        yield url


@pytest.fixture(scope="module")
def smtp() -> Iterator[SMTPServer]:
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, smtp, postgres_url) -> Iterator[Stack]:
    """The production server on PostgreSQL and its own Redis, FAKTUROWO_WORKERS=2."""
    redis = RedisServer()
    redis.start()
    settings = {
        "REFLEX_DB_URL": postgres_url,
        "REFLEX_REDIS_URL": redis.url,
        "FAKTUROWO_WORKERS": str(WORKERS),
        # An operator's stray value: FAKTUROWO_WORKERS is the one that counts.
        "GRANIAN_WORKERS": "5",
        "FAKTUROWO_SMTP_PASSWORD": SMTP_PASSWORD,
        "FAKTUROWO_RATE_LIMITS": "off",
        # The app's own (Reflex's default), set here so that the SIGTERM test, which tells a state
        # written back at shutdown from one whose lock was let go by itself, counts on it.
        "REFLEX_OPLOCK_HOLD_TIME": f"{HOLD_S}s",
    }
    try:
        with production_server(tmp_path_factory, smtp, settings) as running:
            yield Stack(server=running, redis=redis, db_url=postgres_url)
    finally:
        redis.stop()


@contextlib.contextmanager
def app_database(url: str, var_dir: Path) -> Iterator[None]:
    """This process's settings pointed at the server's database (to make users, read rows)."""
    from tests.e2e.conftest import _environ

    with _environ(
        {"REFLEX_DB_URL": url, "FAKTUROWO_VAR_DIR": str(var_dir), "FAKTUROWO_SECRET_KEY": TEST_SECRET}
    ):
        db.reset_engine()
        try:
            yield
        finally:
            db.reset_engine()


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


# -- the browser --------------------------------------------------------------------------------


@dataclass
class Tab:
    email: str
    context: object
    page: object
    login_codes: list[str] = field(default_factory=list)

    def session_token(self) -> str:
        from fakturowo_ui.services import sessions

        [token] = [c["value"] for c in self.context.cookies() if c["name"] == sessions.COOKIE_NAME]
        return token


@pytest.fixture(scope="module")
def browser(stack):
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def tabs(stack, browser) -> Iterator[list[Tab]]:
    """USERS logged-in users, each in a browser context of its own, after a few events each:
    consents saved on /konto, a client added on /klienci, and one data export (a background
    event that reloads its state from Redis)."""
    from playwright.sync_api import expect

    from tests.e2e import helpers
    from tests.unit.factories import PASSWORD, make_user

    server = stack.server
    helpers.set_server(server)
    with app_database(stack.db_url, server.var_dir):
        emails = [f"worker-{n}-{uuid.uuid4().hex[:8]}@example.com" for n in range(USERS)]
        for email in emails:
            make_user(email)
    opened: list[Tab] = []
    try:
        for email in emails:
            context = browser.new_context(base_url=server.base_url, locale="pl-PL", accept_downloads=True)
            context.add_init_script(helpers.INIT_SCRIPT)
            page = context.new_page()
            tab = Tab(email=email, context=context, page=page)

            def remember_code(request, tab=tab) -> None:
                if request.url.endswith(routes.AUTH_SESSION) and request.post_data:
                    tab.login_codes += urllib.parse.parse_qs(request.post_data).get("code", [])

            page.on("request", remember_code)
            opened.append(tab)
            helpers.login(page, email, PASSWORD)
            region = page.get_by_role("region", name=PASSWORD_REGION)
            region.get_by_label("Na 30 dni oraz na 5 dni").click()
            region.get_by_role("button", name="Zapisz").click()
            helpers.expect_message(page, "Zapisano zgody")
            helpers.open_page(page, routes.CLIENTS)
            # Shown once on_load has run (it resets the form): only then fill it.
            expect(page.get_by_text("Nie masz jeszcze żadnych klientów")).to_be_visible()
            _add_client(page, f"Klient {email}")
        # A background event: it loads the state from Redis again inside `async with self`.
        first = opened[0].page
        helpers.open_page(first, routes.ACCOUNT)
        with first.expect_download(timeout=60_000) as download:
            first.get_by_role("region", name="Usunięcie konta użytkownika").get_by_role(
                "button", name="Pobierz kopię danych"
            ).click()
        assert Path(download.value.path()).read_bytes().startswith(b"PK")
        helpers.open_page(first, routes.CLIENTS)
        expect(first.get_by_role("cell", name=f"Klient {opened[0].email}", exact=True)).to_be_visible()
        yield opened
    finally:
        for tab in opened:
            with contextlib.suppress(Exception):
                tab.context.close()
        helpers.set_server(None)


def _add_client(page, name: str) -> None:
    from playwright.sync_api import expect

    from tests.e2e import helpers

    page.get_by_label("Nazwa", exact=True).fill(name)
    page.get_by_role("button", name="Dodaj klienta").click()
    helpers.expect_message(page, "Dodano klienta")
    expect(page.get_by_role("cell", name=name, exact=True)).to_be_visible()


# -- Redis, every key ---------------------------------------------------------------------------


ROOT_KEY = b"_reflex___state____state"  # a tab's root state in Redis ends so


def values_once(client, ready, timeout: float = 10.0) -> dict[bytes, bytes]:
    """every_value, once `ready(values)` holds (or at the timeout, for the caller's assertions to
    say what is missing): a worker writes a tab's state back to Redis when it lets the tab's
    lock go, up to REFLEX_OPLOCK_HOLD_TIME after its last event (rxconfig.py)."""
    deadline = time.monotonic() + timeout
    while True:
        values = every_value(client)
        if ready(values) or time.monotonic() > deadline:
            return values
        time.sleep(0.2)


def every_value(client) -> dict[bytes, bytes]:
    """Each key with everything Redis holds under it: the value read by its type, and DUMP."""
    found: dict[bytes, bytes] = {}
    for key in client.scan_iter(count=500):
        kind = client.type(key)
        parts: list[bytes] = [key]
        if kind == b"string":
            parts.append(client.get(key) or b"")
        elif kind == b"hash":
            for name, value in client.hgetall(key).items():
                parts += [name, value]
        elif kind == b"list":
            parts += client.lrange(key, 0, -1)
        elif kind == b"set":
            parts += list(client.smembers(key))
        elif kind == b"zset":
            parts += [member for member, _ in client.zrange(key, 0, -1, withscores=True)]
        elif kind == b"stream":
            for entry_id, fields in client.xrange(key):
                parts.append(entry_id)
                for name, value in fields.items():
                    parts += [name, value]
        parts.append(client.dump(key) or b"")
        found[key] = b"\0".join(parts)
    return found


# -- the tests ----------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
def test_the_server_runs_the_configured_number_of_workers(stack):
    leader = stack.server.process.pid
    workers = backend_workers(leader)
    assert len(workers) == WORKERS, (
        f"expected {WORKERS} backend workers (FAKTUROWO_WORKERS), found {len(workers)} "
        f"(GRANIAN_WORKERS was 5 in the server's environment): {group_processes(leader)}"
    )


@pytest.mark.postgres
@pytest.mark.redis
def test_healthz_on_the_running_server(stack):
    status, body = _get(stack.server.url(routes.HEALTHZ))
    assert status == 200
    assert json.loads(body) == {"database": "ok", "redis": "ok"}


@pytest.mark.postgres
@pytest.mark.redis
def test_no_secret_is_at_rest_in_redis_and_the_tabs_go_on(stack, tabs):
    from playwright.sync_api import expect

    from tests.e2e import helpers
    from tests.unit.factories import PASSWORD

    tokens = {tab.email: tab.session_token() for tab in tabs}
    codes = [code for tab in tabs for code in tab.login_codes]
    assert len(codes) == USERS, "each login handed its one-time code to /auth/session"

    def every_tab_stored(values):
        everything = b"\n".join(values.values())
        return all(tab.email.encode() in everything for tab in tabs)

    with stack.redis.client() as client:
        values = values_once(client, every_tab_stored)
    assert values, "Redis holds no key at all: is the server using it?"
    everything = b"\n".join(values.values())
    # The scan sees the tabs' states (so it would see a cookie there too).
    for tab in tabs:
        assert tab.email.encode() in everything, f"no state of {tab.email} in Redis"
    forbidden = {
        **{f"session token of {email}": token for email, token in tokens.items()},
        **{f"login code {n}": code for n, code in enumerate(codes)},
        "a password hash": "$argon2",
        "the users' password": PASSWORD,
        "the SMTP password": SMTP_PASSWORD,
        "the session cookie's name": "fakturowo_session=",
    }
    for what, secret in forbidden.items():
        holders = [key for key, value in values.items() if secret.encode() in value]
        assert not holders, f"{what} is at rest in Redis under {holders}"

    # Every tab's next event still finds its session (the cookie comes from the socket again),
    # and so does an event after a reload (a new socket, on whichever worker takes it).
    for tab in tabs:
        _add_client(tab.page, f"Po skanie {tab.email}")
        tab.page.reload()
        helpers.wait_ready(tab.page)
        # The stored state shows first; the page's on_load then clears the message (and resets
        # the form): only after that is the form ready to fill.
        expect(helpers.message(tab.page, "Dodano klienta")).to_have_count(0)
        expect(tab.page.get_by_role("cell", name=f"Po skanie {tab.email}", exact=True)).to_be_visible()
        _add_client(tab.page, f"Po przeładowaniu {tab.email}")


@pytest.fixture(scope="module")
def opened_link(stack, tabs, browser):
    """A deletion link from the mailbox, opened in a fresh browser (as from a mail client), and
    what Redis holds once its page has loaded: (token, page, every key's values)."""
    from playwright.sync_api import expect

    from tests.conftest import action_link
    from tests.e2e import helpers

    helpers.set_server(stack.server)
    tab = tabs[1]
    helpers.open_page(tab.page, routes.ACCOUNT)
    region = tab.page.get_by_role("region", name="Usunięcie konta użytkownika")
    helpers.check_box(region.get_by_role("checkbox"))
    region.get_by_role("button", name="Usuń konto").click()
    link = action_link(
        stack.server.wait_for_mail(tab.email, "Potwierdź usunięcie konta"), stack.server.base_url
    )
    [token] = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["token"]
    context = browser.new_context(locale="pl-PL")
    context.add_init_script(helpers.INIT_SCRIPT)
    page = context.new_page()
    try:
        page.goto(link)
        helpers.wait_ready(page)
        expect(page.get_by_text(tab.email).first).to_be_visible()

        def link_page_stored(values):
            return any(b"/usun-konto" in value for key, value in values.items() if key.endswith(ROOT_KEY))

        with stack.redis.client() as client:
            yield token, page, values_once(client, link_page_stored)
    finally:
        context.close()
        helpers.set_server(None)


@pytest.mark.postgres
@pytest.mark.redis
def test_an_opened_links_url_is_kept_without_its_token(opened_link):
    """The root state (router data, URL and page vars) is pickled without `?token=`, and the
    link's page still answers its next event."""
    from playwright.sync_api import expect

    token, page, values = opened_link
    roots = [key for key in values if key.endswith(ROOT_KEY)]
    assert roots, "no root state in Redis"
    assert [key for key in roots if token.encode() in values[key]] == []
    assert any(b"/usun-konto" in values[key] for key in roots)
    page.get_by_label("Hasło", exact=True).fill("to nie jest to haslo")
    page.get_by_role("button", name="Usuń konto bezpowrotnie").click()
    expect(page.get_by_role("alert")).to_contain_text("nieprawidłowe hasło")


@pytest.mark.postgres
@pytest.mark.redis
def test_an_opened_links_token_is_in_no_key_of_redis(opened_link):
    token, _page, values = opened_link
    holders = [key for key, value in values.items() if token.encode() in value]
    assert holders == [], f"the link's token is at rest in Redis under {holders}"


@pytest.mark.postgres
@pytest.mark.redis
def test_sigterm_stops_every_process_of_the_server(stack, tabs):
    """SIGTERM with the tabs still connected: every process of the group is gone within 10 s,
    and what a tab did just before is in Redis: the worker held the tab's lock (and its state)
    for the opportunistic lock's hold time, and wrote the state back as it stopped."""
    process = stack.server.process
    assert len(backend_workers(process.pid)) == WORKERS
    tab = tabs[0]
    name = f"Przed zatrzymaniem {tab.email}"
    time.sleep(HOLD_S + 0.5)  # no lock of the tab held any more: the next event takes a new one
    started = time.monotonic()
    _add_client(tab.page, name)
    with stack.redis.client() as client:
        before = b"\n".join(every_value(client).values())
    in_time = time.monotonic() - started < HOLD_S - 1
    elapsed, left = sigterm_and_time(process)
    assert elapsed is not None, f"still running {STOP_WITHIN_S} s after SIGTERM: {left}"
    with stack.redis.client() as client:
        after = b"\n".join(every_value(client).values())
    if in_time:  # (on a machine so slow that the hold time ran out, only the next check counts)
        assert name.encode() not in before, "the state was written before its lock's hold time ran out"
    assert name.encode() in after, "the tab's last state was lost at shutdown"


def _due_reviews(var_dir: Path, db_url: str, count: int) -> None:
    """Users the daily work owes a review request (registered long ago, info consent given)."""
    from tests.unit.factories import make_user

    with app_database(db_url, var_dir):
        for n in range(count):
            make_user(f"due-{n}-{uuid.uuid4().hex[:6]}@example.com")
    con = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    long_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(days=60)).strftime("%Y-%m-%d %H:%M:%S")
    con.execute('UPDATE "user" SET info_consent = 1, created_at = ?', (long_ago,))
    con.commit()
    con.close()


def test_sigterm_stops_the_server_while_its_daily_work_waits_on_smtp(tmp_path_factory, smtp):
    """One SQLite worker whose daily work (run at start-up) is sending to an SMTP server that
    accepts the connection and never answers: each mail waits out the SMTP timeout, yet SIGTERM
    ends every process within 10 s (the run is left to a later one, see scheduler.py)."""
    from tests.conftest import migrate

    var_dir = tmp_path_factory.mktemp("sigterm-db")
    db_url = f"sqlite:///{var_dir / 'fakturowo.db'}"
    with app_database(db_url, var_dir):
        migrate(db_url)
    _due_reviews(var_dir, db_url, 3)
    with silent_port() as smtp_port:
        settings = {
            "REFLEX_DB_URL": db_url,
            "FAKTUROWO_SMTP_HOST": "127.0.0.1",
            "FAKTUROWO_SMTP_PORT": str(smtp_port),
        }
        with production_server(tmp_path_factory, smtp, settings) as running:
            process = running.process
            assert len(backend_workers(process.pid)) == 1
            _wait_for_daily_run(db_url, running)
            elapsed, left = sigterm_and_time(process)
            assert "review requests:" not in running.log_tail(400), "the run ended before SIGTERM"
            assert elapsed is not None, f"still running {STOP_WITHIN_S} s after SIGTERM: {left}"


def _wait_for_daily_run(db_url: str, running, timeout: float = 30) -> None:
    """Until the daily work holds its lock (it is sending), with its summary not yet logged."""
    deadline = time.monotonic() + timeout
    while True:
        con = sqlite3.connect(db_url.removeprefix("sqlite:///"), timeout=5)
        try:
            held = con.execute("SELECT count(*) FROM job_lock WHERE name = 'daily'").fetchone()[0]
        finally:
            con.close()
        if held:
            break
        assert time.monotonic() < deadline, f"the daily work did not start; log:\n{running.log_tail()}"
        time.sleep(0.2)
    time.sleep(1)  # into the first mail's wait
