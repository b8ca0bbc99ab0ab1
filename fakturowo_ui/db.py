"""The database engine and sessions; SQLite connections get the pragmas the app relies on."""

from __future__ import annotations

import contextlib
import functools
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session

from fakturowo_ui import files
from fakturowo_ui.settings import get_settings

SQLITE_BUSY_TIMEOUT_MS = 10_000
# A pooled PostgreSQL connection that sat unused in the pool this long is pinged before use (see
# _ping_after_idle); one in steady use is not.
PING_AFTER_IDLE_SECONDS = 5.0
# This process's SQLite writers, one at a time (see session_scope). Re-entrant: a write step
# may call a helper that opens its own write scope in the same thread.
_SQLITE_WRITERS = threading.RLock()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # foreign_keys: cascades work; WAL: readers don't block the writer; secure_delete:
    # deleted rows are overwritten with zeros, so an erased account leaves no bytes behind.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn) -> None:
    # pysqlite's own transaction handling is turned off (isolation_level=None below), so
    # BEGIN is ours to emit; write transactions ask for BEGIN IMMEDIATE explicitly.
    if not conn.info.pop("begin_immediate", False):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _note_checkin(_dbapi_connection, record) -> None:
    record.info["checked_in_at"] = time.monotonic()


def _ping_after_idle(dialect: sa.Dialect) -> Any:
    """A pool "checkout" listener: a connection that sat in the pool a while is pinged first.

    SQLAlchemy's pool_pre_ping pings at every checkout: a round trip to PostgreSQL added to every
    event (bench/load.py: some 4 % of a save's CPU). A connection in steady use has just proved
    itself; one left idle may have been closed by a server restart or an idle timeout meanwhile,
    and raising DisconnectionError makes the pool drop it and hand out a fresh one. (A restart
    within the last few seconds can still fail one transaction per stale connection; SQLAlchemy
    then invalidates the rest of the pool, so the next ones reconnect.)
    """

    def checkout(dbapi_connection, record, _proxy) -> None:
        checked_in_at = record.info.get("checked_in_at")
        if checked_in_at is None or time.monotonic() - checked_in_at < PING_AFTER_IDLE_SECONDS:
            return  # a new connection, or one in steady use
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception as error:  # noqa: BLE001 - any failure of the ping means a dead connection
            raise DisconnectionError(str(error)) from error
        if alive is False:
            raise DisconnectionError("the connection did not answer its ping")

    return checkout


def make_engine(url: str) -> sa.Engine:
    """An engine for the URL, with the SQLite pragmas attached to every new connection."""
    if url.startswith("sqlite"):
        path = sa.make_url(url).database
        if path and path != ":memory:" and not path.startswith("file:"):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            # The database holds every user's data: 0600 from its first byte, whatever the umask.
            # SQLite gives the -wal and -shm files the main file's mode; leftovers of an older,
            # world-readable database are tightened too.
            files.ensure_private_file(path)
            for sidecar in files.sqlite_files(path)[1:]:
                files.tighten(sidecar)
        engine = sa.create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        event.listen(engine, "connect", _sqlite_pragmas)

        @event.listens_for(engine, "connect")
        def _no_implicit_tx(dbapi_connection, _record):
            dbapi_connection.isolation_level = None

        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = sa.create_engine(url)
    event.listen(engine, "checkin", _note_checkin)
    event.listen(engine, "checkout", _ping_after_idle(engine.dialect))
    return engine


@functools.lru_cache(maxsize=1)
def get_engine() -> sa.Engine:
    """The process-wide engine for the configured database."""
    return make_engine(get_settings().db_url)


def reset_engine() -> None:
    """Dispose of the engine (tests switch databases)."""
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()


def is_sqlite(engine: sa.Engine | None = None) -> bool:
    """Whether the engine talks to SQLite."""
    return (engine or get_engine()).dialect.name == "sqlite"


@contextlib.contextmanager
def _queued_writer() -> Iterator[None]:
    # Waits no longer than SQLite itself would; past that, SQLite's own busy handling decides.
    queued = _SQLITE_WRITERS.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    try:
        yield
    finally:
        if queued:
            _SQLITE_WRITERS.release()


@contextlib.contextmanager
def session_scope(*, write_lock: bool = False) -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on error.

    write_lock=True takes SQLite's write lock at BEGIN (BEGIN IMMEDIATE), so a read-then-write
    transaction cannot fail half-way with "database is locked"; on PostgreSQL rows are locked
    by the statements themselves. On SQLite this process's writers also queue on a lock of
    their own first: threads that meet at SQLite's lock wait in its busy handler, which sleeps
    1, 2, 5 … 100 ms between tries, so under load most of a write's time went to sleeping.
    """
    engine = get_engine()
    sqlite_writer = write_lock and is_sqlite(engine)
    with _queued_writer() if sqlite_writer else contextlib.nullcontext(), engine.connect() as connection:
        if sqlite_writer:
            connection.info["begin_immediate"] = True
        with Session(bind=connection, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise


def rows_changed(result: sa.Result[Any]) -> int:
    """How many rows an UPDATE or DELETE touched (`Session.execute` is typed as a plain Result)."""
    return cast("sa.CursorResult[Any]", result).rowcount or 0
