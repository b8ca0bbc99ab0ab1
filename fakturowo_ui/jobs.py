"""Operator commands and scheduled work: `python -m fakturowo_ui.jobs daily|set-subscription|unblock-address`.

`daily` runs every task due on a date (default: today in Europe/Warsaw). Each task is safe to run
twice and at once on two machines: what it sends is recorded under a unique key before it counts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from collections.abc import Callable

from fakturowo_ui.db import session_scope
from fakturowo_ui.files import restrict_new_files
from fakturowo_ui.logging_setup import install_redaction
from fakturowo_ui.services import clock, mail, onetime, ratelimit, security_log, sessions
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.settings import SettingsError

log = logging.getLogger("fakturowo.jobs")

DailyTask = Callable[[dt.date], str]


def clean_up_expired(day: dt.date) -> str:
    """Delete expired links, sessions and rate-limit counts, and the security history's events
    older than its 90 days."""
    with session_scope() as session:
        tokens = onetime.purge_expired(session)
        ended = sessions.purge_expired(session)
        hits = ratelimit.purge_expired(session)
        events = security_log.purge_old(session)
    return (
        f"clean-up: {tokens} links, {ended} sessions, {hits} rate-limit entries, "
        f"{events} security events older than 90 days removed"
    )


def local_housekeeping(_day: dt.date | None = None) -> str:
    """Per host: exports past their hour go, and a deletion's pages leave SQLite's WAL (retried
    until no reader holds them; VACUUM on PostgreSQL). The app's scheduler runs it every check."""
    from fakturowo_ui.services import deletion, export

    removed = export.purge_stale()
    flushed = deletion.flush_deleted_pages(attempts=5)
    return f"housekeeping: {removed} stale exports removed, deleted pages {'flushed' if flushed else 'still waiting for a reader'}"


# Every task of the daily run, in order. Each returns a one-line summary for the operator.
DAILY_TASKS: list[DailyTask] = [clean_up_expired, local_housekeeping]


def password_change_notices(day: dt.date) -> str:
    """Passwords (issue 4): "Za 14 dni zmiana hasła" before a forced change, once per cycle."""
    from fakturowo_ui.services.password_notices import password_change_notices as task

    return task(day)


DAILY_TASKS.append(password_change_notices)


def subscription_reminders(day: dt.date) -> str:
    """Consents and reminders (issue 5): "Twój abonament kończy się za 30/5 dni", consent-gated."""
    from fakturowo_ui.services.reminders import subscription_reminders as task

    return task(day)


def review_requests(day: dt.date) -> str:
    """Consents and reminders (issue 5): "Podziel się opinią o Fakturowo", consent-gated."""
    from fakturowo_ui.services.reviews import review_requests as task

    return task(day)


DAILY_TASKS.extend([subscription_reminders, review_requests])


def run_daily(day: dt.date) -> list[str]:
    """Run every daily task for `day`; one failing task does not stop the others."""
    summaries = []
    with mail.batch():  # one SMTP connection for the whole run, not one per mail
        for task in DAILY_TASKS:
            try:
                summaries.append(task(day))
            except Exception as error:  # noqa: BLE001 - report and go on with the next task
                log.exception("daily task %s failed", task.__name__)
                summaries.append(f"{task.__name__}: FAILED ({type(error).__name__})")
    return summaries


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {value!r}") from None


def build_parser() -> argparse.ArgumentParser:
    """The command line of the operator commands."""
    parser = argparse.ArgumentParser(prog="python -m fakturowo_ui.jobs", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    daily = commands.add_parser("daily", help="run all daily work due on a date")
    daily.add_argument("--date", type=_date, default=None, help="YYYY-MM-DD (default: today in Warsaw)")
    subscription = commands.add_parser("set-subscription", help="set a paid period's last day")
    subscription.add_argument("--email", required=True)
    subscription.add_argument("--until", type=_date, required=True)
    unblock = commands.add_parser("unblock-address", help="let a blocked address register again")
    unblock.add_argument("--email", required=True)
    return parser


def _unblock(args: argparse.Namespace) -> str:
    from fakturowo_ui.services.deletion import unblock_address

    if unblock_address(args.email):
        return "unblocked: the address may register again"
    return "not blocked: nothing to do"


def _set_subscription(args: argparse.Namespace) -> str:
    from fakturowo_ui.services.subscriptions import set_paid_until

    try:
        user_id = set_paid_until(args.email, args.until)
    except LookupError:
        raise ValueError("no account has the address given with --email") from None
    return f"subscription of user ID {user_id}: paid until {args.until.isoformat()}"


COMMANDS: dict[str, Callable[[argparse.Namespace], str]] = {
    "set-subscription": _set_subscription,
    "daily": lambda args: "\n".join(run_daily(args.date or clock.today_warsaw())),
    "unblock-address": _unblock,
}


def main(argv: list[str] | None = None) -> int:
    """Run one operator command; exit code 0 on success, 1 on a refused command, 2 on bad usage."""
    restrict_new_files()  # the database and the outbox's mail: the user's only
    install_redaction()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    handler = COMMANDS.get(args.command)
    if handler is None:
        print(f"{args.command}: not available yet", file=sys.stderr)
        return 1
    try:
        print(handler(args))
    except (DomainError, SettingsError, ValueError) as error:
        print(f"error: {error.message() if isinstance(error, DomainError) else error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
