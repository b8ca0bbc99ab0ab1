"""Registration, confirmation and login through the services, with a real SMTP server."""

import asyncio

import pytest

from fakturowo_ui import routes
from fakturowo_ui.services import accounts
from fakturowo_ui.services.errors import DomainError
from tests.conftest import action_link


def test_register_confirm_login(smtp):
    form = accounts.RegistrationForm(
        "  Jan.Kowalski@Example.COM ", "zielony slon 4ever", "zielony slon 4ever"
    )
    email = asyncio.run(accounts.register(form, "127.0.0.1"))
    assert email == "jan.kowalski@example.com"
    message = smtp.mailbox.last(email, "Potwierdź adres email")
    link = action_link(message, "http://localhost:3000")
    token = link.split("token=")[1]
    with pytest.raises(accounts.UnconfirmedAddress):
        asyncio.run(accounts.log_in(email, "zielony slon 4ever", "127.0.0.1", None))
    assert accounts.confirm_email(token).value == "valid"
    assert accounts.confirm_email(token).value == "used"
    code = asyncio.run(
        accounts.log_in("JAN.kowalski@example.com ", "zielony slon 4ever", "127.0.0.1", routes.ACCOUNT)
    )
    token, path = accounts.exchange_login_code(code)
    assert path == "/konto/" and len(token) >= 43
    assert accounts.exchange_login_code(code) is None
    with pytest.raises(DomainError) as wrong:
        asyncio.run(accounts.log_in(email, "zly", "127.0.0.1", None))
    assert wrong.value.key == "login.failed"
