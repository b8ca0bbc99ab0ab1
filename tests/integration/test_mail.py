"""The one mailer against a real SMTP server: a message per mail, or one connection per batch."""

from __future__ import annotations

import datetime as dt

import pytest

from fakturowo_ui.services import mail


def _letter(n: int) -> mail.Mail:
    return mail.render(
        "confirm_email",
        to=f"odbiorca{n}@example.com",
        lang="pl",
        action_url=f"/potwierdz-email/?token=t{n}",
        valid_until=dt.datetime(2027, 1, 1, 11, 0),
    )


def test_without_a_batch_every_mail_has_its_own_connection(smtp):
    for n in range(3):
        mail.send(_letter(n))
    assert len(smtp.mailbox.messages) == 3
    assert len(set(smtp.mailbox.peers)) == 3


def test_a_batch_sends_over_one_connection(smtp):
    with mail.batch():
        for n in range(5):
            mail.send(_letter(n))
    assert [str(m["To"]) for m in smtp.mailbox.messages] == [f"odbiorca{n}@example.com" for n in range(5)]
    assert len(set(smtp.mailbox.peers)) == 1


def test_a_batch_reconnects_when_the_server_dropped_the_connection(smtp):
    with mail.batch():
        mail.send(_letter(1))
        smtp.stop()
        smtp.start()
        mail.send(_letter(2))
    assert len(smtp.mailbox.messages) == 2
    assert len(set(smtp.mailbox.peers)) == 2


def test_a_refused_mail_in_a_batch_fails_alone(smtp):
    with mail.batch():
        mail.send(_letter(1))
        smtp.mailbox.refuse = True
        with pytest.raises(mail.MailError):
            mail.send(_letter(2))
        smtp.mailbox.refuse = False
        mail.send(_letter(3))
    assert [str(m["To"]) for m in smtp.mailbox.messages] == ["odbiorca1@example.com", "odbiorca3@example.com"]


def test_a_batch_with_the_server_down_raises_mail_error(smtp):
    smtp.stop()
    with mail.batch(), pytest.raises(mail.MailError):
        mail.send(_letter(1))
