"""The same migrations on the local PostgreSQL, and Redis for state across workers.

These services are part of the promised set-up, so when one is not running the test fails and
says which one is missing; it never skips quietly.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import OperationalError
from sqlmodel import SQLModel

from fakturowo_ui import db
from fakturowo_ui.models import Client, Document, User
from fakturowo_ui.services import accounts
from fakturowo_ui.settings import reset_settings_cache
from tests.servers import postgres_database
from tests.unit.factories import PASSWORD, count_rows, make_user

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A database of our own on the local server, migrated to head, dropped afterwards."""
    with postgres_database("fakturowo_test") as url:
        yield url


@pytest.mark.postgres
def test_postgres_migrations_leave_no_drift(postgres_url):
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names())
            assert set(SQLModel.metadata.tables) <= tables
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "compare_server_default": True}
            )
            assert compare_metadata(context, SQLModel.metadata) == []
            for table in SQLModel.metadata.sorted_tables:
                for fk in sa.inspect(connection).get_foreign_keys(table.name):
                    if fk["referred_table"] in ("user", "document"):
                        assert fk["options"].get("ondelete") == "CASCADE", table.name
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_the_app_runs_on_postgres(app_env, monkeypatch, postgres_url, frozen_clock):
    """Through REFLEX_DB_URL: accounts, login and the cascade behave as on SQLite."""
    monkeypatch.setenv("REFLEX_DB_URL", postgres_url)
    reset_settings_cache()
    db.reset_engine()
    assert db.get_engine().dialect.name == "postgresql"
    suffix = uuid.uuid4().hex[:8]
    first = make_user(f"pg-{suffix}@example.com")
    second = make_user(f"pg2-{suffix}@example.com")
    code = asyncio.run(accounts.log_in(f" PG-{suffix}@Example.com", PASSWORD, "127.0.0.1", None))
    assert accounts.exchange_login_code(code) is not None
    with db.session_scope() as session:
        client = Client(user_id=first, name="Klient")
        session.add(client)
    with db.session_scope() as session:
        session.execute(sa.delete(User).where(User.id.in_([first, second])))
    third = make_user(f"pg3-{suffix}@example.com")
    assert third > second, "an ID was reused"
    assert count_rows(Client, Client.user_id == first) == 0
    assert count_rows(Document) == 0


def _backend_pid(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()


@pytest.mark.postgres
def test_a_pooled_connection_is_pinged_only_after_sitting_idle(postgres_url, monkeypatch):
    """A connection handed out again at once is not pinged (no extra round trip per event); one
    that sat in the pool past the limit is, and a dead one is replaced without an error."""
    engine = db.make_engine(postgres_url)
    pings = []
    real_ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda conn: pings.append(1) or real_ping(conn))
    try:
        first = _backend_pid(engine)
        assert [_backend_pid(engine) for _ in range(3)] == [first] * 3
        assert pings == [], "a connection in steady use was pinged"

        monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
        assert _backend_pid(engine) == first
        assert pings == [1], "an idle connection was handed out without a ping"

        admin = sa.create_engine(postgres_url)
        try:
            with admin.connect() as connection:
                assert connection.execute(sa.text(f"SELECT pg_terminate_backend({first})")).scalar()
        finally:
            admin.dispose()
        # The ping finds the server side gone: the pool replaces the connection, no error.
        replaced = _backend_pid(engine)
        assert replaced != first
        assert len(pings) == 2
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_after_a_restart_a_connection_in_steady_use_fails_once_and_the_rest_reconnect(postgres_url):
    """What README promises of a database restart: a pooled connection used in the last seconds
    is handed out without a ping, so its transaction fails (rolled back, nothing half-saved); the
    pool then drops every connection it had, and the next transactions reconnect."""
    engine = db.make_engine(postgres_url)
    try:
        with engine.connect() as one, engine.connect() as other:  # two pooled connections
            pids = {
                connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
                for connection in (one, other)
            }
        admin = sa.create_engine(postgres_url)
        try:
            with admin.connect() as connection:
                for pid in pids:  # what a restart does to them
                    connection.execute(sa.text(f"SELECT pg_terminate_backend({pid})"))
        finally:
            admin.dispose()
        with pytest.raises(OperationalError) as failed:
            _backend_pid(engine)
        assert failed.value.connection_invalidated
        assert _backend_pid(engine) not in pids
        assert _backend_pid(engine) not in pids
    finally:
        engine.dispose()


