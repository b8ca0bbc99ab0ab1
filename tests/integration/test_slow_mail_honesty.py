"""A slow or failing mail server, said as it happened (issue 13), with a real SMTP server on loopback.

- A server that takes the whole message and confirms it only after our timeout: the mail may
  arrive, so the page says so (not "failed") and the link in the mail keeps working.
- A server that refuses or is down: nothing sent, no link left, the page says it failed.
- "Wyślij link" for a reset answers "wysyłamy" before sending (the answer must not tell whether the
  address has an account), so a server that is down is tried again until the mail goes out.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
import sqlalchemy as sa

from fakturowo_ui.db import session_scope
from fakturowo_ui.models import OneTimeToken, User
from fakturowo_ui.services import accounts, deletion, mail, onetime, password_reset
from fakturowo_ui.services.errors import DomainError
from tests.conftest import action_link
from tests.unit.factories import PASSWORD, make_user

BASE = "http://localhost:3000"
CONFIRM = "Potwierdź adres email"
RESET = "Ustaw nowe hasło"


@pytest.fixture
def short_timeout(monkeypatch):
    monkeypatch.setattr(mail, "SMTP_TIMEOUT_SECONDS", 1)


def tokens(purpose: onetime.TokenPurpose) -> list[OneTimeToken]:
    with session_scope() as session:
        return list(session.scalars(sa.select(OneTimeToken).where(OneTimeToken.purpose == purpose)).all())


def register(email: str) -> str:
    form = accounts.RegistrationForm(email, PASSWORD, PASSWORD)
    return asyncio.run(accounts.register(form, "127.0.0.1"))


def test_a_mail_taken_but_confirmed_late_is_not_called_failed_and_its_link_works(smtp, short_timeout):
    smtp.mailbox.late_seconds = 3
    started = time.monotonic()
    with pytest.raises(DomainError) as said:
        register("pozno@example.com")
    assert time.monotonic() - started < 3  # answered at our timeout, not the server's pace
    assert said.value.key == "register.mail_uncertain"
    text = said.value.message()
    assert "pozno@example.com" in text and "może dotrzeć z opóźnieniem" in text and "nie udało" not in text
    # The mail did arrive, and the link it carries confirms the address.
    letter = smtp.mailbox.last("pozno@example.com", CONFIRM)
    assert len(tokens(onetime.TokenPurpose.CONFIRM_EMAIL)) == 1
    token = action_link(letter, BASE).split("token=")[1]
    accounts.confirm_email(token)
    with session_scope() as session:
        user = session.scalar(sa.select(User).where(User.email == "pozno@example.com"))
        assert user is not None and user.email_confirmed_at is not None


def test_a_refused_mail_is_called_failed_and_leaves_no_link(smtp, short_timeout):
    smtp.mailbox.refuse = True
    with pytest.raises(DomainError) as said:
        register("odmowa@example.com")
    assert said.value.key == "register.mail_failed"
    assert tokens(onetime.TokenPurpose.CONFIRM_EMAIL) == []


def test_a_server_that_is_down_is_called_failed(smtp, short_timeout):
    smtp.stop()
    with pytest.raises(DomainError) as said:
        register("wylaczony@example.com")
    assert said.value.key == "register.mail_failed"
    assert tokens(onetime.TokenPurpose.CONFIRM_EMAIL) == []


def test_a_deletion_link_confirmed_late_keeps_the_link_and_says_so(smtp, short_timeout, frozen_clock):
    user_id = make_user("usun-pozno@example.com")
    smtp.mailbox.late_seconds = 3
    with pytest.raises(DomainError) as said:
        asyncio.run(deletion.request_deletion(user_id, box_ticked=True))
    assert said.value.key == "deletion.mail_uncertain"
    assert "Konto nie zostało usunięte" in said.value.message()
    assert len(tokens(onetime.TokenPurpose.DELETE_ACCOUNT)) == 1
    assert smtp.mailbox.last("usun-pozno@example.com", "Potwierdź usunięcie konta")


def test_a_reset_mail_is_tried_again_until_the_server_is_back(smtp, short_timeout, monkeypatch):
    make_user("reset-pozniej@example.com")
    monkeypatch.setattr(password_reset, "RETRY_DELAYS", (1.5, 1.5))
    smtp.stop()
    threading.Timer(2.0, smtp.start).start()  # back during the first wait

    async def run() -> None:
        request = await password_reset.request_reset("reset-pozniej@example.com", "127.0.0.1")
        await request.deliver()

    asyncio.run(run())
    letter = smtp.mailbox.last("reset-pozniej@example.com", RESET)
    assert len(tokens(onetime.TokenPurpose.RESET_PASSWORD)) == 1  # the failed tries left nothing
    token = action_link(letter, BASE).split("token=")[1]
    assert password_reset.inspect_reset(token)[0] is onetime.LinkState.VALID


def test_a_reset_mail_is_not_sent_twice_when_the_server_confirmed_late(smtp, short_timeout, monkeypatch):
    make_user("reset-raz@example.com")
    monkeypatch.setattr(password_reset, "RETRY_DELAYS", (0.2,))
    smtp.mailbox.late_seconds = 2

    async def run() -> None:
        request = await password_reset.request_reset("reset-raz@example.com", "127.0.0.1")
        await request.deliver()

    asyncio.run(run())
    time.sleep(2.5)
    assert len(smtp.mailbox.to("reset-raz@example.com")) == 1
    token = action_link(smtp.mailbox.last("reset-raz@example.com", RESET), BASE).split("token=")[1]
    assert password_reset.inspect_reset(token)[0] is onetime.LinkState.VALID
