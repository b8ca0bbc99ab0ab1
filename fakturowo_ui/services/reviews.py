"""The informational review request "Podziel się opinią o Fakturowo": once per user, ever.

It goes out from 14 days after registration to users with the informational consent, through the
claim machinery of services/notice_claims.py.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from fakturowo_ui import routes
from fakturowo_ui.db import session_scope
from fakturowo_ui.models import SentNotice, User
from fakturowo_ui.services import clock
from fakturowo_ui.services.consents import Consent
from fakturowo_ui.services.notice_claims import NoticeKind, RunSummary, claim, send_claimed, settled

# The period key of the review request: it goes out once per user, ever.
REVIEW_PERIOD = "once"
# The review request goes out from this many days after the registration day (Warsaw).
REVIEW_AFTER_DAYS = 14


def review_due(day: dt.date, registered_on: dt.date) -> bool:
    """Whether the review request may go out on `day` (once, from 14 days after registration)."""
    return day >= registered_on + dt.timedelta(days=REVIEW_AFTER_DAYS)


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
            settled(),
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
            send_claimed(
                claim_id,
                user_id,
                Consent.INFO,
                "review_request",
                action_url=routes.FEEDBACK,
                account_url=routes.ACCOUNT,
            )
        )
    return summary


def review_requests(day: dt.date) -> str:
    """The daily task: the informational "Podziel się opinią o Fakturowo"."""
    return send_review_requests(day).line("review requests")
