"""The review request "Podziel się opinią o Fakturowo" (issue 5): the daily job against a real SMTP
server on loopback, once per user from 14 days after registration, with the informational consent."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from fakturowo_ui import jobs
from fakturowo_ui.db import session_scope
from fakturowo_ui.models import Subscription
from fakturowo_ui.services import clock, consents
from tests.conftest import action_link
from tests.unit.factories import make_user

BASE = "http://localhost:3000"
REVIEW = "Podziel się opinią o Fakturowo"


def daily(day: dt.date) -> int:
    return jobs.main(["daily", "--date", day.isoformat()])


def consenting_user(email: str, last_day: dt.date, *, reminders: bool = True, info: bool = False) -> int:
    """A confirmed account with the given consents whose trial ends on last_day."""
    user_id = make_user(email)
    with session_scope() as session:
        consents.save(session, user_id, reminders=reminders, info=info, source="account")
        session.execute(
            sa.update(Subscription).where(Subscription.user_id == user_id).values(trial_ends_on=last_day)
        )
    return user_id


def subjects(smtp, email: str) -> list[str]:
    return [str(m["Subject"]) for m in smtp.mailbox.to(email)]


def test_review_request_once_from_14_days_with_the_info_consent(smtp, frozen_clock):
    today = clock.today_warsaw()
    consenting_user("opinia@example.com", today + dt.timedelta(days=100), reminders=False, info=True)
    consenting_user("bez-informacji@example.com", today + dt.timedelta(days=100), reminders=True)
    daily(today + dt.timedelta(days=13))
    assert subjects(smtp, "opinia@example.com") == []
    daily(today + dt.timedelta(days=14))
    daily(today + dt.timedelta(days=15))
    daily(today + dt.timedelta(days=90))
    assert subjects(smtp, "opinia@example.com") == [REVIEW]
    assert REVIEW not in subjects(smtp, "bez-informacji@example.com")
    letter = smtp.mailbox.last("opinia@example.com", REVIEW)
    assert action_link(letter, BASE) == f"{BASE}/opinia/"  # the feedback form (issue 13), not the home page
    assert letter["List-Unsubscribe"].startswith(f"<{BASE}/wypisz/?token=")
    assert letter["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_review_request_follows_a_consent_given_later(smtp, frozen_clock):
    today = clock.today_warsaw()
    user_id = consenting_user("pozniej@example.com", today + dt.timedelta(days=100), reminders=False)
    daily(today + dt.timedelta(days=20))
    assert subjects(smtp, "pozniej@example.com") == []
    with session_scope() as session:
        consents.save(session, user_id, reminders=False, info=True, source="account")
    daily(today + dt.timedelta(days=21))
    assert subjects(smtp, "pozniej@example.com") == [REVIEW]
