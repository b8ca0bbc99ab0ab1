"""services/links.py with a real SQLite file and a real SMTP server on loopback: a link mail issues
its token, supersedes the older links and counts against its limits in one step before the mail
goes out; a mail the server refuses leaves no usable link, supersedes nothing and is not counted."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from fakturowo_ui.db import session_scope
from fakturowo_ui.services import links, mail, onetime, ratelimit
from fakturowo_ui.services.onetime import LinkState
from tests.unit.factories import make_user

PURPOSE = "reset_password"  # onetime's purpose of password-reset links
TTL = dt.timedelta(hours=1)
TWO_PER_HOUR = ratelimit.Limit("test-links", 2, dt.timedelta(hours=1))


def _letter(sent: list[str]):
    def letter_for(token: str, expires_at: dt.datetime, lang: str) -> mail.Mail:
        assert lang == "pl"  # the account's language
        sent.append(token)
        text = f"Link: http://localhost:3000/haslo/{token}\nWażny do {expires_at:%H:%M}."
        return mail.Mail(to="ania@example.com", subject="Reset hasła", text=text, html=f"<p>{token}</p>")

    return letter_for


def _send(user_id: int, sent: list[str], *, limits=()) -> dt.datetime:
    return asyncio.run(links.mail_link(user_id, PURPOSE, TTL, _letter(sent), limits=limits))


def _state(token: str) -> LinkState:
    with session_scope() as session:
        return onetime.find(session, token, PURPOSE)[0]


def test_the_mailed_link_is_valid_until_its_time_and_supersedes_the_older_one(smtp, frozen_clock):
    user_id = make_user("ania@example.com")
    sent: list[str] = []
    expires = _send(user_id, sent)
    assert expires == frozen_clock.now() + TTL
    assert [m["Subject"] for m in smtp.mailbox.to("ania@example.com")] == ["Reset hasła"]
    assert sent[0] in smtp.mailbox.messages[0].get_body(("plain",)).get_content()
    assert _state(sent[0]) is LinkState.VALID

    frozen_clock.advance(minutes=1)
    _send(user_id, sent)
    assert (_state(sent[0]), _state(sent[1])) == (LinkState.SUPERSEDED, LinkState.VALID)
    frozen_clock.advance(hours=1)
    assert _state(sent[1]) is LinkState.EXPIRED


def test_a_reached_limit_issues_and_sends_nothing(smtp, frozen_clock):
    user_id = make_user("ania@example.com")
    sent: list[str] = []
    limits = [(TWO_PER_HOUR, "ania@example.com")]
    _send(user_id, sent, limits=limits)
    _send(user_id, sent, limits=limits)
    with pytest.raises(ratelimit.RateLimited):
        _send(user_id, sent, limits=limits)
    assert len(sent) == 2 and len(smtp.mailbox.messages) == 2
    assert _state(sent[1]) is LinkState.VALID  # the refused request superseded nothing
    frozen_clock.advance(hours=1, seconds=1)
    _send(user_id, sent, limits=limits)
    assert len(smtp.mailbox.messages) == 3


def test_a_refused_mail_leaves_no_link_supersedes_nothing_and_is_not_counted(smtp, frozen_clock):
    user_id = make_user("ania@example.com")
    sent: list[str] = []
    limits = [(TWO_PER_HOUR, "ania@example.com")]
    _send(user_id, sent, limits=limits)

    smtp.mailbox.refuse = True
    for _ in range(3):  # more than the limit allows: none of them counted
        with pytest.raises(mail.MailError):
            _send(user_id, sent, limits=limits)
    assert len(sent) == 4
    assert all(_state(token) is LinkState.INVALID for token in sent[1:])  # discarded, never usable
    assert _state(sent[0]) is LinkState.VALID  # superseded, then restored

    smtp.mailbox.refuse = False
    _send(user_id, sent, limits=limits)  # the second of two allowed
    assert (_state(sent[0]), _state(sent[-1])) == (LinkState.SUPERSEDED, LinkState.VALID)
    assert len(smtp.mailbox.messages) == 2
