"""services/as_user.py: a private event's session check and work in one transaction: no live session,
no work; a session that must change its password first gets nothing unless allowed; the work's
writes commit with it or roll back when it raises; the last-activity time is written at most once
every sessions.TOUCH_INTERVAL."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlmodel import col

from fakturowo_ui.db import session_scope
from fakturowo_ui.models import AuthSession, Client
from fakturowo_ui.services import as_user, clients, sessions
from fakturowo_ui.services.tokens import digest, new_token
from tests.unit.factories import count_rows, make_user


def _login(email: str, *, must_change_password: bool = False) -> tuple[int, str]:
    user_id = make_user(email)
    with session_scope() as session:
        return user_id, sessions.create(session, user_id, must_change_password=must_change_password)


def _last_seen(token: str) -> dt.datetime:
    with session_scope() as session:
        return session.scalars(
            sa.select(col(AuthSession.last_seen_at)).where(col(AuthSession.token_hash) == digest(token))
        ).one()


def _add_client(session, user, name):
    return clients.create(session, user.user_id, clients.ClientForm(name)).name


def test_without_a_live_session_nothing_runs(app_env, frozen_clock):
    calls = []
    user_id, token = _login("ania@example.com")
    for unknown in (None, "", "x" * 43, new_token(), "not a token"):
        assert as_user.run(unknown, lambda *a: calls.append(a)) == as_user.Done(None)
    frozen_clock.advance(hours=8)  # idle for the whole idle timeout: the session has ended
    assert as_user.run(token, lambda *a: calls.append(a)) == as_user.Done(None)
    assert calls == []


def test_the_work_gets_the_session_and_the_user_and_its_writes_commit(app_env, frozen_clock):
    user_id, token = _login("ania@example.com")
    done = as_user.run(token, _add_client, "Klient Ani", write=True)
    assert done.user is not None and done.user.user_id == user_id and done.user.email == "ania@example.com"
    assert done.value == "Klient Ani" and not done.must_change_password
    assert count_rows(Client, col(Client.user_id) == user_id) == 1
    only_checked = as_user.run(token, None)
    assert only_checked.user == done.user and only_checked.value is None


def test_work_that_raises_is_rolled_back_and_reported_with_the_user(app_env, frozen_clock):
    user_id, token = _login("ania@example.com")

    def add_then_fail(session, user):
        _add_client(session, user, "Nie zostanie")
        raise RuntimeError("boom")

    with pytest.raises(as_user.WorkFailed) as failed:
        as_user.run(token, add_then_fail, write=True)
    assert failed.value.user.user_id == user_id
    assert isinstance(failed.value.error, RuntimeError) and failed.value.__cause__ is failed.value.error
    assert count_rows(Client, col(Client.user_id) == user_id) == 0


def test_a_session_that_must_change_its_password_gets_only_what_is_allowed(app_env, frozen_clock):
    calls = []
    user_id, token = _login("ania@example.com", must_change_password=True)
    done = as_user.run(token, lambda session, user: calls.append(user))
    assert done == as_user.Done(None, must_change_password=True) and calls == []
    allowed = as_user.run(token, lambda session, user: user.user_id, allow_pending_change=True)
    assert allowed.value == user_id and allowed.user is not None and allowed.user.must_change_password


def test_the_last_activity_is_written_at_most_once_per_touch_interval(app_env, frozen_clock):
    _user_id, token = _login("ania@example.com")
    created = _last_seen(token)
    frozen_clock.advance(minutes=4, seconds=59)
    as_user.run(token, None)
    assert _last_seen(token) == created  # reading a page writes nothing
    frozen_clock.advance(seconds=1)
    as_user.run(token, None)
    assert _last_seen(token) == created + sessions.TOUCH_INTERVAL
    # Touched: the idle timeout counts from there, so the session lives on past 8 h from login.
    frozen_clock.advance(hours=7, minutes=59)
    assert as_user.run(token, None).user is not None
