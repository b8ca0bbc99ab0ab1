"""The user's plan: trial, paid period or the free plan, this month's documents left, and the
operator's `python -m fakturowo_ui.jobs set-subscription` that sets a paid period."""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa
from sqlmodel import Session, col

from fakturowo_ui.db import session_scope
from fakturowo_ui.models import Subscription
from fakturowo_ui.services import clock
from fakturowo_ui.services.accounts import find_user
from fakturowo_ui.settings import get_settings

TRIAL = "trial"
ACTIVE = "active"
FREE = "free"


@dataclasses.dataclass(frozen=True)
class PlanStatus:
    """What the "Abonament" region shows."""

    kind: str  # trial | active | free
    last_day: dt.date | None  # the last day of the trial or paid period
    documents_limit: int | None  # None: no monthly limit now
    documents_left: int | None


def subscription_end(subscription: Subscription) -> dt.date:
    """The last day of the current period: the paid period's end if any, else the trial's."""
    if subscription.paid_until is not None:
        return subscription.paid_until
    return subscription.trial_ends_on


def month_key(day: dt.date) -> str:
    """YYYY-MM of a Warsaw calendar day: the month the free plan counts documents in."""
    return f"{day.year:04d}-{day.month:02d}"


def documents_this_month(session: Session, user_id: int, today: dt.date) -> int:
    """Documents the user issued in the Warsaw calendar month of `today` (deleted ones count too)."""
    row = session.execute(
        sa.select(col(Subscription.issued_month), col(Subscription.issued_count)).where(
            col(Subscription.user_id) == user_id
        )
    ).first()
    if row is None or row.issued_month != month_key(today):
        return 0
    return row.issued_count


def record_issued_document(session: Session, user_id: int, today: dt.date) -> None:
    """Count one issued document in this month (inside the issuing transaction)."""
    key = month_key(today)
    session.execute(
        sa.update(Subscription)
        .where(col(Subscription.user_id) == user_id)
        .values(
            issued_count=sa.case(
                (col(Subscription.issued_month) == key, col(Subscription.issued_count) + 1), else_=1
            ),
            issued_month=key,
        ),
        execution_options={"synchronize_session": False},
    )


def plan_status(session: Session, user_id: int, today: dt.date | None = None) -> PlanStatus:
    """The plan on `today` (Warsaw): trial and paid periods have no monthly document limit."""
    today = today or clock.today_warsaw()
    subscription = session.scalars(
        sa.select(Subscription).where(col(Subscription.user_id) == user_id)
    ).first()
    if subscription is not None and subscription.paid_until is not None and today <= subscription.paid_until:
        return PlanStatus(ACTIVE, subscription.paid_until, None, None)
    if subscription is not None and today <= subscription.trial_ends_on:
        return PlanStatus(TRIAL, subscription.trial_ends_on, None, None)
    limit = get_settings().free_documents_per_month
    used = documents_this_month(session, user_id, today)
    return PlanStatus(FREE, None, limit, max(0, limit - used))


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
