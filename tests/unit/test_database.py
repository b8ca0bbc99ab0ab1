"""The schema and the SQLite connection: pragmas, IDs never reused, indexed FKs, cascades, no drift."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from fakturowo_ui import db, models
from fakturowo_ui.models import (
    AuthSession,
    Client,
    ConsentRecord,
    Document,
    DocumentItem,
    Feedback,
    FormSubmission,
    OneTimeToken,
    Product,
    RecoveryCode,
    SecurityEvent,
    SellerProfile,
    SentNotice,
    Subscription,
    User,
)
from fakturowo_ui.settings import REPO_ROOT
from tests.unit.factories import count_rows, make_user

NOW = dt.datetime(2026, 11, 23, 12, 0, 0)
OWNER_TABLES = {"user", "document"}


def _pragma(connection, name: str):
    return connection.exec_driver_sql(f"PRAGMA {name}").scalar()


def test_sqlite_connections_carry_the_pragmas(app_env):
    engine = db.get_engine()
    # Two connections at once, so both come from a fresh connect, not one reused from the pool.
    with engine.connect() as first, engine.connect() as second:
        for connection in (first, second):
            assert _pragma(connection, "foreign_keys") == 1
            assert str(_pragma(connection, "journal_mode")).lower() == "wal"
            assert _pragma(connection, "busy_timeout") > 0
            assert _pragma(connection, "secure_delete") == 1


def test_the_pragmas_are_set_by_the_app_not_by_the_sqlite_build(tmp_path):
    """Some SQLite builds (Debian's) default secure_delete to on; the app must not rely on that."""
    connection = sqlite3.connect(tmp_path / "bare.db")
    try:
        connection.execute("PRAGMA secure_delete=0")
        connection.execute("PRAGMA foreign_keys=0")
        db._sqlite_pragmas(connection, None)
        assert connection.execute("PRAGMA secure_delete").fetchone()[0] == 1
        assert connection.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("PRAGMA busy_timeout").fetchone()[0] > 0
    finally:
        connection.close()


def test_foreign_keys_are_enforced(app_env):
    with pytest.raises(sa.exc.IntegrityError), db.session_scope() as session:
        session.add(Client(user_id=999_999, name="Nikt"))
        session.flush()


def test_a_deleted_users_id_is_never_reused(app_env):
    first = make_user("pierwszy@example.com")
    second = make_user("drugi@example.com")
    with db.session_scope() as session:
        session.execute(sa.delete(User).where(User.id == second))
    third = make_user("trzeci@example.com")
    assert first < second < third


def test_every_integer_id_table_uses_autoincrement(app_env):
    """In the live database, not only in the models: the CREATE TABLE says AUTOINCREMENT."""
    with db.get_engine().connect() as connection:
        ddl = dict(
            connection.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all()
        )
    checked = []
    for table in SQLModel.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and isinstance(pk[0].type, sa.Integer):
            assert "AUTOINCREMENT" in ddl[table.name].upper(), f"{table.name}: IDs could be reused"
            checked.append(table.name)
    assert {"user", "document", "client", "product", "auth_session"} <= set(checked)


def _leading_columns_indexed(table: sa.Table, columns: list[str]) -> bool:
    candidates = [list(index.columns.keys()) for index in table.indexes]
    candidates += [
        list(constraint.columns.keys())
        for constraint in table.constraints
        if isinstance(constraint, sa.UniqueConstraint | sa.PrimaryKeyConstraint)
    ]
    candidates += [[column.name] for column in table.columns if column.unique]
    return any(candidate[: len(columns)] == columns for candidate in candidates)


def test_every_foreign_key_is_indexed_in_the_models():
    foreign_keys = 0
    for table in SQLModel.metadata.sorted_tables:
        for fk in table.foreign_key_constraints:
            foreign_keys += 1
            columns = [column.name for column in fk.columns]
            assert _leading_columns_indexed(table, columns), f"{table.name}.{columns} has no index"
    assert foreign_keys >= 10


def test_every_foreign_key_is_indexed_in_the_database(app_env):
    with db.get_engine().connect() as connection:
        tables = [
            row[0]
            for row in connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for table in tables:
            indexed = []
            for index in connection.exec_driver_sql(f'PRAGMA index_list("{table}")').mappings():
                info = connection.exec_driver_sql(f'PRAGMA index_info("{index["name"]}")').all()
                indexed.append([column for _seq, _cid, column in sorted(info)])
            for fk in connection.exec_driver_sql(f'PRAGMA foreign_key_list("{table}")').mappings():
                assert any(columns[:1] == [fk["from"]] for columns in indexed), (
                    f"{table}.{fk['from']} -> {fk['table']} has no index in the database"
                )


def test_every_foreign_key_to_a_user_or_document_cascades():
    for table in SQLModel.metadata.sorted_tables:
        for fk in table.foreign_key_constraints:
            if fk.referred_table.name in OWNER_TABLES:
                assert fk.ondelete == "CASCADE", f"{table.name} -> {fk.referred_table.name}"


def test_the_database_cascades_too(app_env):
    with db.get_engine().connect() as connection:
        tables = [
            row[0] for row in connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        for table in tables:
            for fk in connection.exec_driver_sql(f'PRAGMA foreign_key_list("{table}")').mappings():
                if fk["table"] in OWNER_TABLES:
                    assert fk["on_delete"] == "CASCADE", f"{table} -> {fk['table']}"


def _owned_tables() -> set[str]:
    """Every table reachable from `user` through foreign keys: what deleting a user must empty."""
    owned = {"user"}
    changed = True
    while changed:
        changed = False
        for table in SQLModel.metadata.sorted_tables:
            if table.name in owned:
                continue
            if any(
                fk.referred_table.name in owned and fk.ondelete == "CASCADE"
                for fk in table.foreign_key_constraints
            ):
                owned.add(table.name)
                changed = True
    return owned


def _fill_account(user_id: int) -> set[str]:
    """One row in every table a user owns; returns the names of the tables written."""
    with db.session_scope() as session:
        client = Client(user_id=user_id, name="Klient Sp. z o.o.", nip="5260250274")
        session.add(client)
        session.flush()
        document = Document(
            user_id=user_id,
            client_id=client.id,
            number=f"FV/1/{user_id}",
            issue_date=NOW.date(),
            sale_date=NOW.date(),
            created_at=NOW,
            total_net=Decimal("100.00"),
            total_vat=Decimal("23.00"),
            total_gross=Decimal("123.00"),
        )
        session.add(document)
        session.flush()
        rows = [
            AuthSession(
                user_id=user_id,
                token_hash=f"{user_id:064d}",
                created_at=NOW,
                last_seen_at=NOW,
                expires_at=NOW + dt.timedelta(days=7),
            ),
            OneTimeToken(
                user_id=user_id,
                purpose="confirm_email",
                token_hash=f"{user_id:063d}t",
                created_at=NOW,
                expires_at=NOW + dt.timedelta(hours=24),
            ),
            ConsentRecord(user_id=user_id, consent="info", given=True, at=NOW, source="registration"),
            SentNotice(user_id=user_id, kind="reminder-30", period_key="2026-12-31", sent_at=NOW),
            RecoveryCode(user_id=user_id, code_hash=f"{user_id:063d}r", created_at=NOW),
            FormSubmission(user_id=user_id, form_key="klucz-formularza", kind="client", row_id=1, at=NOW),
            SecurityEvent(user_id=user_id, kind="login", at=NOW, ip_prefix="203.0.113.0/24"),
            Feedback(user_id=user_id, rating=5, text="Dobre", at=NOW),
            SellerProfile(user_id=user_id, company_name="Moja Firma"),
            Product(user_id=user_id, name="Usługa", net_price=Decimal("100.00"), vat_rate="23"),
            DocumentItem(
                document_id=document.id,
                position=1,
                name="Usługa",
                quantity=Decimal("1"),
                unit="szt.",
                net_price=Decimal("100.00"),
                vat_rate="23",
            ),
        ]
        session.add_all(rows)
    written = {"user", "client", "document", "subscription"} | {type(row).__tablename__ for row in rows}
    return written


MODELS = {
    model.__tablename__: model
    for model in (
        User,
        Subscription,
        AuthSession,
        OneTimeToken,
        ConsentRecord,
        SentNotice,
        RecoveryCode,
        SecurityEvent,
        FormSubmission,
        Feedback,
        SellerProfile,
        Client,
        Product,
        Document,
        DocumentItem,
    )
}


def test_deleting_a_user_removes_everything_it_owns(app_env):
    doomed = make_user("usuwany@example.com")
    kept = make_user("zostaje@example.com")
    written = _fill_account(doomed)
    _fill_account(kept)
    # A new owned table must get a row here, or this test would not prove its cascade.
    assert written == _owned_tables() == set(MODELS)
    before = {name: count_rows(model) for name, model in MODELS.items()}
    assert all(count == 2 for count in before.values()), before

    with db.session_scope() as session:
        session.execute(sa.delete(User).where(User.id == doomed))

    after = {name: count_rows(model) for name, model in MODELS.items()}
    assert after == dict.fromkeys(MODELS, 1), after
    assert count_rows(Client, Client.user_id == kept) == 1
    assert count_rows(DocumentItem) == 1


def test_deleting_a_client_keeps_its_invoices(app_env):
    user_id = make_user("klient@example.com")
    _fill_account(user_id)
    with db.session_scope() as session:
        session.execute(sa.delete(Client))
    with db.session_scope() as session:
        document = session.scalars(sa.select(Document)).one()
        assert document.client_id is None


def _drift(connection, metadata) -> list:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return compare_metadata(context, metadata)


def test_models_and_migrations_do_not_drift(app_env):
    assert models.User.__tablename__ in SQLModel.metadata.tables
    with db.get_engine().connect() as connection:
        assert _drift(connection, SQLModel.metadata) == []


def test_the_drift_check_can_fail(app_env):
    """Guard for the test above: a model change the migrations lack is reported."""
    changed = sa.MetaData()
    for table in SQLModel.metadata.sorted_tables:
        table.to_metadata(changed)
    sa.Table("invoice_note", changed, sa.Column("id", sa.Integer, primary_key=True))
    changed.tables["client"].append_column(sa.Column("phone", sa.String(32)))
    with db.get_engine().connect() as connection:
        diff = _drift(connection, changed)
    kinds = {entry[0] for entry in diff if isinstance(entry, tuple)}
    assert {"add_table", "add_column"} <= kinds, diff


def test_migrations_go_down_and_up_again(app_env, tmp_path):
    from alembic import command
    from alembic.config import Config

    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.attributes["url"] = url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    engine = db.make_engine(url)
    try:
        assert set(sa.inspect(engine).get_table_names()) == {"alembic_version"}
    finally:
        engine.dispose()
    command.upgrade(config, "head")
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            assert _drift(connection, SQLModel.metadata) == []
    finally:
        engine.dispose()


def test_sqlite_writers_of_one_process_queue_instead_of_sleeping_in_the_busy_handler(app_env):
    """Issue 9: threads that meet at SQLite's write lock sleep in its busy handler (1, 2, 5 …
    100 ms); writers of one process take turns on a lock of their own first."""
    import threading
    import time as _time

    from fakturowo_ui import db as database

    inside = []
    overlap = []

    def write(n: int) -> None:
        with database.session_scope(write_lock=True) as session:
            session.connection().exec_driver_sql("SELECT 1")  # BEGIN IMMEDIATE happens here
            inside.append(n)
            if len(inside) > 1:
                overlap.append(tuple(inside))
            _time.sleep(0.02)
            inside.remove(n)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    started = _time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlap == []
    # 8 writers x 20 ms in turn; the busy handler's sleeps would add up to far more.
    assert _time.monotonic() - started < 1.5
    # Re-entrant in one thread: a write step may call a helper with its own write scope.
    assert database._SQLITE_WRITERS.acquire(timeout=0)
    database._SQLITE_WRITERS.release()
