"""services/consents.py: both consents saved at once, a record of each change (what, when, where
from) and nothing for a save that changes nothing; the time of each consent's last change read
from the user's row."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlmodel import col

from fakturowo_ui.db import session_scope
from fakturowo_ui.models import ConsentRecord, User
from fakturowo_ui.services import consents
from tests.unit.factories import count_rows, make_user


def _save(user_id: int, reminders: bool, info: bool, source: str = "account") -> bool:
    with session_scope() as session:
        return consents.save(session, user_id, reminders=reminders, info=info, source=source)


def _records(user_id: int) -> list[tuple[str, bool, dt.datetime, str]]:
    with session_scope() as session:
        rows = session.scalars(
            sa.select(ConsentRecord)
            .where(col(ConsentRecord.user_id) == user_id)
            .order_by(col(ConsentRecord.id))
        ).all()
        return [(str(r.consent), r.given, r.at, str(r.source)) for r in rows]


def test_each_change_is_recorded_with_its_time_and_source(app_env, frozen_clock):
    user = make_user("ania@example.com")
    t0 = frozen_clock.now()
    assert _save(user, True, False, "registration")
    frozen_clock.advance(days=3)
    assert _save(user, True, True)
    frozen_clock.advance(days=1)
    assert _save(user, False, False, "unsubscribe")
    assert _records(user) == [
        ("reminders", True, t0, "registration"),
        ("info", True, t0 + dt.timedelta(days=3), "account"),
        ("reminders", False, t0 + dt.timedelta(days=4), "unsubscribe"),
        ("info", False, t0 + dt.timedelta(days=4), "unsubscribe"),
    ]
    with session_scope() as session:
        row = session.get_one(User, user)
        assert (row.reminder_consent, row.info_consent) == (False, False)
        assert consents.last_changes(session, user) == {
            "reminders": t0 + dt.timedelta(days=4),
            "info": t0 + dt.timedelta(days=4),
        }


def test_a_save_that_changes_nothing_records_nothing(app_env, frozen_clock):
    user = make_user("ania@example.com")
    assert not _save(user, False, False)  # the defaults: both off
    assert _save(user, True, False)
    frozen_clock.advance(hours=1)
    assert not _save(user, True, False)
    assert len(_records(user)) == 1
    with session_scope() as session:
        assert consents.last_changes(session, user) == {"reminders": dt.datetime(2026, 11, 23, 12, 0)}


def test_consents_never_changed_have_no_time_and_an_unknown_user_none(app_env):
    user = make_user("ania@example.com")
    with session_scope() as session:
        assert consents.last_changes(session, user) == {}
        assert consents.last_changes(session, 999_999) == {}
        assert not consents.save(session, 999_999, reminders=True, info=True, source="account")
    assert count_rows(ConsentRecord) == 0


def test_an_unknown_source_is_a_programming_error_and_changes_nothing(app_env):
    user = make_user("ania@example.com")
    with pytest.raises(ValueError):
        _save(user, True, True, "newsletter")
    assert _records(user) == []
    with session_scope() as session:
        row = session.get_one(User, user)
        assert (row.reminder_consent, row.info_consent) == (False, False)


def test_a_save_keeps_a_user_loaded_in_the_same_transaction_current(app_env, frozen_clock):
    """The save writes with SQL statements; a User the transaction already holds shows the new
    values, and nothing else of it is lost."""
    user_id = make_user("zaladowany@example.com")
    with session_scope() as session:
        user = session.get_one(User, user_id)
        assert (user.reminder_consent, user.info_consent) == (False, False)
        stored = consents.store(session, user_id, reminders=True, info=False, source="account")
        assert stored is not None and stored.changed
        assert (user.reminder_consent, user.info_consent) == (True, False)
        assert user.reminder_consent_changed_at == frozen_clock.now()
        assert user.email == "zaladowany@example.com"
    with session_scope() as session:
        assert session.get_one(User, user_id).reminder_consent is True