def _redis_client():
    import redis

    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, socket_connect_timeout=2)
    problem = None
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        problem = str(error)
    if problem is not None:
        pytest.fail(
            f"Redis is missing: cannot connect to {REDIS_HOST}:{REDIS_PORT} ({problem}). "
            "Start the local Redis to run this test.",
            pytrace=False,
        )
    return client


@pytest.fixture
def reload_rxconfig(app_env):
    """rxconfig reads the settings at import: reload it under the test's environment.

    Afterwards the module gets back exactly what it held before (or is forgotten if it was not
    imported yet), so no later test sees a config made for this one's environment.
    """
    was_imported = "rxconfig" in sys.modules
    import rxconfig

    saved = dict(vars(rxconfig))

    def reload():
        reset_settings_cache()
        return importlib.reload(rxconfig).config

    yield reload
    if was_imported:
        vars(rxconfig).update(saved)
    else:
        sys.modules.pop("rxconfig", None)
    reset_settings_cache()


@pytest.mark.redis
def test_redis_answers_and_rxconfig_uses_it(reload_rxconfig, monkeypatch):
    client = _redis_client()
    key = f"fakturowo-test:{uuid.uuid4().hex}"
    try:
        client.set(key, "1", ex=30)
        assert client.get(key) == b"1"
    finally:
        client.delete(key)
        client.close()
    monkeypatch.setenv("REFLEX_REDIS_URL", f"redis://{REDIS_HOST}:{REDIS_PORT}")
    config = reload_rxconfig()
    assert config.state_manager_mode == "redis"
    assert config.redis_url == f"redis://{REDIS_HOST}:{REDIS_PORT}"


def test_rxconfig_keeps_state_in_memory_without_redis(reload_rxconfig, monkeypatch):
    monkeypatch.delenv("REFLEX_REDIS_URL", raising=False)
    config = reload_rxconfig()
    assert config.state_manager_mode == "memory"
    assert not config.redis_url
    # Local use: localhost and 127.0.0.1 (and ::1) alike open the same app.
    assert config.cors_allowed_origins == [
        "http://localhost:3000",
        "http://127.0.0.1:3000",
        "http://[::1]:3000",
    ]
    assert config.telemetry_enabled is False


def test_rxconfig_accepts_only_the_base_origin(reload_rxconfig, monkeypatch):
    monkeypatch.setenv("FAKTUROWO_BASE_URL", "https://faktury.example.pl/app")
    config = reload_rxconfig()
    assert config.cors_allowed_origins == ["https://faktury.example.pl"]


@pytest.mark.postgres
def test_parallel_logins_pass_no_limit_on_postgres(app_env, monkeypatch, postgres_url):
    """Issue 14, point 3 on PostgreSQL: the advisory lock per key serialises check and count."""
    monkeypatch.setenv("REFLEX_DB_URL", postgres_url)
    reset_settings_cache()
    db.reset_engine()
    email = f"pg-race-{uuid.uuid4().hex[:8]}@example.com"
    make_user(email)

    async def twenty():
        attempts = [accounts.log_in(email, "zle haslo zle haslo", f"10.1.0.{i}", None) for i in range(19)]
        attempts.append(accounts.log_in(email, PASSWORD, "10.1.0.99", None))
        return await asyncio.gather(*attempts, return_exceptions=True)

    keys = [getattr(r, "key", "ok") for r in asyncio.run(twenty())]
    assert keys.count("login.failed") == 5
    assert keys.count("common.try_again_at") == 15


@pytest.mark.postgres
def test_a_deletion_on_postgres_vacuums_the_user_tables(app_env, monkeypatch, postgres_url):
    """Issue 14, point 2: the tables are VACUUMed after an erasure (autocommit, no error)."""
    from fakturowo_ui.services import deletion

    monkeypatch.setenv("REFLEX_DB_URL", postgres_url)
    reset_settings_cache()
    db.reset_engine()
    make_user(f"pg-vac-{uuid.uuid4().hex[:8]}@example.com")
    engine = db.get_engine()
    with engine.connect() as connection:
        before = connection.exec_driver_sql(
            "SELECT coalesce(vacuum_count, 0) FROM pg_stat_user_tables WHERE relname = 'document'"
        ).scalar()
    assert deletion.flush_deleted_pages() is True
    with engine.connect() as connection:
        for _ in range(50):  # the statistics collector reports with a small delay
            after = connection.exec_driver_sql(
                "SELECT coalesce(vacuum_count, 0) FROM pg_stat_user_tables WHERE relname = 'document'"
            ).scalar()
            if after > before:
                break
            connection.exec_driver_sql("SELECT pg_sleep(0.1)")
            connection.commit()
    assert after > before
