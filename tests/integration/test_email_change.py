"""Changing the account's address through the services, with a real SQLite file and SMTP server."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlparse

import pytest

from fakturowo_ui.db import session_scope
from fakturowo_ui.models import User
from fakturowo_ui.services import email_change
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.services.onetime import LinkState
from tests.conftest import action_link
from tests.unit.factories import PASSWORD, log_in, make_user, resolve

BASE = "http://localhost:3000"


def _token(message) -> str:
    link = action_link(message, BASE)
    assert urlparse(link).path == "/potwierdz-nowy-email/"
    return parse_qs(urlparse(link).query)["token"][0]


def test_the_whole_change(smtp):
    user_id = make_user("jan.kowalski@example.pl")
    kept, _ = log_in("jan.kowalski@example.pl")
    other, _ = log_in("jan.kowalski@example.pl")
    asyncio.run(email_change.request_change(user_id, " Nowy.Adres@Example.COM ", PASSWORD))
    link_mail = smtp.mailbox.last("nowy.adres@example.com", "Potwierdź nowy adres email")
    notice = smtp.mailbox.last("jan.kowalski@example.pl", "Zmiana adresu email")
    assert "n***@e***.com" in notice.get_body(preferencelist=("plain",)).get_content()
    token = _token(link_mail)
    # The account keeps its address until the link is used; opening it changes nothing.
    assert email_change.inspect_link(token).new_email == "nowy.adres@example.com"
    with session_scope() as session:
        assert session.get_one(User, user_id).email == "jan.kowalski@example.pl"
    result = email_change.confirm_change(token, kept)
    assert result.outcome is email_change.Outcome.CHANGED and result.kept_session
    with session_scope() as session:
        assert session.get_one(User, user_id).email == "nowy.adres@example.com"
    assert resolve(kept) is not None and resolve(other) is None
    again = email_change.confirm_change(token, None)
    assert again.link_state is LinkState.USED
    assert email_change.inspect_link(token).state is LinkState.USED


@pytest.mark.parametrize(
    ("new", "field"),
    [
        ("", "new_email"),
        ("nie-adres", "new_email"),
        ("jan@example.pl", "new_email"),
        ("<b>@x.pl", "new_email"),
    ],
)
def test_bad_addresses_change_nothing(smtp, new, field):
    user_id = make_user("jan@example.pl")
    with pytest.raises(DomainError) as refused:
        asyncio.run(email_change.request_change(user_id, new, PASSWORD))
    assert field in refused.value.params["errors"]
    assert smtp.mailbox.messages == []


def test_wrong_password_and_taken_address(smtp):
    user_id = make_user("jan@example.pl")
    make_user("zajety@example.pl")
    with pytest.raises(DomainError) as refused:
        asyncio.run(email_change.request_change(user_id, "nowy@example.pl", "zle haslo"))
    assert "nieprawidłowe hasło" in refused.value.params["errors"]["password"].lower()
    with pytest.raises(DomainError) as refused:
        asyncio.run(email_change.request_change(user_id, "zajety@example.pl", PASSWORD))
    assert "innego konta" in refused.value.params["errors"]["new_email"]
    assert smtp.mailbox.messages == []
