"""The enums of what the database stores keep today's strings: no migration, old rows stay readable.

Consents, consent sources, token purposes and notice kinds are StrEnums whose values are the
stored ones; they are pinned here literally, and a round trip through the database shows the
value (never the member's name) is what lands in a row.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from fakturowo_ui.db import session_scope
from fakturowo_ui.models import User
from fakturowo_ui.services import consents, notice_claims, onetime, unsubscribe
from fakturowo_ui.services.consents import Consent, ConsentSource
from fakturowo_ui.services.notice_claims import NoticeKind
from fakturowo_ui.services.onetime import TokenPurpose
from tests.unit.factories import make_user


def _members(kind) -> list[tuple[str, str]]:
    return [(member.name, str(member)) for member in kind]


def test_the_values_are_the_stored_strings():
    assert _members(Consent) == [("REMINDERS", "reminders"), ("INFO", "info")]
    assert _members(ConsentSource) == [
        ("REGISTRATION", "registration"),
        ("ACCOUNT", "account"),
        ("UNSUBSCRIBE", "unsubscribe"),
    ]
    assert _members(TokenPurpose) == [
        ("CONFIRM_EMAIL", "confirm_email"),
        ("DELETE_ACCOUNT", "delete_account"),
        ("RESET_PASSWORD", "reset_password"),
        ("LOGIN_CODE", "login_code"),
        ("ROTATE_SESSION", "rotate_session"),
        ("LOGIN_TICKET", "login_ticket"),
        ("LOGIN_CODE_VERIFIED", "login_code_2fa"),
        ("TWO_STEP_CODE", "two_step_code"),
        ("CHANGE_EMAIL", "change_email"),
    ]
    assert _members(NoticeKind) == [
        ("REMINDER_30", "reminder-30"),
        ("REMINDER_5", "reminder-5"),
        ("REVIEW", "review"),
        ("PASSWORD_CHANGE", "password-change"),
    ]
    # A member is its string wherever a string is wanted: keys, f-strings, comparisons.
    assert f"unsubscribe.consent.{Consent.INFO}" == "unsubscribe.consent.info"
    assert {"reminders": 1}[Consent.REMINDERS] == 1 and NoticeKind.REVIEW == "review"


def test_each_consent_names_its_user_columns():
    columns = User.model_fields
    for consent in Consent:
        assert consent.column in columns and consent.changed_at_column in columns
        assert columns[consent.column].annotation is bool
    assert (Consent.REMINDERS.column, Consent.INFO.column) == ("reminder_consent", "info_consent")
    assert (Consent.REMINDERS.changed_at_column, Consent.INFO.changed_at_column) == (
        "reminder_consent_changed_at",
        "info_consent_changed_at",
    )


def test_an_unsubscribe_token_is_the_same_for_the_member_and_its_string(app_env):
    token = unsubscribe.make_token(17, Consent.REMINDERS)
    assert token == unsubscribe.make_token(17, "reminders")
    assert token.startswith("17.reminders.")
    assert unsubscribe.parse_token(token) == (17, Consent.REMINDERS)


def test_the_rows_hold_the_values(app_env, frozen_clock):
    user_id = make_user("rodzaje@example.com")
    with session_scope(write_lock=True) as session:
        consents.save(session, user_id, reminders=True, info=False, source=ConsentSource.ACCOUNT)
        onetime.issue(session, user_id, TokenPurpose.RESET_PASSWORD, dt.timedelta(minutes=5))
        notice_claims.claim(session, user_id, NoticeKind.REMINDER_30, "2026-12-31")
    with session_scope() as session:
        rows = [
            tuple(row)
            for query in (
                "SELECT consent, source FROM consent_record",
                "SELECT purpose, '' FROM one_time_token",
                "SELECT kind, period_key FROM sent_notice",
            )
            for row in session.execute(sa.text(query)).all()
        ]
    assert rows == [
        ("reminders", "account"),
        ("reset_password", ""),
        ("reminder-30", "2026-12-31"),
    ]
