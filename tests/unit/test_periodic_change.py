"""services/periodic_change.py: the opt-in periodic password change as /konto reads and saves it."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from fakturowo_ui.db import session_scope
from fakturowo_ui.models import User
from fakturowo_ui.services import clock, periodic_change
from fakturowo_ui.settings import reset_settings_cache
from tests.unit.factories import as_user, make_user, set_periodic_change


def utc(*args) -> dt.datetime:
    """A naive UTC moment, as stored."""
    return dt.datetime(*args)


def test_switching_off_and_on_does_not_move_the_date(app_env, frozen_clock):
    user_id = make_user("okres@example.com")
    first = set_periodic_change(user_id, True)
    assert first.enabled and first.next_change == clock.today_warsaw() + dt.timedelta(days=365)
    frozen_clock.advance(days=40)
    assert not set_periodic_change(user_id, False).enabled
    frozen_clock.advance(days=3)
    again = set_periodic_change(user_id, True)
    assert again.enabled and again.next_change == first.next_change
    assert not again.due


def test_the_date_follows_the_configured_interval(app_env, frozen_clock, monkeypatch):
    user_id = make_user("okres30@example.com")
    monkeypatch.setenv("FAKTUROWO_PASSWORD_CHANGE_INTERVAL_DAYS", "30")
    reset_settings_cache()
    option = set_periodic_change(user_id, True)
    assert option.next_change == clock.today_warsaw() + dt.timedelta(days=30)
    monkeypatch.setenv("FAKTUROWO_PASSWORD_CHANGE_INTERVAL_DAYS", "0")
    reset_settings_cache()
    with session_scope() as session:
        option = periodic_change.periodic_change_for(session, as_user(user_id))
    assert option.next_change == clock.today_warsaw() and option.due


def test_a_past_date_is_due(app_env, frozen_clock):
    user_id = make_user("stare@example.com")
    with session_scope() as session:
        session.execute(
            sa.update(User).where(User.id == user_id).values(password_changed_at=utc(2024, 11, 23, 12))
        )
    option = set_periodic_change(user_id, True)
    assert option.next_change == dt.date(2025, 11, 23) and option.due


def test_an_account_that_is_gone_reads_and_saves_as_none(app_env, frozen_clock):
    user_id = make_user("znikniete@example.com")
    with session_scope() as session:
        session.execute(sa.delete(User).where(User.id == user_id))
    assert set_periodic_change(user_id, True) is None
    with session_scope() as session:
        assert periodic_change.periodic_change_for(session, as_user(user_id)) is None
