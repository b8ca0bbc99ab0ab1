"""Consent-gated mail and the daily work that sends it: subscription reminders and the review request.

Every mail that is not a security notice (address confirmation, deletion, password) goes through
`send_consented`, the one gate: it reads the consent at the moment of sending, and adds the
unsubscribe headers (RFC 2369 / RFC 8058) and a link in the body.

A scheduled mail goes out at most once per user, kind and period, also when two runs overlap on
two machines: a run first claims it by inserting a sent_notice row (unique user/kind/period), sends,
and then confirms the row. A failed send deletes the claim, so the next run tries again; a claim
left unconfirmed by a run that died mid-send is taken over after CLAIM_TIMEOUT.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import logging
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from fakturowo_ui import routes
from fakturowo_ui.db import rows_changed, session_scope
from fakturowo_ui.i18n import t
from fakturowo_ui.models import SentNotice, Subscription, User
from fakturowo_ui.services import clock, mail, subscriptions, unsubscribe
from fakturowo_ui.services.accounts import find_user
from fakturowo_ui.services.consents import Consent
from fakturowo_ui.settings import get_settings

log = logging.getLogger("fakturowo.notices")


class NoticeKind(enum.StrEnum):
    """What went out: its value is what sent_notice.kind holds."""

    REMINDER_30 = "reminder-30"
    REMINDER_5 = "reminder-5"
    REVIEW = "review"
    # The 14-day notice of a forced password change (services/password_notices.py).
    PASSWORD_CHANGE = "password-change"


# The period key of the review request: it goes out once per user, ever.
REVIEW_PERIOD = "once"
# The review request goes out from this many days after the registration day (Warsaw).
REVIEW_AFTER_DAYS = 14
# A claim older than this without a confirmation belongs to a run that died mid-send.
CLAIM_TIMEOUT = dt.timedelta(hours=1)

# kind -> (first, last) number of days before the period's last day on which it is due.
REMINDER_WINDOWS = {NoticeKind.REMINDER_30: (30, 6), NoticeKind.REMINDER_5: (5, 1)}
_REMINDER_SUBJECTS = {
    NoticeKind.REMINDER_30: "mail.reminder_30.subject",
    NoticeKind.REMINDER_5: "mail.reminder_5.subject",
}


# -- the rules -------------------------------------------------------------------------------------


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


def review_due(day: dt.date, registered_on: dt.date) -> bool:
    """Whether the review request may go out on `day` (once, from 14 days after registration)."""
    return day >= registered_on + dt.timedelta(days=REVIEW_AFTER_DAYS)


def has_consent(user: User, consent: Consent) -> bool:
    """The consent's current value on the user row."""
    return bool(getattr(user, Consent(consent).column))


# -- the gate ----------------------------------------------------------------------------------


def unsubscribe_headers(url: str) -> dict[str, str]:
    """List-Unsubscribe with the https (in production) URL, and the one-click marker."""
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def send_consented(user_id: int, consent: Consent, template: str, subject: str, **params: str) -> bool:
    """Send a consent-gated mail if the user holds `consent` right now; False if not sent.

    The template gets `unsubscribe_url` besides `params`. Raises mail.MailError when the SMTP
    server does not take the mail.
    """
    with session_scope() as session:
        user = session.get(User, user_id)
        if user is None or not has_consent(user, consent):
            return False
        email = user.email
    url = unsubscribe.link(user_id, consent)
    letter = mail.render(
        template,
        to=email,
        subject=subject,
        headers=unsubscribe_headers(url),
        unsubscribe_url=url,
        **params,
    )
    mail.send(letter)
    return True


# -- claim, send, confirm ------------------------------------------------------------------------


def claim(session: Session, user_id: int, kind: NoticeKind, period_key: str) -> int | None:
    """Insert the claim row in the caller's (write-locked) transaction; None if taken."""
    now = clock.now()
    existing = session.scalars(
        sa.select(SentNotice).where(
            col(SentNotice.user_id) == user_id,
            col(SentNotice.kind) == kind,
            col(SentNotice.period_key) == period_key,
        )
    ).first()
    if existing is not None:
        if existing.confirmed_at is not None or existing.sent_at > now - CLAIM_TIMEOUT:
            return None
        # Abandoned by a run that died mid-send: take it over (only one run deletes the row).
        gone = session.execute(
            sa.delete(SentNotice).where(
                col(SentNotice.id) == existing.id, col(SentNotice.confirmed_at).is_(None)
            )
        )
        if rows_changed(gone) != 1:
            return None
        log.warning("taking over an abandoned %s claim user_id=%s", kind, user_id)
    notice = SentNotice(user_id=user_id, kind=kind, period_key=period_key, sent_at=now)
    session.add(notice)
    session.flush()
    return notice.id


def _confirm(claim_id: int) -> None:
    with session_scope() as session:
        session.execute(
            sa.update(SentNotice)
            .where(col(SentNotice.id) == claim_id)
            .values(sent_at=clock.now(), confirmed_at=clock.now())
        )


def _release(claim_id: int) -> None:
    with session_scope() as session:
        session.execute(sa.delete(SentNotice).where(col(SentNotice.id) == claim_id))


