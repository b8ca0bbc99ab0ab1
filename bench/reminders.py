"""Benchmark: the daily reminder selection at 100,000 users, and the send rate through a local SMTP server.

Builds a migrated SQLite database with --users accounts (registered over the last 400 days, 60 %
with the reminder consent, 40 % with the informational one, half on a paid period ending within
a year, review requests already sent to most older users), then prints:
  - select: the time to find the due subscription reminders and review requests for one day
            (services/reminders.due_reminders, reviews.due_reviews; best of 5), with SQLite's query plan,
            and the same without the 0002 indexes for comparison;
  - send:   mails per second for --send reminders through the whole path (claim in sent_notice,
            consent gate, render, SMTP to a mail server on loopback that discards the mail
            (bench/_smtp_sink.py, in a process of its own), confirm).

Needs only `make setup` (no test dependencies).
Run: .venv/bin/python bench/reminders.py [--users 100000] [--send 1000]
"""

from __future__ import annotations

import datetime as dt
import os
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _servers import argument_parser, free_port, migrate  # noqa: E402

DAY = dt.date(2026, 11, 23)
REPEATS = 5
T = TypeVar("T")
INDEXES = {
    "ix_subscription_paid_until_trial_ends_on": "subscription (paid_until, trial_ends_on)",
    "ix_user_info_consent_created_at": '"user" (info_consent, created_at)',
}


def _configure(workdir: Path, db_file: Path, smtp_env: dict[str, str] | None = None) -> None:
    os.environ["FAKTUROWO_VAR_DIR"] = str(workdir / "var")
    os.environ["REFLEX_DB_URL"] = f"sqlite:///{db_file}"
    os.environ["FAKTUROWO_SECRET_KEY"] = "benchmark-secret-key-0123456789abcdef0123"
    os.environ["FAKTUROWO_RATE_LIMITS"] = "off"
    for key in ("FAKTUROWO_SMTP_HOST", "FAKTUROWO_SMTP_PORT", "FAKTUROWO_SMTP_SECURITY"):
        os.environ.pop(key, None)
    os.environ.update(smtp_env or {})
    from fakturowo_ui import db
    from fakturowo_ui.settings import reset_settings_cache

    reset_settings_cache()
    db.reset_engine()


def build(workdir: Path, users: int) -> Path:
    """A migrated database with `users` accounts and their subscriptions and sent notices."""
    path = workdir / "reminders.db"
    _configure(workdir, path)
    migrate(f"sqlite:///{path}")
    rng = random.Random(5)
    user_rows, subscription_rows, notice_rows = [], [], []
    for user_id in range(1, users + 1):
        registered = dt.datetime.combine(DAY, dt.time(10)) - dt.timedelta(
            days=rng.randrange(0, 400), minutes=rng.randrange(0, 600)
        )
        reminders, info = rng.random() < 0.6, rng.random() < 0.4
        user_rows.append(
            (user_id, f"user{user_id}@example.com", "x", registered, registered, registered, reminders, info)
        )
        trial_end = registered.date() + dt.timedelta(days=100)
        paid = DAY + dt.timedelta(days=rng.randrange(-30, 365)) if rng.random() < 0.5 else None
        subscription_rows.append((user_id, trial_end, paid))
        if info and (DAY - registered.date()).days > 20 and rng.random() < 0.9:
            notice_rows.append((user_id, "review", "once", registered, registered))
    con = sqlite3.connect(path)
    con.executemany(
        'INSERT INTO "user" (id, email, password_hash, created_at, email_confirmed_at, '
        "password_changed_at, reminder_consent, info_consent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        user_rows,
    )
    con.executemany(
        "INSERT INTO subscription (user_id, trial_ends_on, paid_until) VALUES (?, ?, ?)", subscription_rows
    )
    con.executemany(
        "INSERT INTO sent_notice (user_id, kind, period_key, sent_at, confirmed_at) VALUES (?, ?, ?, ?, ?)",
        notice_rows,
    )
    con.commit()
    con.execute("ANALYZE")
    con.close()
    return path


