"""Benchmark: deleting a large account on SQLite, three ways, in one run.

For accounts with 1,000, 10,000 and 50,000 documents (5 line items each) plus 2,000 clients and
2,000 products, each beside three other accounts of the same size, it prints:
  - confirm:  the app's own confirm_deletion (token consumed, erase through ON DELETE CASCADE,
              blocked address, sessions ended, commit, WAL checkpoint, goodbye mail to the outbox;
              includes one argon2id verification, ~50 ms);
  - erase:    the app's erase transaction alone (what confirm does between BEGIN IMMEDIATE and COMMIT);
  - bare SQL: hand-written set-based DELETE statements for the same rows, committed;
  - naive:    a per-object ORM loop (query each document's items, session.delete every object).
Confirm, erase and bare SQL are the best of 3 runs on fresh copies; naive runs once.
Targets (issue 3): at 10,000 documents erase <= 2x bare SQL and >= 10x faster than naive; linear growth.

Needs only `make setup` (no test dependencies).
Run: .venv/bin/python bench/deletion.py [--sizes 1000,10000,50000] [--skip-naive-above 50000]
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _servers import argument_parser, migrate  # noqa: E402

from tests.large_account import insert_account  # noqa: E402 - the repository is on sys.path through _servers

ACCOUNTS = 4
CLIENTS = 2000
PRODUCTS = 2000
ITEMS_PER_DOCUMENT = 5
PASSWORD = "benchmark password 2026"
REPEATS = 3


def _configure(workdir: Path, db_file: Path) -> None:
    os.environ["FAKTUROWO_VAR_DIR"] = str(workdir / "var")
    os.environ["REFLEX_DB_URL"] = f"sqlite:///{db_file}"
    os.environ["FAKTUROWO_SECRET_KEY"] = "benchmark-secret-key-0123456789abcdef0123"
    os.environ["FAKTUROWO_RATE_LIMITS"] = "off"
    os.environ.pop("FAKTUROWO_SMTP_HOST", None)
    from fakturowo_ui import db
    from fakturowo_ui.settings import reset_settings_cache

    reset_settings_cache()
    db.reset_engine()


def build_template(workdir: Path, documents: int) -> Path:
    """A migrated database with ACCOUNTS accounts of `documents` documents each."""
    path = workdir / f"template-{documents}.db"
    _configure(workdir, path)
    migrate(f"sqlite:///{path}")
    from fakturowo_ui.services import passwords

    password_hash = passwords.hash_password(PASSWORD)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    with con:
        for account in range(1, ACCOUNTS + 1):
            insert_account(
                con,
                f"konto{account}@example.com",
                password_hash,
                documents=documents,
                items_per_document=ITEMS_PER_DOCUMENT,
                clients=CLIENTS,
                products=PRODUCTS,
                tag=f"{account}-",
            )
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return path


def _fresh_copy(template: Path, workdir: Path, name: str) -> Path:
    target = workdir / name
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copy(template, target)
    _configure(workdir, target)
    return target


def _victim() -> int:
    return 2  # an account in the middle: others before and after it


def measure_confirm(template: Path, workdir: Path) -> tuple[float, float]:
    """(end-to-end confirm_deletion, of which the erase transaction)."""
    _fresh_copy(template, workdir, "confirm.db")
    from fakturowo_ui.db import session_scope
    from fakturowo_ui.services import deletion, onetime

    with session_scope() as session:
        token, _row = onetime.issue(
            session, _victim(), onetime.TokenPurpose.DELETE_ACCOUNT, dt.timedelta(hours=1)
        )
    timings = {}
    original = deletion.erase_account

    def timed_erase(*args, **kwargs):
        start = time.perf_counter()
        original(*args, **kwargs)
        timings["erase_statements"] = time.perf_counter() - start

    deletion.erase_account = timed_erase
    try:
        start = time.perf_counter()
        result = asyncio.run(deletion.confirm_deletion(token, PASSWORD))
        total = time.perf_counter() - start
    finally:
        deletion.erase_account = original
    assert result.outcome is deletion.Outcome.DELETED, result
    _check_only_victim_gone(workdir / "confirm.db")
    return total, timings["erase_statements"]


def measure_erase(template: Path, workdir: Path) -> float:
    """The app's erase transaction alone, BEGIN IMMEDIATE to COMMIT."""
    _fresh_copy(template, workdir, "erase.db")
    from fakturowo_ui.db import session_scope
    from fakturowo_ui.services import deletion

    _warm_up()
    start = time.perf_counter()
    with session_scope(write_lock=True) as session:
        deletion.erase_account(session, _victim(), f"konto{_victim()}@example.com", onetime_digest=None)
    elapsed = time.perf_counter() - start
    _check_only_victim_gone(workdir / "erase.db")
    return elapsed


