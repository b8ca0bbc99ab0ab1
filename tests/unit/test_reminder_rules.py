"""Consents and reminders (issue 5): the due-date rules, the consent gate and the unsubscribe token."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from fakturowo_ui.db import session_scope
from fakturowo_ui.models import ConsentRecord, Subscription, User
from fakturowo_ui.services import consents, mail, notices, unsubscribe
from fakturowo_ui.services.consents import Consent
from fakturowo_ui.services.notices import NoticeKind, reminder_due, review_due
from fakturowo_ui.services.subscriptions import subscription_end
from fakturowo_ui.services.unsubscribe import Outcome
from fakturowo_ui.settings import get_settings, reset_settings_cache
from tests.unit.factories import count_rows, make_user

LAST = dt.date(2027, 3, 31)


@pytest.mark.parametrize(
    ("days_before", "expected"),
    [
        (45, None),
        (31, None),
        (30, NoticeKind.REMINDER_30),
        (29, NoticeKind.REMINDER_30),
        (20, NoticeKind.REMINDER_30),
        (7, NoticeKind.REMINDER_30),
        (6, NoticeKind.REMINDER_30),
        (5, NoticeKind.REMINDER_5),
        (4, NoticeKind.REMINDER_5),
        (2, NoticeKind.REMINDER_5),
        (1, NoticeKind.REMINDER_5),
        (0, None),
        (-1, None),
        (-30, None),
    ],
)
def test_reminder_windows(days_before, expected):
    assert reminder_due(LAST - dt.timedelta(days=days_before), LAST) == expected


def test_never_both_in_one_run_and_the_later_wins():
    for days_before in range(0, 40):
        due = reminder_due(LAST - dt.timedelta(days=days_before), LAST)
        assert due in (None, NoticeKind.REMINDER_30, NoticeKind.REMINDER_5)
    # A run that missed the whole 30-day window still sends the 5-day one, and only that.
    assert reminder_due(LAST - dt.timedelta(days=3), LAST) == NoticeKind.REMINDER_5


def test_windows_count_calendar_days_across_a_dst_change():
    # Europe/Warsaw moves the clock on 28-03-2027; the windows are whole calendar days anyway.
    assert reminder_due(dt.date(2027, 3, 26), LAST) == NoticeKind.REMINDER_5
    assert reminder_due(dt.date(2027, 3, 25), LAST) == NoticeKind.REMINDER_30


def test_review_from_14_days_after_registration():
    registered = dt.date(2026, 11, 23)
    assert not review_due(dt.date(2026, 12, 6), registered)
    assert review_due(dt.date(2026, 12, 7), registered)
    assert review_due(dt.date(2027, 6, 1), registered)


def test_the_period_ends_at_the_paid_end_once_one_exists():
    trial = Subscription(user_id=1, trial_ends_on=dt.date(2027, 3, 3))
    assert subscription_end(trial) == dt.date(2027, 3, 3)
    paid = Subscription(user_id=1, trial_ends_on=dt.date(2027, 3, 3), paid_until=dt.date(2028, 1, 31))
    assert subscription_end(paid) == dt.date(2028, 1, 31)


# -- the gate ----------------------------------------------------------------------------------


def _set_consents(user_id: int, *, reminders: bool, info: bool) -> None:
    with session_scope() as session:
        consents.save(session, user_id, reminders=reminders, info=info, source="account")


@pytest.fixture
def sent(monkeypatch) -> list[mail.Mail]:
    """Mail handed to the sender, instead of sending it."""
    letters: list[mail.Mail] = []
    monkeypatch.setattr(mail, "send", lambda letter, settings=None: letters.append(letter))
    return letters


def test_the_gate_sends_only_with_the_consent_at_that_moment(app_env, frozen_clock, sent):
    user_id = make_user("brama@example.com")
    params = {"action_url": "http://localhost:3000/", "account_url": "http://localhost:3000/konto/"}
    assert notices.send_consented(user_id, Consent.INFO, "review_request", "S", **params) is False
    _set_consents(user_id, reminders=False, info=True)
    assert notices.send_consented(user_id, Consent.INFO, "review_request", "S", **params) is True
    assert notices.send_consented(user_id, Consent.REMINDERS, "review_request", "S", **params) is False
    _set_consents(user_id, reminders=False, info=False)
    assert notices.send_consented(user_id, Consent.INFO, "review_request", "S", **params) is False
    assert len(sent) == 1


def test_gated_mail_carries_the_unsubscribe_headers_and_link(app_env, frozen_clock, sent):
    user_id = make_user("naglowki@example.com")
    _set_consents(user_id, reminders=True, info=False)
    notices.send_consented(
        user_id,
        Consent.REMINDERS,
        "subscription_reminder",
        "S",
        date="01-01-2027",
        days="30",
        account_url="http://localhost:3000/konto/",
    )
    letter = sent[0]
    url = unsubscribe.link(user_id, Consent.REMINDERS)
    assert url.startswith("http://localhost:3000/wypisz/?token=")
    assert letter.headers == {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert url in letter.text.splitlines()
    assert url.replace("&", "&amp;") in letter.html
    message = mail.build_message(letter, get_settings())
    assert message["List-Unsubscribe"] == f"<{url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_gate_does_nothing_for_a_deleted_user(app_env, sent):
    assert notices.send_consented(424242, Consent.INFO, "review_request", "S") is False
    assert sent == []


# -- the token ------------------------------------------------------------------------------------


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
