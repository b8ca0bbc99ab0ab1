"""Two-step login against a real database and SMTP server (issue 12): TOTP windows and replay,
recovery codes, the e-mail method, the login ticket, turning it off, the deletion confirmation,
the notices and the history."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

import pyotp
import pytest
import sqlalchemy as sa

from fakturowo_ui.db import session_scope
from fakturowo_ui.models import AuthSession, OneTimeToken, RecoveryCode, SecurityEvent, User
from fakturowo_ui.services import accounts, deletion, onetime, password_reset, two_step
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.services.security_log import Origin
from fakturowo_ui.services.sessions import CurrentUser
from tests.conftest import text_of
from tests.unit.factories import PASSWORD, as_user, count_rows, make_user

EMAIL = "dwa@example.com"
IP = "203.0.113.9"
ORIGIN = Origin(ip=IP, user_agent="Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36")


@pytest.fixture
def user(smtp, frozen_clock) -> int:
    return make_user(EMAIL)


def _me(user_id: int) -> CurrentUser:
    return as_user(user_id, EMAIL)


def _secret(setup: two_step.Setup) -> str:
    return setup.key.replace(" ", "")


def _code(secret: str, frozen_clock, steps: int = 0) -> str:
    moment = frozen_clock.now().replace(tzinfo=dt.UTC) + dt.timedelta(seconds=30 * steps)
    return pyotp.TOTP(secret).at(moment)


def _turn_on_app(user_id: int, frozen_clock) -> tuple[str, list[str]]:
    with session_scope(write_lock=True) as session:
        setup = two_step.begin_app_for(session, _me(user_id))
    secret = _secret(setup)
    with session_scope(write_lock=True) as session:
        codes = two_step.confirm_app_for(session, _me(user_id), _code(secret, frozen_clock), ORIGIN)
    frozen_clock.advance(seconds=30)  # the set-up code's step is spent; the next one is fresh
    return secret, codes


def _password_step(next_path: str | None = None) -> accounts.Handoff:
    code = asyncio.run(accounts.log_in(EMAIL, PASSWORD, IP, next_path, ORIGIN))
    handoff = accounts.hand_off(code, ORIGIN)
    assert handoff is not None
    return handoff


def _user(user_id: int) -> User:
    with session_scope() as session:
        row = session.get_one(User, user_id)
        session.expunge(row)
        return row


def test_the_key_is_shown_once_and_stored_encrypted(user, frozen_clock):
    with session_scope(write_lock=True) as session:
        setup = two_step.begin_app_for(session, _me(user))
    secret = _secret(setup)
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)  # base32, 160 bits
    assert setup.qr.startswith("data:image/svg+xml") and "otpauth" in setup.uri
    stored = _user(user).two_step_pending_secret or ""
    assert secret not in stored and secret.lower() not in stored.lower()
    assert two_step.decrypt_key(stored, user) == secret
    # Bound to its account: another account's ID cannot open it.
    with pytest.raises(Exception):
        two_step.decrypt_key(stored, user + 1)


def test_turning_on_the_app_method_needs_a_right_code(user, frozen_clock, smtp):
    with session_scope(write_lock=True) as session:
        setup = two_step.begin_app_for(session, _me(user))
    for wrong in ("", "12345", "1234567", "abcdef", "０１２３４５", "<script>", "1" * 10_000):
        with pytest.raises(DomainError), session_scope(write_lock=True) as session:
            two_step.confirm_app_for(session, _me(user), wrong, ORIGIN)
    assert _user(user).two_step_method is None
    with session_scope(write_lock=True) as session:
        codes = two_step.confirm_app_for(session, _me(user), _code(_secret(setup), frozen_clock), ORIGIN)
    row = _user(user)
    assert row.two_step_method == "app" and row.two_step_pending_secret is None and row.two_step_secret
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-7]{4}(-[a-z2-7]{4}){3}", code) for code in codes)  # 80 bits each
    with session_scope() as session:
        hashes = session.scalars(sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user)).all()
    assert len(hashes) == 10 and not any(code.replace("-", "").upper() in h for code in codes for h in hashes)
    assert count_rows(SecurityEvent, SecurityEvent.user_id == user, SecurityEvent.kind == "two_step_on") == 1


def test_totp_accepts_one_step_either_side_and_never_the_same_step_twice(user, frozen_clock):
    secret, _codes = _turn_on_app(user, frozen_clock)
    frozen_clock.advance(seconds=60)  # well past the step the set-up used

    def check(code: str) -> two_step.Check:
        with session_scope(write_lock=True) as session:
            return two_step.check_code(session, session.get_one(User, user), code)

    assert check(_code(secret, frozen_clock, steps=2)) is two_step.Check.WRONG
    assert check(_code(secret, frozen_clock, steps=-2)) is two_step.Check.WRONG
    assert check(_code(secret, frozen_clock, steps=-1)) is two_step.Check.OK
    now_code = _code(secret, frozen_clock)
    assert check(now_code) is two_step.Check.OK
    assert check(now_code) is two_step.Check.REUSED  # replay
    assert check(_code(secret, frozen_clock, steps=-1)) is two_step.Check.REUSED  # an earlier step
    assert check(_code(secret, frozen_clock, steps=1)) is two_step.Check.OK
    frozen_clock.advance(seconds=60)
    assert check(_code(secret, frozen_clock)) is two_step.Check.OK
    for junk in ("", "12 34 5", "abcdef", "١٢٣٤٥٦", None, 123456, ["123456"]):
        assert check(junk) is two_step.Check.WRONG  # type: ignore[arg-type]


def test_login_gives_a_ticket_not_a_session_and_the_code_then_a_session(user, frozen_clock):
    secret, _codes = _turn_on_app(user, frozen_clock)
    handoff = _password_step("/klienci/")
    assert handoff.ticket and handoff.next_path == "/logowanie/weryfikacja/" and handoff.mail_code_to is None
    assert count_rows(AuthSession, AuthSession.user_id == user) == 0
    with session_scope() as session:
        ticket_row = session.scalars(
            sa.select(OneTimeToken).where(OneTimeToken.purpose == "login_ticket")
        ).one()
        assert handoff.token not in ticket_row.token_hash
    result = two_step.pass_second_step(handoff.token, _code(secret, frozen_clock), IP, ORIGIN)
    assert result.outcome is two_step.SecondStep.PASSED
    session_handoff = accounts.hand_off(result.login_code, ORIGIN)
    assert session_handoff is not None and not session_handoff.ticket
    assert session_handoff.next_path == "/klienci/"
    assert count_rows(AuthSession, AuthSession.user_id == user) == 1
    # The ticket and the login code were single use.
    assert two_step.pass_second_step(handoff.token, _code(secret, frozen_clock, 1), IP, ORIGIN).outcome is (
        two_step.SecondStep.ENDED
    )
    assert accounts.hand_off(result.login_code, ORIGIN) is None
    # The old helper gives no session for an account with two-step login.
    code = asyncio.run(accounts.log_in(EMAIL, PASSWORD, IP, None, ORIGIN))
    assert accounts.exchange_login_code(code, ORIGIN) is None
    assert count_rows(AuthSession, AuthSession.user_id == user) == 1


def test_five_wrong_codes_end_the_attempt(user, frozen_clock):
    secret, _codes = _turn_on_app(user, frozen_clock)
    handoff = _password_step()
    for left in (4, 3, 2, 1):
        result = two_step.pass_second_step(handoff.token, "000000", IP, ORIGIN)
        assert result.outcome is two_step.SecondStep.WRONG and result.attempts_left == left
    assert two_step.pass_second_step(handoff.token, "000000", IP, ORIGIN).outcome is two_step.SecondStep.ENDED
    # Even the right code cannot revive it.
    assert two_step.pass_second_step(handoff.token, _code(secret, frozen_clock), IP, ORIGIN).outcome is (
        two_step.SecondStep.ENDED
    )
    assert count_rows(AuthSession, AuthSession.user_id == user) == 0
    assert count_rows(SecurityEvent, SecurityEvent.user_id == user, SecurityEvent.kind == "login_failed") == 5


def test_a_forged_or_expired_ticket_gives_nothing(user, frozen_clock):
    secret, _codes = _turn_on_app(user, frozen_clock)
    for forged in ("", "x" * 43, "../../etc", None, "a" * 10_000):
        assert two_step.pass_second_step(forged, _code(secret, frozen_clock), IP, ORIGIN).outcome is (  # type: ignore[arg-type]
            two_step.SecondStep.ENDED
        )
        assert two_step.inspect_ticket(forged) is None  # type: ignore[arg-type]
    handoff = _password_step()
    frozen_clock.advance(minutes=11)
    assert two_step.inspect_ticket(handoff.token) is None
    assert two_step.pass_second_step(handoff.token, _code(secret, frozen_clock), IP, ORIGIN).outcome is (
        two_step.SecondStep.ENDED
    )


def test_a_recovery_code_works_once_and_mails_a_notice(user, frozen_clock, smtp):
    _secret_key, codes = _turn_on_app(user, frozen_clock)
    first = _password_step()
    result = two_step.pass_second_step(first.token, codes[0].upper().replace("-", " "), IP, ORIGIN)
    assert result.outcome is two_step.SecondStep.PASSED and result.used_recovery
    asyncio.run(two_step.notify(user, two_step.Notice.RECOVERY_USED))
    notice = smtp.mailbox.last(EMAIL, "Użyto kodu zapasowego")
    assert "Pozostało kodów zapasowych: 9" in text_of(notice)
    second = _password_step()
    again = two_step.pass_second_step(second.token, codes[0], IP, ORIGIN)
    assert again.outcome is two_step.SecondStep.REUSED
    assert two_step.pass_second_step(second.token, codes[1], IP, ORIGIN).outcome is two_step.SecondStep.PASSED
    assert (
        count_rows(SecurityEvent, SecurityEvent.user_id == user, SecurityEvent.kind == "recovery_code_used")
        == 2
    )


def test_the_email_method_mails_a_single_use_code(user, frozen_clock, smtp):
    with session_scope(write_lock=True) as session:
        two_step.mail_setup_code_for(session, _me(user))
    asyncio.run(two_step.mail_code(user))
    mail = smtp.mailbox.last(EMAIL, "Kod logowania do Fakturowo")
    code = re.search(r"^(\d{6})\s*$", text_of(mail), re.M).group(1)  # type: ignore[union-attr]
    assert "List-Unsubscribe" not in mail  # a security notice, not consent-gated
    with session_scope() as session:
        stored = session.scalars(
            sa.select(OneTimeToken.code_hash).where(OneTimeToken.purpose == "two_step_code")
        ).all()
    assert stored and code not in "".join(h or "" for h in stored)
    with session_scope(write_lock=True) as session:
        two_step.confirm_email_for(session, _me(user), code, ORIGIN)
    assert _user(user).two_step_method == "email"
    # At login the code comes by mail and works once.
    handoff = _password_step()
    assert handoff.ticket and handoff.mail_code_to == user
    asyncio.run(two_step.mail_code(user))
    login_code = re.search(
        r"^(\d{6})\s*$", text_of(smtp.mailbox.last(EMAIL, "Kod logowania do Fakturowo")), re.M
    ).group(1)  # type: ignore[union-attr]
    assert (
        two_step.pass_second_step(handoff.token, login_code, IP, ORIGIN).outcome is two_step.SecondStep.PASSED
    )
    again = _password_step()
    assert (
        two_step.pass_second_step(again.token, login_code, IP, ORIGIN).outcome is two_step.SecondStep.REUSED
    )
    # Expired after 10 minutes.
    asyncio.run(two_step.mail_code(user))
    late = re.search(
        r"^(\d{6})\s*$", text_of(smtp.mailbox.last(EMAIL, "Kod logowania do Fakturowo")), re.M
    ).group(1)  # type: ignore[union-attr]
    frozen_clock.advance(minutes=9)
    fresh = _password_step()
    frozen_clock.advance(minutes=2)
    assert two_step.pass_second_step(fresh.token, late, IP, ORIGIN).outcome is not two_step.SecondStep.PASSED


def test_mailed_codes_are_rate_limited(user, frozen_clock, smtp):
    for _ in range(two_step.CODES_MAILED_PER_ACCOUNT.count):
        asyncio.run(two_step.mail_code(user))
    with pytest.raises(DomainError):
        asyncio.run(two_step.mail_code(user))


def test_turning_off_needs_a_right_code_and_then_forgets_everything(user, frozen_clock):
    secret, _codes = _turn_on_app(user, frozen_clock)
    with pytest.raises(DomainError), session_scope(write_lock=True) as session:
        two_step.turn_off_for(session, _me(user), "000000", ORIGIN)
    assert _user(user).two_step_method == "app"
    with session_scope(write_lock=True) as session:
        two_step.turn_off_for(session, _me(user), _code(secret, frozen_clock), ORIGIN)
    row = _user(user)
    assert (row.two_step_method, row.two_step_secret, row.two_step_last_step) == (None, None, None)
    assert count_rows(RecoveryCode, RecoveryCode.user_id == user) == 0
    assert count_rows(SecurityEvent, SecurityEvent.user_id == user, SecurityEvent.kind == "two_step_off") == 1
    # Login is one step again.
    assert not _password_step().ticket


def test_a_password_reset_keeps_two_step_login_on(user, frozen_clock, smtp):
    _turn_on_app(user, frozen_clock)
    with session_scope(write_lock=True) as session:
        token, _row = onetime.issue(session, user, onetime.TokenPurpose.RESET_PASSWORD, dt.timedelta(hours=1))
    asyncio.run(password_reset.complete_reset(token, "nowe haslo do konta 77", "nowe haslo do konta 77"))
    assert _user(user).two_step_method == "app"


def test_the_deletion_confirmation_asks_for_the_code(user, frozen_clock, smtp):
    secret, _codes = _turn_on_app(user, frozen_clock)
    with session_scope(write_lock=True) as session:
        token, _row = onetime.issue(session, user, onetime.TokenPurpose.DELETE_ACCOUNT, dt.timedelta(hours=1))
    assert deletion.inspect_link(token).needs_code
    for wrong in ("", "000000", "x" * 500):
        result = asyncio.run(deletion.confirm_deletion(token, PASSWORD, wrong))
        assert result.outcome is deletion.Outcome.WRONG_CODE
    assert _user(user).id == user  # nothing deleted
    result = asyncio.run(deletion.confirm_deletion(token, PASSWORD, _code(secret, frozen_clock)))
    assert result.outcome is deletion.Outcome.DELETED
    with session_scope() as session:
        assert session.get(User, user) is None
