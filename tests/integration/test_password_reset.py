"""A forgotten password through the service and a real SMTP server (aiosmtpd): the e-mailed link,
the new password it sets, on a real migrated SQLite file."""

from __future__ import annotations

import asyncio
import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from fakturowo_ui.db import session_scope
from fakturowo_ui.i18n import formats
from fakturowo_ui.models import OneTimeToken, User
from fakturowo_ui.services import clock, onetime, password_reset
from fakturowo_ui.services.onetime import LinkState
from tests.conftest import action_link, html_of, text_of
from tests.unit.factories import log_in, make_user, resolve, set_periodic_change

BASE = "http://localhost:3000"
EMAIL = "haslo@example.com"
NEW = "nowe haslo na wiosne 2027"
CHANGED = "Twoje hasło zostało zmienione"
RESET = "Ustaw nowe hasło"


def a_year_ago() -> dt.datetime:
    return clock.now() - dt.timedelta(days=366)


def set_user(user_id: int, **values) -> None:
    with session_scope() as session:
        session.execute(sa.update(User).where(User.id == user_id).values(**values))


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    """A refused send is tried again (tests/integration/test_slow_mail_honesty.py): at once here."""
    monkeypatch.setattr(password_reset, "RETRY_DELAYS", (0.01, 0.01))


@pytest.fixture
def user_id(smtp, frozen_clock) -> int:
    return make_user(EMAIL)


def request_and_deliver(address: str) -> None:
    async def run() -> None:
        request = await password_reset.request_reset(address, "127.0.0.1")
        await request.deliver()

    asyncio.run(run())


def test_reset_through_a_real_smtp_server(smtp, user_id, frozen_clock):
    session_token, _ = log_in(EMAIL)
    request_and_deliver(" Haslo@Example.com ")
    letter = smtp.mailbox.last(EMAIL, RESET)
    link = action_link(letter, BASE)
    assert link.startswith(f"{BASE}/reset-hasla/?token=")
    assert link in html_of(letter) and "30 minut" in text_of(letter)
    token = parse_qs(urlsplit(link).query)["token"][0]

    # Opening the link changes nothing, the session included.
    assert password_reset.inspect_reset(token) == (LinkState.VALID, EMAIL)
    assert resolve(session_token) is not None

    frozen_clock.advance(minutes=10)
    assert asyncio.run(password_reset.complete_reset(token, NEW, NEW)) == EMAIL
    assert resolve(session_token) is None
    changed = smtp.mailbox.last(EMAIL, CHANGED)
    assert formats.datetime(frozen_clock.now()) in text_of(changed)
    assert log_in(EMAIL, NEW)[1] == "/konto/"
    with session_scope() as session:
        assert session.get(User, user_id).password_changed_at == frozen_clock.now()


def test_a_reset_confirms_an_unconfirmed_address(smtp, frozen_clock):
    user_id = make_user("niepotwierdzony@example.com", confirmed=False)
    request_and_deliver("niepotwierdzony@example.com")
    link = action_link(smtp.mailbox.last("niepotwierdzony@example.com", RESET), BASE)
    asyncio.run(password_reset.complete_reset(parse_qs(urlsplit(link).query)["token"][0], NEW, NEW))
    with session_scope() as session:
        assert session.get(User, user_id).email_confirmed_at is not None
    assert log_in("niepotwierdzony@example.com", NEW)


def test_an_unknown_address_gets_no_mail_and_leaves_nothing(smtp, user_id):
    request_and_deliver("nikt@example.com")
    assert smtp.mailbox.to("nikt@example.com") == []
    with session_scope() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(OneTimeToken)) == 0


def test_a_failed_send_leaves_no_usable_link_and_supersedes_nothing(smtp, user_id, frozen_clock):
    request_and_deliver(EMAIL)
    token = parse_qs(urlsplit(action_link(smtp.mailbox.last(EMAIL, RESET), BASE)).query)["token"][0]
    smtp.mailbox.refuse = True
    frozen_clock.advance(minutes=1)
    request_and_deliver(EMAIL)  # never raises: nobody is waiting for it
    with session_scope() as session:
        rows = session.scalars(
            sa.select(OneTimeToken).where(OneTimeToken.purpose == onetime.TokenPurpose.RESET_PASSWORD)
        ).all()
    assert len(rows) == 1
    assert password_reset.inspect_reset(token)[0] is LinkState.VALID


def test_the_reset_flow_also_clears_a_due_change(smtp, user_id):
    set_periodic_change(user_id, True)
    set_user(user_id, password_changed_at=a_year_ago())
    marked, _ = log_in(EMAIL)
    request_and_deliver(EMAIL)
    link = action_link(smtp.mailbox.last(EMAIL, RESET), BASE)
    asyncio.run(password_reset.complete_reset(parse_qs(urlsplit(link).query)["token"][0], NEW, NEW))
    assert resolve(marked, allow_pending_change=True) is None
    assert log_in(EMAIL, NEW)[1] == "/konto/"