def _best_of(fn: Callable[[], T]) -> tuple[float, T]:
    """The fastest of REPEATS calls, in seconds, and what the last one returned."""
    started = time.perf_counter()
    result = fn()
    best = time.perf_counter() - started
    for _ in range(REPEATS - 1):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def _plans(path: Path) -> list[str]:
    """SQLite's plan for the statements due_reminders and due_reviews run."""
    from sqlalchemy import event

    from fakturowo_ui import db
    from fakturowo_ui.services import reminders, reviews

    captured: list[tuple[str, Any]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    engine = db.get_engine()
    event.listen(engine, "before_cursor_execute", capture)
    try:
        reminders.due_reminders(DAY)
        reviews.due_reviews(DAY)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    con = sqlite3.connect(path)
    lines = []
    for statement, parameters in captured:
        for row in con.execute("EXPLAIN QUERY PLAN " + statement, parameters):
            lines.append(row[-1])
    con.close()
    return lines


def measure_selection(path: Path, label: str) -> None:
    from fakturowo_ui.services.reminders import due_reminders
    from fakturowo_ui.services.reviews import due_reviews

    reminders_s, reminders = _best_of(lambda: due_reminders(DAY))
    reviews_s, reviews = _best_of(lambda: due_reviews(DAY))
    kinds = {}
    for _user, kind, _last in reminders:
        kinds[kind] = kinds.get(kind, 0) + 1
    print(
        f"select ({label}): due reminders {len(reminders)} {kinds} in {reminders_s * 1000:.1f} ms; "
        f"due review requests {len(reviews)} in {reviews_s * 1000:.1f} ms"
    )


def _smtp_server() -> tuple[subprocess.Popen, dict[str, str]]:
    """bench/_smtp_sink.py in its own process (as a real mail server would be), accepting and
    discarding mail."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve().with_name("_smtp_sink.py")), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("the local SMTP server did not start") from None
            time.sleep(0.1)
    env = {
        "FAKTUROWO_SMTP_HOST": "127.0.0.1",
        "FAKTUROWO_SMTP_PORT": str(port),
        "FAKTUROWO_SMTP_SECURITY": "none",
    }
    return process, env


def _send_all(due) -> tuple[dict[str, int], float]:
    from fakturowo_ui import routes
    from fakturowo_ui.services import notice_claims, reminders
    from fakturowo_ui.services.consents import Consent

    outcomes: dict[str, int] = {}
    started = time.perf_counter()
    for user_id, kind, last_day in due:
        claim_id = reminders._claim_reminder(user_id, kind, last_day, DAY)
        if claim_id is None:
            continue
        outcome = notice_claims.send_claimed(
            claim_id,
            user_id,
            Consent.REMINDERS,
            "subscription_reminder",
            reminder=reminders.REMINDER_WINDOWS[kind][0],
            date=last_day,
            days=(last_day - DAY).days,
            account_url=routes.ACCOUNT,
        )
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes, time.perf_counter() - started


def measure_send(path: Path, workdir: Path, count: int) -> None:
    """Send `count` due reminders: half with a connection per mail, half over one connection
    (mail.batch(), as the daily run sends), to compare the two in the same run."""
    process, smtp_env = _smtp_server()
    try:
        _configure(workdir, path, smtp_env)
        from fakturowo_ui.services import mail, reminders

        due = reminders.due_reminders(DAY)[:count]
        half = len(due) // 2
        results = {"a connection per mail": _send_all(due[:half])}
        with mail.batch():
            results["one connection for the run (mail.batch)"] = _send_all(due[half:])
    finally:
        process.terminate()
        process.wait(timeout=10)
    for label, (outcomes, elapsed) in results.items():
        sent = outcomes.get("sent", 0)
        print(
            f"send, {label}: {sent} reminders in {elapsed:.2f} s = {sent / elapsed:.0f} mails/s, "
            f"{elapsed / max(sent, 1) * 1000:.1f} ms each (claim + consent gate + render + SMTP to "
            f"a discarding server on loopback + confirm); failed: {outcomes.get('failed', 0)}"
        )


def main() -> None:
    parser = argument_parser(__doc__, summary_only=True)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--send", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-reminders-") as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        path = build(workdir, args.users)
        print(
            f"built {args.users} users with subscriptions in {time.perf_counter() - started:.1f} s "
            f"(day {DAY.isoformat()}, SQLite {sqlite3.sqlite_version})"
        )
        _configure(workdir, path)
        for line in _plans(path):
            print(f"  plan: {line}")
        measure_selection(path, "with the 0002 indexes")
        con = sqlite3.connect(path)
        for name in INDEXES:
            con.execute(f"DROP INDEX {name}")
        con.commit()
        con.close()
        _configure(workdir, path)
        measure_selection(path, "without them, for comparison")
        con = sqlite3.connect(path)
        for name, on in INDEXES.items():
            con.execute(f"CREATE INDEX {name} ON {on}")
        con.execute("ANALYZE")
        con.commit()
        con.close()
        _configure(workdir, path)
        measure_send(path, workdir, args.send)


if __name__ == "__main__":
    main()