def measure_bare_sql(template: Path, workdir: Path) -> float:
    """Hand-written set-based deletes of the same rows, committed."""
    path = _fresh_copy(template, workdir, "bare.db")
    con = sqlite3.connect(path, isolation_level=None)
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "secure_delete=ON", "synchronous=NORMAL"):
        con.execute(f"PRAGMA {pragma}")
    uid = _victim()
    start = time.perf_counter()
    con.execute("BEGIN IMMEDIATE")
    con.execute(
        "DELETE FROM document_item WHERE document_id IN (SELECT id FROM document WHERE user_id=?)", (uid,)
    )
    for table in (
        "document",
        "client",
        "product",
        "seller_profile",
        "subscription",
        "consent_record",
        "sent_notice",
        "auth_session",
        "one_time_token",
    ):
        con.execute(f"DELETE FROM {table} WHERE user_id=?", (uid,))
    con.execute("DELETE FROM user WHERE id=?", (uid,))
    con.execute("COMMIT")
    elapsed = time.perf_counter() - start
    con.close()
    _check_only_victim_gone(path)
    return elapsed


def measure_naive(template: Path, workdir: Path) -> float:
    """A per-object ORM loop, as code without set-based deletes would do it."""
    path = _fresh_copy(template, workdir, "naive.db")
    import sqlalchemy as sa
    from sqlmodel import col

    from fakturowo_ui.db import session_scope
    from fakturowo_ui.models import Client, Document, DocumentItem, Product, Subscription, User

    uid = _victim()
    _warm_up()
    start = time.perf_counter()
    with session_scope(write_lock=True) as session:
        for document in session.scalars(sa.select(Document).where(col(Document.user_id) == uid)).all():
            for item in session.scalars(
                sa.select(DocumentItem).where(col(DocumentItem.document_id) == document.id)
            ):
                session.delete(item)
            session.delete(document)
        for model in (Client, Product, Subscription):
            for row in session.scalars(sa.select(model).where(col(model.user_id) == uid)).all():
                session.delete(row)
        session.delete(session.get(User, uid))
    elapsed = time.perf_counter() - start
    _check_only_victim_gone(path)
    return elapsed


def _warm_up() -> None:
    """Open the engine's first connection before timing: in the running app it is already open."""
    import sqlalchemy as sa

    from fakturowo_ui.db import session_scope

    with session_scope() as session:
        session.execute(sa.text("SELECT count(*) FROM user"))


def _check_only_victim_gone(path: Path) -> None:
    con = sqlite3.connect(path)
    users = {row[0] for row in con.execute("SELECT id FROM user")}
    items_of_victim = con.execute("SELECT count(*) FROM document WHERE user_id=?", (_victim(),)).fetchone()[0]
    con.close()
    assert users == set(range(1, ACCOUNTS + 1)) - {_victim()}, users
    assert items_of_victim == 0


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--skip-naive-above", type=int, default=10**9)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    import logging
    import warnings

    logging.disable(logging.INFO)
    # The naive loop deletes items the database already cascaded away; SQLAlchemy warns each time.
    warnings.filterwarnings("ignore", message="DELETE statement on table")
    with tempfile.TemporaryDirectory(prefix="bench-deletion-") as tmp:
        workdir = Path(tmp)
        print(
            f"SQLite {sqlite3.sqlite_version}; {ACCOUNTS} accounts per database, each with N documents "
            f"x {ITEMS_PER_DOCUMENT} items, {CLIENTS} clients, {PRODUCTS} products; deleting one of them."
        )
        header = f"{'documents':>10} {'rows':>9} {'confirm':>9} {'erase':>9} {'bare SQL':>9} {'naive':>9} {'erase/bare':>10} {'naive/erase':>11} {'erase us/doc':>12}"
        print(header)
        results = []
        for size in sizes:
            build_start = time.perf_counter()
            template = build_template(workdir, size)
            build = time.perf_counter() - build_start
            # Best of REPEATS on fresh copies: the machine is shared, the minimum is the least noisy.
            confirm = min(measure_confirm(template, workdir)[0] for _ in range(REPEATS))
            erase = min(measure_erase(template, workdir) for _ in range(REPEATS))
            bare = min(measure_bare_sql(template, workdir) for _ in range(REPEATS))
            naive = measure_naive(template, workdir) if size <= args.skip_naive_above else float("nan")
            rows = size * (1 + ITEMS_PER_DOCUMENT) + CLIENTS + PRODUCTS + 2
            results.append((size, erase))
            print(
                f"{size:>10} {rows:>9} {confirm:>8.3f}s {erase:>8.3f}s {bare:>8.3f}s {naive:>8.3f}s "
                f"{erase / bare:>10.2f} {naive / erase:>11.1f} {erase / size * 1e6:>12.1f}"
                f"   (data built in {build:.1f}s)",
                flush=True,
            )
            template.unlink()
        if len(results) > 1:
            (small, t_small), (large, t_large) = results[0], results[-1]
            print(
                f"growth: {large / small:.0f}x the documents took {t_large / t_small:.1f}x the erase time "
                "(linear would be the same factor)"
            )


if __name__ == "__main__":
    main()
