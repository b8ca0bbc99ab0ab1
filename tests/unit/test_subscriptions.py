"""services/subscriptions.py: a trial or a paid period has no monthly limit; afterwards the free
plan counts the documents issued in the Warsaw calendar month (deleted ones too) against
FAKTUROWO_FREE_DOCUMENTS_PER_MONTH; the count starts again each month."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlmodel import col

from fakturowo_ui.db import session_scope
from fakturowo_ui.models import Subscription
from fakturowo_ui.services import subscriptions
from fakturowo_ui.settings import reset_settings_cache
from tests.unit.factories import make_user


def _period(user_id: int, *, trial: dt.date, paid: dt.date | None = None) -> None:
    with session_scope() as session:
        session.execute(
            sa.update(Subscription)
            .where(col(Subscription.user_id) == user_id)
            .values(trial_ends_on=trial, paid_until=paid)
        )


def _plan(user_id: int, day: dt.date) -> subscriptions.PlanStatus:
    with session_scope() as session:
        return subscriptions.plan_status(session, user_id, day)


def _issue(user_id: int, day: dt.date, times: int = 1) -> None:
    for _ in range(times):
        with session_scope() as session:
            subscriptions.record_issued_document(session, user_id, day)


@pytest.mark.parametrize(
    "day, key",
    [(dt.date(2026, 11, 23), "2026-11"), (dt.date(2027, 1, 1), "2027-01"), (dt.date(987, 5, 9), "0987-05")],
)
def test_the_month_key(day, key):
    assert subscriptions.month_key(day) == key


def test_the_trial_then_a_paid_period_have_no_limit_through_their_last_day(app_env):
    user = make_user("ania@example.com")
    _period(user, trial=dt.date(2026, 11, 30))
    assert _plan(user, dt.date(2026, 11, 30)) == subscriptions.PlanStatus(
        "trial", dt.date(2026, 11, 30), None, None
    )
    _period(user, trial=dt.date(2026, 11, 30), paid=dt.date(2027, 2, 28))
    assert _plan(user, dt.date(2026, 11, 1)) == subscriptions.PlanStatus(
        "active", dt.date(2027, 2, 28), None, None
    )
    assert _plan(user, dt.date(2027, 2, 28)).kind == "active"
    assert _plan(user, dt.date(2027, 3, 1)) == subscriptions.PlanStatus("free", None, 5, 5)


def test_a_paid_period_that_ended_before_the_trial_does_not_cut_the_trial(app_env):
    user = make_user("ania@example.com")
    _period(user, trial=dt.date(2026, 12, 31), paid=dt.date(2026, 11, 1))
    assert _plan(user, dt.date(2026, 12, 1)) == subscriptions.PlanStatus(
        "trial", dt.date(2026, 12, 31), None, None
    )


def test_the_end_of_the_subscription_is_the_paid_periods_if_any():
    trial = Subscription(user_id=1, trial_ends_on=dt.date(2026, 12, 31))
    assert subscriptions.subscription_end(trial) == dt.date(2026, 12, 31)
    paid = Subscription(user_id=1, trial_ends_on=dt.date(2026, 12, 31), paid_until=dt.date(2027, 12, 31))
    assert subscriptions.subscription_end(paid) == dt.date(2027, 12, 31)


def test_the_free_plan_counts_this_months_documents_and_starts_again_next_month(app_env, monkeypatch):
    monkeypatch.setenv("FAKTUROWO_FREE_DOCUMENTS_PER_MONTH", "3")
    reset_settings_cache()
    user, other = make_user("ania@example.com"), make_user("bartek@example.com")
    _period(user, trial=dt.date(2026, 10, 31))
    _issue(user, dt.date(2026, 10, 31), times=2)  # in the trial's last month: a month of its own
    _issue(user, dt.date(2026, 11, 1), times=2)
    _issue(other, dt.date(2026, 11, 2), times=3)
    with session_scope() as session:
        assert subscriptions.documents_this_month(session, user, dt.date(2026, 11, 30)) == 2
        assert (
            subscriptions.documents_this_month(session, user, dt.date(2026, 10, 15)) == 0
        )  # only one month is kept
    assert _plan(user, dt.date(2026, 11, 30)) == subscriptions.PlanStatus("free", None, 3, 1)
    _issue(user, dt.date(2026, 11, 30), times=2)
    assert _plan(user, dt.date(2026, 11, 30)).documents_left == 0  # never negative
    assert _plan(user, dt.date(2026, 12, 1)) == subscriptions.PlanStatus("free", None, 3, 3)
    _issue(user, dt.date(2026, 12, 1))
    assert _plan(user, dt.date(2026, 12, 1)).documents_left == 2


def test_the_period_ends_at_the_paid_end_once_one_exists():
    trial = Subscription(user_id=1, trial_ends_on=dt.date(2027, 3, 3))
    assert subscriptions.subscription_end(trial) == dt.date(2027, 3, 3)
    paid = Subscription(user_id=1, trial_ends_on=dt.date(2027, 3, 3), paid_until=dt.date(2028, 1, 31))
    assert subscriptions.subscription_end(paid) == dt.date(2028, 1, 31)
