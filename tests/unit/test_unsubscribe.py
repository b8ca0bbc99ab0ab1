"""services/unsubscribe.py: the signed token of an unsubscribe link (one user, one consent, this
key), and withdrawing through it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from fakturowo_ui.db import session_scope
from fakturowo_ui.models import ConsentRecord, User
from fakturowo_ui.services import consents, unsubscribe
from fakturowo_ui.services.consents import Consent
from fakturowo_ui.services.unsubscribe import Outcome
from fakturowo_ui.settings import reset_settings_cache
from tests.unit.factories import count_rows, make_user


def _set_consents(user_id: int, *, reminders: bool, info: bool) -> None:
    with session_scope() as session:
        consents.save(session, user_id, reminders=reminders, info=info, source="account")


def test_a_token_names_one_user_and_one_consent(app_env):
    token = unsubscribe.make_token(17, Consent.REMINDERS)
    assert unsubscribe.parse_token(token) == (17, Consent.REMINDERS)
    assert unsubscribe.parse_token(unsubscribe.make_token(17, Consent.INFO)) == (17, Consent.INFO)
    with pytest.raises(ValueError):
        unsubscribe.make_token(17, "marketing")


def _tampered(token: str) -> list[str]:
    user_id, consent, signature = token.split(".")
    other = "info" if consent == "reminders" else "reminders"
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    return [
        f"{int(user_id) + 1}.{consent}.{signature}",  # another user
        f"{user_id}.{other}.{signature}",  # the other consent
        f"{user_id}.{consent}.{flipped}",  # one character changed
        f"{user_id}.{consent}.{signature[:-2]}",  # shortened
        f"{user_id}.{consent}.{signature.upper()}",
        f"0{user_id}.{consent}.{signature}",
        f"{user_id}.{consent}",
        "",
        "x" * 500,
        "17.reminders." + "0" * 64,
        "-1.info." + signature,
    ]


def test_tampered_and_forged_tokens_are_refused(app_env):
    token = unsubscribe.make_token(17, Consent.REMINDERS)
    for bad in _tampered(token):
        assert unsubscribe.parse_token(bad) is None, bad


def test_a_token_made_under_another_key_is_refused(app_env, monkeypatch):
    foreign = unsubscribe.make_token(17, Consent.INFO)
    monkeypatch.setenv("FAKTUROWO_SECRET_KEY", "another-secret-key-0123456789abcdef-012345")
    reset_settings_cache()
    assert unsubscribe.parse_token(foreign) is None


def test_withdraw_records_source_unsubscribe_once(app_env, frozen_clock):
    user_id = make_user("wypis@example.com")
    _set_consents(user_id, reminders=True, info=True)
    token = unsubscribe.make_token(user_id, Consent.INFO)
    assert unsubscribe.inspect(token) == (Outcome.ACTIVE, Consent.INFO)
    assert count_rows(ConsentRecord, ConsentRecord.source == "unsubscribe") == 0  # inspect changes nothing
    assert unsubscribe.withdraw(token) == (Outcome.WITHDRAWN, Consent.INFO)
    assert unsubscribe.withdraw(token) == (Outcome.ALREADY_WITHDRAWN, Consent.INFO)
    with session_scope() as session:
        user = session.get(User, user_id)
        assert (user.reminder_consent, user.info_consent) == (True, False)
        records = session.execute(
            sa.select(ConsentRecord.consent, ConsentRecord.given, ConsentRecord.source).where(
                ConsentRecord.source == "unsubscribe"
            )
        ).all()
    assert records == [(Consent.INFO, False, "unsubscribe")]


def test_a_deleted_account_and_a_forged_link(app_env, frozen_clock):
    user_id = make_user("usuniete@example.com")
    _set_consents(user_id, reminders=True, info=False)
    token = unsubscribe.make_token(user_id, Consent.REMINDERS)
    with session_scope() as session:
        session.execute(sa.delete(User).where(User.id == user_id))
    assert unsubscribe.inspect(token) == (Outcome.ACCOUNT_GONE, Consent.REMINDERS)
    assert unsubscribe.withdraw(token) == (Outcome.ACCOUNT_GONE, Consent.REMINDERS)
    assert unsubscribe.withdraw(_tampered(token)[2]) == (Outcome.INVALID, "")
