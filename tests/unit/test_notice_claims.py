"""services/notice_claims.py: the consent gate with its unsubscribe headers, the claim that lets a
scheduled mail go out once, and the run's summary line."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from fakturowo_ui.db import session_scope
from fakturowo_ui.models import SentNotice
from fakturowo_ui.services import consents, mail, notice_claims, unsubscribe
from fakturowo_ui.services.consents import Consent
from fakturowo_ui.services.notice_claims import NoticeKind
from fakturowo_ui.settings import get_settings
from tests.unit.factories import make_user


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
    params = {"action_url": "/", "account_url": "/konto/"}
    assert notice_claims.send_consented(user_id, Consent.INFO, "review_request", **params) is False
    _set_consents(user_id, reminders=False, info=True)
    assert notice_claims.send_consented(user_id, Consent.INFO, "review_request", **params) is True
    assert notice_claims.send_consented(user_id, Consent.REMINDERS, "review_request", **params) is False
    _set_consents(user_id, reminders=False, info=False)
    assert notice_claims.send_consented(user_id, Consent.INFO, "review_request", **params) is False
    assert len(sent) == 1


def test_gated_mail_carries_the_unsubscribe_headers_and_link(app_env, frozen_clock, sent):
    user_id = make_user("naglowki@example.com")
    _set_consents(user_id, reminders=True, info=False)
    notice_claims.send_consented(
        user_id,
        Consent.REMINDERS,
        "subscription_reminder",
        reminder=30,
        date=dt.date(2027, 1, 1),
        days=30,
        account_url="/konto/",
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
    assert notice_claims.send_consented(424242, Consent.INFO, "review_request") is False
    assert sent == []


# -- claim, send, confirm ------------------------------------------------------------------------


def _claim(user_id: int, period_key: str = "2027-03-31") -> int | None:
    with session_scope(write_lock=True) as session:
        return notice_claims.claim(session, user_id, NoticeKind.REMINDER_30, period_key)


def _notices(user_id: int) -> list[SentNotice]:
    with session_scope() as session:
        rows = session.scalars(sa.select(SentNotice).where(SentNotice.user_id == user_id)).all()
        session.expunge_all()
        return list(rows)


def test_a_claim_is_taken_once_per_user_kind_and_period(app_env, frozen_clock):
    user_id = make_user("raz@example.com")
    first = _claim(user_id)
    assert first is not None
    assert _claim(user_id) is None  # still sending: nobody else may
    assert _claim(user_id, "2028-03-31") is not None  # another period
    frozen_clock.advance(hours=2)
    # Unconfirmed after CLAIM_TIMEOUT: the run that made it died mid-send, so it is taken over.
    second = _claim(user_id)
    assert second is not None and second != first
    assert len(_notices(user_id)) == 2


def test_a_confirmed_notice_is_never_claimed_again(app_env, frozen_clock):
    user_id = make_user("potwierdzony@example.com")
    claim_id = _claim(user_id)
    assert notice_claims.deliver_under_claim(claim_id, lambda: True) == "sent"
    [row] = _notices(user_id)
    assert row.confirmed_at == frozen_clock.now()
    frozen_clock.advance(days=30)
    assert _claim(user_id) is None


def test_a_send_that_fails_or_sends_nothing_releases_the_claim(app_env, frozen_clock):
    user_id = make_user("zwolniony@example.com")

    def refused() -> bool:
        raise mail.MailError("the server said no")

    def broken() -> bool:
        raise RuntimeError("a bug")

    assert notice_claims.deliver_under_claim(_claim(user_id), refused) == "failed"
    assert _notices(user_id) == []
    assert notice_claims.deliver_under_claim(_claim(user_id), lambda: False) == "skipped"
    assert _notices(user_id) == []
    with pytest.raises(RuntimeError):
        notice_claims.deliver_under_claim(_claim(user_id), broken)
    assert _notices(user_id) == []


def test_the_run_summary_names_only_what_happened():
    summary = notice_claims.RunSummary()
    assert summary.line("reminders") == "reminders: 0 sent"
    for outcome in ("sent", "sent", "skipped", "failed"):
        summary.add(outcome)
    assert summary.line("reminders") == (
        "reminders: 2 sent, 1 skipped (consent withdrawn), 1 failed (retried next run)"
    )
