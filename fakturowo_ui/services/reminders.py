"""The subscription reminders "Twój abonament kończy się za 30/5 dni": due dates, selection, sending.

Consent-gated (the reminder consent) and sent at most once per user and period through the
claim machinery of services/notice_claims.py.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from fakturowo_ui import routes
from fakturowo_ui.db import session_scope
from fakturowo_ui.models import SentNotice, Subscription, User
from fakturowo_ui.services import subscriptions
from fakturowo_ui.services.consents import Consent
from fakturowo_ui.services.notice_claims import NoticeKind, RunSummary, claim, send_claimed, settled

# kind -> (first, last) number of days before the period's last day on which it is due.
REMINDER_WINDOWS = {NoticeKind.REMINDER_30: (30, 6), NoticeKind.REMINDER_5: (5, 1)}


def reminder_due(day: dt.date, last_day: dt.date) -> NoticeKind | None:
    """The reminder due on `day` for a period whose last day is `last_day`, or None.

    30 to 6 days before: the 30-day one; 5 to 1 days before: the 5-day one (so never both in one
    run, and a run that missed the first window sends only the later one); nothing on or after.
    """
    days_left = (last_day - day).days
    for kind, (first, last) in REMINDER_WINDOWS.items():
        if last <= days_left <= first:
            return kind
    return None


def due_reminders(day: dt.date) -> list[tuple[int, NoticeKind, dt.date]]:
    """(user ID, kind, last day) of every reminder due on `day` and not yet sent.

    Users with the reminder consent and a confirmed address whose period (paid, else trial) ends
    in a window; two range scans of ix_subscription_paid_until_trial_ends_on, one per kind.
    """
    found: list[tuple[int, NoticeKind, dt.date]] = []
    with session_scope() as session:
        for kind, (first, last) in REMINDER_WINDOWS.items():
            start, end = day + dt.timedelta(days=last), day + dt.timedelta(days=first)
            paid = sa.select(
                col(Subscription.user_id).label("user_id"), col(Subscription.paid_until).label("last_day")
            ).where(col(Subscription.paid_until).between(start, end))
            trial = sa.select(
                col(Subscription.user_id).label("user_id"), col(Subscription.trial_ends_on).label("last_day")
            ).where(
                col(Subscription.paid_until).is_(None), col(Subscription.trial_ends_on).between(start, end)
            )
            periods = sa.union_all(paid, trial).subquery()
            already = (
                sa.select(col(SentNotice.id))
                .where(
                    col(SentNotice.user_id) == periods.c.user_id,
                    col(SentNotice.kind) == kind,
                    col(SentNotice.period_key) == sa.cast(periods.c.last_day, sa.String),
                    settled(),
                )
                .exists()
            )
            rows = session.execute(
                sa.select(periods.c.user_id, periods.c.last_day)
                .join(User, col(User.id) == periods.c.user_id)
                .where(
                    col(User.reminder_consent).is_(True), col(User.email_confirmed_at).is_not(None), ~already
                )
                .order_by(periods.c.user_id)
            ).all()
            found.extend((user_id, kind, last_day) for user_id, last_day in rows)
    return found


def _claim_reminder(user_id: int, kind: NoticeKind, last_day: dt.date, day: dt.date) -> int | None:
    try:
        with session_scope(write_lock=True) as session:
            subscription = session.scalars(
                sa.select(Subscription).where(col(Subscription.user_id) == user_id)
            ).first()
            # The period may have changed since the selection (set-subscription): check again.
            if subscription is None or subscriptions.subscription_end(subscription) != last_day:
                return None
            if reminder_due(day, last_day) != kind:
                return None
            return claim(session, user_id, kind, last_day.isoformat())
    except IntegrityError:
        return None


def send_reminders(day: dt.date) -> RunSummary:
    """Send every subscription reminder due on `day`, each at most once per user and period."""
    summary = RunSummary()
    for user_id, kind, last_day in due_reminders(day):
        claim_id = _claim_reminder(user_id, kind, last_day, day)
        if claim_id is None:
            continue
        outcome = send_claimed(
            claim_id,
            user_id,
            Consent.REMINDERS,
            "subscription_reminder",
            reminder=REMINDER_WINDOWS[kind][0],  # 30 or 5: the subject says which reminder it is
            date=last_day,
            days=(last_day - day).days,
            account_url=routes.ACCOUNT,
        )
        summary.add(outcome)
    return summary


def subscription_reminders(day: dt.date) -> str:
    """The daily task: "Twój abonament kończy się za 30/5 dni"."""
    return send_reminders(day).line("subscription reminders")
