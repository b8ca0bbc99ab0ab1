"""Fixtures of the fault tests (issue 9, item 5): real servers, real faults, one production build.

Every fault server runs on the same port with the same public URL (http://localhost:PORT, baked
into the build as the backend's URL) and the same web dir (.web-faults, kept between runs so npm's
packages stay installed). The first server of the run builds the frontend (`reflex run --env
prod`); every later start, with another test's settings or after a kill -9, serves that build
again (tests/multihost/serve_build.py: the same CLI without its build step), so the whole
directory costs one build. One server runs at a time. Logs: test-artifacts/faults-*.log.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import TEST_SECRET, Mailbox, SMTPServer, _Handler
from tests.e2e.helpers import chromium, keep_reports, tab_for_test
from tests.harness import environ, free_port, migrate
from tests.multihost.services import COUNT_SOCKETS_SCRIPT, AppServer

# Browser tests against the production build, like tests/e2e: tests/conftest.py marks them e2e.


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    yield from keep_reports(item)


class FaultServers:
    """Starts the fault tests' app servers one after another on one port and one build."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://localhost:{self.port}"
        self.built = False
        self.running: list[AppServer] = []

    def start(self, name: str, settings: dict[str, str]) -> AppServer:
        """A server with these settings (FAKTUROWO_BASE_URL is this URL), started and ready."""
        for other in self.running:
            other.stop()
        self.running = []
        server = AppServer(
            name=f"faults-{name}",
            port=self.port,
            public_url=self.url,
            settings={
                "FAKTUROWO_BASE_URL": self.url,
                "FAKTUROWO_SECRET_KEY": TEST_SECRET,
                "FAKTUROWO_RATE_LIMITS": "on",
                **settings,
            },
            web_dir=".web-faults",
        )
        self.running.append(server)
        self.restart(server)
        return server

    def restart(self, server: AppServer) -> float:
        """(Re)start `server` on the build (the first start of the run builds it); the seconds."""
        server.start(build=not self.built)
        elapsed = server.wait_ready()
        self.built = True
        return elapsed

    def stop_all(self) -> None:
        for server in self.running:
            server.stop()
        self.running = []


@pytest.fixture(scope="package")
def faults() -> Iterator[FaultServers]:
    servers = FaultServers()
    try:
        yield servers
    finally:
        servers.stop_all()


@pytest.fixture(scope="package")
def browser():
    with chromium() as running:
        yield running


@pytest.fixture
def page(browser, faults, request):
    with tab_for_test(browser, faults.url, request, COUNT_SOCKETS_SCRIPT) as tab:
        yield tab


def sqlite_database(var_dir: Path) -> tuple[str, Path]:
    """A migrated SQLite database in var_dir: (its URL, its path)."""
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / "fakturowo.db"
    url = f"sqlite:///{path}"
    with environ(
        {"FAKTUROWO_VAR_DIR": str(var_dir), "REFLEX_DB_URL": url, "FAKTUROWO_SECRET_KEY": TEST_SECRET}
    ):
        migrate(url)
    return url, path


@dataclass
class SqliteDeployment:
    """A fault server on a SQLite database of its own."""

    app: AppServer
    url: str
    var_dir: Path
    db_url: str
    db_path: Path

    @property
    def wal(self) -> Path:
        return Path(str(self.db_path) + "-wal")

    def connect(self) -> sqlite3.Connection:
        """A connection of the test's own to the server's database (waiting up to 30 s for locks)."""
        con = sqlite3.connect(self.db_path, timeout=30)
        con.execute("PRAGMA busy_timeout=30000")
        return con


@contextlib.contextmanager
def sqlite_deployment(
    faults: FaultServers, name: str, smtp: SMTPServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SqliteDeployment]:
    """faults.start(name) on a migrated SQLite database in a var/ directory of its own, its mail
    sent to `smtp`; stopped when the block ends."""
    var_dir = tmp_path_factory.mktemp(f"faults-{name}") / "var"
    db_url, db_path = sqlite_database(var_dir)
    app = faults.start(name, {"FAKTUROWO_VAR_DIR": str(var_dir), "REFLEX_DB_URL": db_url, **smtp.env})
    try:
        yield SqliteDeployment(app=app, url=faults.url, var_dir=var_dir, db_url=db_url, db_path=db_path)
    finally:
        app.stop()


class _SlowHandler(_Handler):
    """Answers EHLO, HELO and the end of DATA only after `delay` seconds (while `slow` is set)."""

    def __init__(self, mailbox: Mailbox, owner: ControllableSMTP) -> None:
        super().__init__(mailbox)
        self.owner = owner

    async def _wait(self) -> None:
        if self.owner.slow:
            await asyncio.sleep(self.owner.delay)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        await self._wait()
        session.host_name = hostname
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):  # noqa: N802
        await self._wait()
        session.host_name = hostname
        return f"250 {server.hostname}"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        await self._wait()
        return await super().handle_DATA(server, session, envelope)


class ControllableSMTP(SMTPServer):
    """The loopback SMTP server, which can also be slow (answering after 30 s) or down (stopped),
    always on the same port."""

    def __init__(self, delay: float = 30) -> None:
        super().__init__()
        self.slow = False
        self.delay = delay

    def start(self) -> None:
        self.controller = Controller(
            _SlowHandler(self.mailbox, self),
            hostname="127.0.0.1",
            port=self.port,
            server_kwargs={"data_size_limit": 10_000_000},
        )
        self.controller.start()

    @property
    def running(self) -> bool:
        return self.controller is not None


@pytest.fixture(scope="package")
def smtp_server() -> Iterator[ControllableSMTP]:
    smtp = ControllableSMTP()
    smtp.start()
    yield smtp
    smtp.slow = False
    smtp.stop()