def deliver_under_claim(claim_id: int, send: Callable[[], bool]) -> str:
    """Run `send` under a claim: "sent" (confirmed), "skipped" or "failed" (claim released).

    `send` returns whether a mail went out; a MailError means the SMTP server did not take it,
    so the next run tries again.
    """
    try:
        sent = send()
    except mail.MailError:
        _release(claim_id)
        return "failed"
    except BaseException:
        _release(claim_id)
        raise
    if not sent:
        _release(claim_id)
        return "skipped"
    _confirm(claim_id)
    return "sent"


def _send_claimed(
    claim_id: int, user_id: int, consent: Consent, template: str, subject: str, **params: str
) -> str:
    """Send through the gate under a claim; a withdrawn consent means nothing goes out."""
    return deliver_under_claim(
        claim_id, lambda: send_consented(user_id, consent, template, subject, **params)
    )


@dataclasses.dataclass
class RunSummary:
    """What one task did in one run."""

    sent: int = 0
    failed: int = 0
    skipped: int = 0

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


def _settled() -> sa.ColumnElement[bool]:
    """A sent_notice row that stands: confirmed, or a claim young enough to be still sending."""
    return sa.or_(
        col(SentNotice.confirmed_at).is_not(None), col(SentNotice.sent_at) > clock.now() - CLAIM_TIMEOUT
    )


# -- subscription reminders ----------------------------------------------------------------------


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
                    _settled(),
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
        outcome = _send_claimed(
            claim_id,
            user_id,
            Consent.REMINDERS,
            "subscription_reminder",
            t(_REMINDER_SUBJECTS[kind]),
            date=clock.format_date(last_day),
            days=str((last_day - day).days),
            account_url=get_settings().link(routes.ACCOUNT),
        )
        summary.add(outcome)
    return summary


def subscription_reminders(day: dt.date) -> str:
    """The daily task: "Twój abonament kończy się za 30/5 dni"."""
    return _summary("subscription reminders", send_reminders(day))


# -- the review request (informational) ---------------------------------------------------------


def _registered_before(day: dt.date) -> dt.datetime:
    """Naive UTC start of the Warsaw day after the last registration day due for a review on `day`."""
    next_day = day - dt.timedelta(days=REVIEW_AFTER_DAYS - 1)
    return clock.to_utc_naive(dt.datetime(next_day.year, next_day.month, next_day.day, tzinfo=clock.WARSAW))


def due_reviews(day: dt.date) -> list[int]:
    """IDs of users due for the review request on `day` (info consent, confirmed, not yet sent)."""
    already = (
        sa.select(col(SentNotice.id))
        .where(
            col(SentNotice.user_id) == col(User.id),
            col(SentNotice.kind) == NoticeKind.REVIEW,
            col(SentNotice.period_key) == REVIEW_PERIOD,
            _settled(),
        )
        .exists()
    )
    with session_scope() as session:
        return list(
            session.scalars(
                sa.select(col(User.id))
                .where(
                    col(User.info_consent).is_(True),
                    col(User.created_at) < _registered_before(day),
                    col(User.email_confirmed_at).is_not(None),
                    ~already,
                )
                .order_by(col(User.id))
            ).all()
        )


def _claim_review(user_id: int, day: dt.date) -> int | None:
    try:
        with session_scope(write_lock=True) as session:
            user = session.get(User, user_id)
            if user is None or not review_due(day, clock.warsaw_date(user.created_at)):
                return None
            return claim(session, user_id, NoticeKind.REVIEW, REVIEW_PERIOD)
    except IntegrityError:
        return None


def send_review_requests(day: dt.date) -> RunSummary:
    """Send "Podziel się opinią o Fakturowo" to every user due on `day`, once per user ever."""
    summary = RunSummary()
    for user_id in due_reviews(day):
        claim_id = _claim_review(user_id, day)
        if claim_id is None:
            continue
        summary.add(
            _send_claimed(
                claim_id,
                user_id,
                Consent.INFO,
                "review_request",
                t("mail.review.subject"),
                action_url=get_settings().link(routes.HOME),
                account_url=get_settings().link(routes.ACCOUNT),
            )
        )
    return summary


def review_requests(day: dt.date) -> str:
    """The daily task: the informational "Podziel się opinią o Fakturowo"."""
    return _summary("review requests", send_review_requests(day))


def _summary(name: str, summary: RunSummary) -> str:
    text = f"{name}: {summary.sent} sent"
    if summary.skipped:
        text += f", {summary.skipped} skipped (consent withdrawn)"
    if summary.failed:
        text += f", {summary.failed} failed (retried next run)"
    return text


# -- the operator's set-subscription ------------------------------------------------------------


def set_paid_until(email: str, until: dt.date) -> int:
    """Set the last day of the paid period of the account with this address; returns its ID.

    Raises LookupError when no account has the address.
    """
    with session_scope(write_lock=True) as session:
        user = find_user(session, email)
        if user is None:
            raise LookupError("no account has this address")
        subscription = session.scalars(
            sa.select(Subscription).where(col(Subscription.user_id) == user.id)
        ).first()
        if subscription is None:
            trial_end = clock.warsaw_date(user.created_at) + dt.timedelta(days=get_settings().trial_days)
            subscription = Subscription(user_id=user.id, trial_ends_on=trial_end)
        subscription.paid_until = until
        session.add(subscription)
        return user.id
