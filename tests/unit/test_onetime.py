"""services/onetime.py: single-use tokens stored as digests, each in one state (valid, used,
expired, superseded, voided, invalid); consumed by one winner only; superseding and restoring;
voided after too many wrong attempts; purged a week after they ended."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import col

from fakturowo_ui.db import session_scope
from fakturowo_ui.models import OneTimeToken, User
from fakturowo_ui.services import onetime
from fakturowo_ui.services.onetime import LinkState
from fakturowo_ui.services.tokens import digest, new_token
from tests.unit.factories import count_rows, make_user

# Purposes by their stored values (the same strings whatever form the module gives them).
RESET, DELETE = "reset_password", "delete_account"
HOUR = dt.timedelta(hours=1)


def _issue(user_id: int, purpose: str = RESET, ttl: dt.timedelta = HOUR) -> tuple[str, int]:
    with session_scope() as session:
        token, row = onetime.issue(session, user_id, purpose, ttl)
        return token, row.id


def _state(token: str, purpose: str = RESET) -> LinkState:
    with session_scope() as session:
        return onetime.find(session, token, purpose)[0]


def test_a_token_is_stored_only_as_its_digest_and_found_for_its_purpose_only(app_env, frozen_clock):
    user = make_user("ania@example.com")
    token, token_id = _issue(user)
    with session_scope() as session:
        row = session.get_one(OneTimeToken, token_id)
        assert row.token_hash == digest(token) != token and row.expires_at == frozen_clock.now() + HOUR
        state, found = onetime.find(session, token, RESET)
        assert state is LinkState.VALID and found is not None and found.id == token_id
    assert _state(token, DELETE) is LinkState.INVALID
    assert _state(new_token()) is LinkState.INVALID
    assert _state("not a token") is LinkState.INVALID
    assert _state(None) is LinkState.INVALID  # type: ignore[arg-type]


def test_one_consume_wins_and_a_used_token_stays_used(app_env, frozen_clock):
    user = make_user("ania@example.com")
    token, token_id = _issue(user)
    with session_scope() as session:
        assert onetime.consume(session, token_id)
        assert not onetime.consume(session, token_id)
    frozen_clock.advance(hours=2)
    assert _state(token) is LinkState.USED  # not "expired": used is what happened to it


def test_an_expired_superseded_or_voided_token_cannot_be_consumed(app_env, frozen_clock):
    user = make_user("ania@example.com")
    expiring, expiring_id = _issue(user, ttl=dt.timedelta(minutes=30))
    frozen_clock.advance(minutes=30)
    assert _state(expiring) is LinkState.EXPIRED
    with session_scope() as session:
        assert not onetime.consume(session, expiring_id)

    older, older_id = _issue(user)
    newer, newer_id = _issue(user)
    with session_scope() as session:
        superseded = onetime.supersede_older(session, user, RESET, newer_id)
        assert set(superseded) == {expiring_id, older_id}
        assert not onetime.consume(session, older_id)
    assert (_state(older), _state(newer)) == (LinkState.SUPERSEDED, LinkState.VALID)

    with session_scope() as session:
        assert not onetime.record_failed_attempt(session, newer_id, void_after=2)
        assert onetime.record_failed_attempt(session, newer_id, void_after=2)
        assert onetime.record_failed_attempt(session, newer_id, void_after=2)  # stays voided
        assert not onetime.consume(session, newer_id)
    assert _state(newer) is LinkState.VOIDED


def test_superseding_touches_only_the_users_open_tokens_of_that_purpose(app_env, frozen_clock):
    ania, bartek = make_user("ania@example.com"), make_user("bartek@example.com")
    used, used_id = _issue(ania)
    with session_scope() as session:
        onetime.consume(session, used_id)
    deletion, _ = _issue(ania, DELETE)
    bartek_token, _ = _issue(bartek)
    older, older_id = _issue(ania)
    newest, newest_id = _issue(ania)
    with session_scope() as session:
        assert onetime.supersede_older(session, ania, RESET, newest_id) == [older_id]
    assert _state(used) is LinkState.USED
    assert _state(deletion, DELETE) is LinkState.VALID and _state(bartek_token) is LinkState.VALID
    with session_scope() as session:  # newer_too: a link just used ends its siblings, newer ones too
        assert onetime.supersede_older(session, ania, RESET, older_id, newer_too=True) == [newest_id]


def test_restoring_undoes_a_supersede_unless_a_newer_token_exists(app_env, frozen_clock):
    user = make_user("ania@example.com")
    first, first_id = _issue(user)
    second, second_id = _issue(user)
    with session_scope() as session:
        superseded = onetime.supersede_older(session, user, RESET, second_id)
        onetime.discard(session, second_id)
        onetime.restore_superseded(session, user, RESET, superseded, newer_than=second_id)
    assert (_state(first), _state(second)) == (LinkState.VALID, LinkState.INVALID)

    third, third_id = _issue(user)
    with session_scope() as session:
        superseded = onetime.supersede_older(session, user, RESET, third_id)
    _fourth, _ = _issue(user)  # issued meanwhile: the first must not come back
    with session_scope() as session:
        onetime.restore_superseded(session, user, RESET, superseded, newer_than=third_id)
    assert _state(first) is LinkState.SUPERSEDED


def test_tokens_are_purged_a_week_after_they_expired(app_env, frozen_clock):
    user = make_user("ania@example.com")
    _issue(user, ttl=dt.timedelta(minutes=30))
    _issue(user, ttl=dt.timedelta(days=2))
    frozen_clock.advance(days=7, minutes=31)
    with session_scope() as session:
        assert onetime.purge_expired(session) == 1
    assert count_rows(OneTimeToken) == 1


def test_each_state_a_link_page_refuses_has_its_message():
    from fakturowo_ui.i18n import has

    for state in set(LinkState) - {LinkState.VALID}:  # a valid link shows its form, no message
        assert has(state.message_key), state


def test_find_usable_gives_the_row_and_account_of_a_token_that_can_act(app_env, frozen_clock):
    user = make_user("konto@example.com")
    token, token_id = _issue(user)
    with session_scope() as session:
        found = onetime.find_usable(session, token, RESET)
        assert not isinstance(found, LinkState)
        row, owner = found
        assert (row.id, owner.id, owner.email) == (token_id, user, "konto@example.com")
        assert onetime.find_usable(session, token, DELETE) is LinkState.INVALID
        assert onetime.find_usable(session, "nie-token", RESET) is LinkState.INVALID
    frozen_clock.advance(hours=2)
    with session_scope() as session:
        assert onetime.find_usable(session, token, RESET) is LinkState.EXPIRED


def test_find_usable_refuses_a_token_whose_account_is_gone(app_env, frozen_clock):
    user = make_user("usuniete@example.com")
    token, _token_id = _issue(user)
    with session_scope() as session:
        session.execute(sa.delete(User).where(col(User.id) == user))
        assert onetime.find_usable(session, token, RESET) is LinkState.INVALID
