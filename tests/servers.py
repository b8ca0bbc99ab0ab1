"""Services the tests start themselves: a Redis on a free port (restartable), a PostgreSQL database
of their own, and a TCP port that never answers. The one home of these for every test directory."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from tests.harness import free_port, start_group

POSTGRES_ADMIN_URL = os.environ.get(
    "FAKTUROWO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


class RedisServer:
    """`redis-server` of our own on a free loopback port, in memory only (nothing saved).

    start() starts it (again on the same port after stop(), for restart tests); its log goes
    to `directory`/redis.log.
    """

    def __init__(self, directory: Path | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail(
                "Redis is missing: redis-server not found (Debian's redis-server package)", pytrace=False
            )
        self.binary = binary
        self.port = free_port()
        self.directory = directory or Path(tempfile.mkdtemp(prefix="fakturowo-redis-"))
        self.directory.mkdir(parents=True, exist_ok=True)
        self.log_path = self.directory / "redis.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=2, socket_timeout=5)

    def answers(self) -> bool:
        import redis

        try:
            with self.client() as client:
                return bool(client.ping())
        except redis.RedisError:
            return False

    def start(self, timeout: float = 15) -> None:
        with self.log_path.open("a") as log:
            self.process = start_group(
                [
                    self.binary,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.directory),
                ],
                log=log,
            )
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(
                    f"redis-server on port {self.port} did not start; {self.log_path}:\n"
                    f"{self.log_path.read_text(errors='replace')[-2000:]}",
                    pytrace=False,
                )
            time.sleep(0.05)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop it (SIGTERM by default), SIGKILL after 10 s; the port stays this server's."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@contextlib.contextmanager
def redis_server() -> Iterator[RedisServer]:
    """A started RedisServer, stopped afterwards."""
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def postgres_admin_engine() -> sa.Engine:
    """An autocommit engine on the local PostgreSQL; the test fails, saying so, when it is missing."""
    engine = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    problem = None
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except OperationalError as error:
        problem = str(error.orig).strip().splitlines()[0]
    if problem is not None:
        engine.dispose()
        pytest.fail(
            f"PostgreSQL is missing: cannot connect to {POSTGRES_ADMIN_URL} ({problem}). "
            "Start the local PostgreSQL (127.0.0.1:5432, trust auth) to run this test.",
            pytrace=False,
        )
    return engine


@contextlib.contextmanager
def postgres_database(prefix: str, *, migrate: Callable[[str], None] | None = None) -> Iterator[str]:
    """A database of our own on the local PostgreSQL, migrated to head, dropped afterwards.

    `migrate(url)` runs the migrations (tests.harness.migrate unless given, e.g. wrapped in the
    environment a server will have).
    """
    if migrate is None:
        from tests.harness import migrate
    from fakturowo_ui import db

    admin = postgres_admin_engine()
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        migrate(url)
        yield url
    finally:
        db.reset_engine()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextlib.contextmanager
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections (the kernel's backlog) but never says a word."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]
