"""The e-mailed address-confirmation link: opening changes nothing, the button consumes it once."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from fakturowo_ui.db import session_scope
from fakturowo_ui.i18n import t
from fakturowo_ui.models import OneTimeToken, User
from fakturowo_ui.services import accounts, onetime
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.services.onetime import LinkState
from fakturowo_ui.services.tokens import new_token
from tests.conftest import action_link
from tests.unit.factories import PASSWORD

BASE_URL = "http://localhost:3000"
EMAIL = "potwierdz@example.com"


def _register() -> None:
    asyncio.run(accounts.register(accounts.RegistrationForm(EMAIL, PASSWORD, PASSWORD), "127.0.0.1"))


def _latest_token(smtp) -> str:
    link = action_link(smtp.mailbox.last(EMAIL, "Potwierdź adres email"), BASE_URL)
    return link.split("token=", 1)[1]


def _snapshot() -> list[tuple]:
    with session_scope() as session:
        tokens = session.execute(sa.select(OneTimeToken.__table__)).all()
        users = session.execute(sa.select(User.__table__)).all()
    return [tuple(row) for row in (*tokens, *users)]


def _confirmed() -> bool:
    with session_scope() as session:
        return session.scalars(sa.select(User.email_confirmed_at)).one() is not None


def _message(state: LinkState) -> str:
    return t(state.message_key)


@pytest.fixture
def token(smtp, frozen_clock) -> str:
    _register()
    return _latest_token(smtp)


def test_opening_the_link_changes_nothing(token):
    before = _snapshot()
    for _ in range(3):
        assert accounts.inspect_confirmation(token) == (LinkState.VALID, EMAIL)
    assert _snapshot() == before
    assert not _confirmed()


def test_the_button_confirms_once(token):
    assert accounts.confirm_email(token) is LinkState.VALID
    assert _confirmed()
    assert accounts.confirm_email(token) is LinkState.USED
    state, email = accounts.inspect_confirmation(token)
    assert (state, email) == (LinkState.USED, EMAIL)
    assert "został już użyty" in _message(state)


def test_only_one_of_simultaneous_confirmations_wins(token):
    results: list[LinkState] = []
    barrier = threading.Barrier(4)

    def confirm():
        barrier.wait()
        results.append(accounts.confirm_email(token))

    threads = [threading.Thread(target=confirm) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.value for r in results) == ["used", "used", "used", "valid"]


def test_the_link_expires_after_24_hours(token, frozen_clock):
    frozen_clock.advance(hours=23, minutes=59, seconds=59)
    assert accounts.inspect_confirmation(token)[0] is LinkState.VALID
    frozen_clock.advance(seconds=1)
    state, _email = accounts.inspect_confirmation(token)
    assert state is LinkState.EXPIRED
    assert "wygasł" in _message(state)
    assert accounts.confirm_email(token) is LinkState.EXPIRED
    assert not _confirmed()


def test_a_resend_supersedes_the_older_link(smtp, token):
    asyncio.run(accounts.resend_confirmation(EMAIL))
    newer = _latest_token(smtp)
    assert newer != token
    state, _email = accounts.inspect_confirmation(token)
    assert state is LinkState.SUPERSEDED
    assert "zastąpiony nowszym" in _message(state)
    assert accounts.confirm_email(token) is LinkState.SUPERSEDED
    assert not _confirmed()
    assert accounts.confirm_email(newer) is LinkState.VALID
    assert _confirmed()
    # Once the address is confirmed, an older link reads as used rather than as a puzzle.
    assert accounts.inspect_confirmation(token)[0] is LinkState.USED


def test_resending_is_limited_per_account(smtp, token):
    for _ in range(3):
        asyncio.run(accounts.resend_confirmation(EMAIL))
    with pytest.raises(DomainError) as refused:
        asyncio.run(accounts.resend_confirmation(" Potwierdz@Example.com "))
    assert refused.value.key == "common.try_again_at"
    assert len(smtp.mailbox.to(EMAIL)) == 4


def test_resend_to_an_unknown_or_confirmed_address_sends_nothing(smtp, token):
    asyncio.run(accounts.resend_confirmation("nikt@example.com"))
    accounts.confirm_email(token)
    asyncio.run(accounts.resend_confirmation(EMAIL))
    assert len(smtp.mailbox.messages) == 1


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "abc",
        "x" * 5000,
        "<script>alert(1)</script>",
        "../../etc/passwd",
        "zażółć-gęślą-jaźń-token",
        "token\x00token\x00token",
        "' OR 1=1 --",
        None,
        12345,
    ],
)
def test_garbage_is_invalid(token, garbage):
    before = _snapshot()
    state, email = accounts.inspect_confirmation(garbage)
    assert (state, email) == (LinkState.INVALID, None)
    assert "nieprawidłowy" in _message(state)
    assert accounts.confirm_email(garbage) is LinkState.INVALID
    assert _snapshot() == before


def test_an_unknown_well_formed_token_is_invalid(token):
    assert accounts.inspect_confirmation(new_token())[0] is LinkState.INVALID
    assert accounts.confirm_email(new_token()) is LinkState.INVALID


def test_a_token_of_another_purpose_does_not_confirm(token):
    with session_scope() as session:
        user_id = session.scalars(sa.select(User.id)).one()
        other, _row = onetime.issue(
            session, user_id, onetime.TokenPurpose.LOGIN_CODE, accounts.LOGIN_CODE_TTL
        )
    assert accounts.confirm_email(other) is LinkState.INVALID
    assert not _confirmed()


def test_consume_refuses_a_row_that_stopped_being_usable(token, frozen_clock):
    """The conditional UPDATE itself re-checks, for a state change between look-up and use."""
    with session_scope() as session:
        user_id = session.scalars(sa.select(User.id)).one()
        rows = {}
        for name in ("superseded", "voided", "expired", "used", "fresh"):
            _token, row = onetime.issue(
                session, user_id, onetime.TokenPurpose.RESET_PASSWORD, dt.timedelta(hours=1)
            )
            rows[name] = row.id
        now = frozen_clock.now()
        for name, column in (("superseded", "superseded_at"), ("voided", "voided_at"), ("used", "used_at")):
            session.execute(
                sa.update(OneTimeToken).where(OneTimeToken.id == rows[name]).values({column: now})
            )
        session.execute(
            sa.update(OneTimeToken).where(OneTimeToken.id == rows["expired"]).values(expires_at=now)
        )
    with session_scope() as session:
        outcome = {name: onetime.consume(session, row_id) for name, row_id in rows.items()}
    assert outcome == {"superseded": False, "voided": False, "expired": False, "used": False, "fresh": True}
