"""Changing the password while logged in, through the service, POST /auth/rotate and a real SMTP
server (aiosmtpd), on a real migrated SQLite file."""

from __future__ import annotations

import asyncio
import re
import warnings

import pytest

from fakturowo_ui import api as api_module
from fakturowo_ui import routes
from fakturowo_ui.db import session_scope
from fakturowo_ui.i18n import formats
from fakturowo_ui.models import User
from fakturowo_ui.services import accounts, password_change, passwords, sessions
from tests.conftest import action_link, html_of, text_of
from tests.unit.factories import PASSWORD, log_in, make_user, resolve

with warnings.catch_warnings():
    # Starlette's test client warns that it will want httpx2 one day; httpx is what is installed.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

BASE = "http://localhost:3000"
EMAIL = "haslo@example.com"
NEW = "nowe haslo na wiosne 2027"
CHANGED = "Twoje hasło zostało zmienione"
SAME_ORIGIN = {"sec-fetch-site": "same-origin"}


@pytest.fixture
def client(smtp) -> TestClient:
    return TestClient(api_module.api, base_url=BASE)


@pytest.fixture
def user_id(smtp, frozen_clock) -> int:
    return make_user(EMAIL)


def test_change_ends_other_sessions_rotates_this_one_and_mails(smtp, client, user_id, frozen_clock):
    mine, _ = log_in(EMAIL)
    other_browser, _ = log_in(EMAIL)
    me = resolve(mine)
    code = asyncio.run(password_change.change_password(me.user_id, PASSWORD, NEW, NEW))
    # Every session ended: the other browser at once, this tab's old token too.
    assert resolve(other_browser) is None and resolve(mine) is None

    response = client.post(
        routes.AUTH_ROTATE, data={"code": code}, headers=SAME_ORIGIN, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/zmiana-hasla/?zmieniono=1"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    new_token = re.search(rf"{sessions.COOKIE_NAME}=([^;]+)", cookie).group(1)
    assert new_token not in (mine, other_browser)
    fresh = resolve(new_token)
    assert fresh is not None and fresh.user_id == user_id and not fresh.must_change_password
    # The code worked once.
    again = client.post(routes.AUTH_ROTATE, data={"code": code}, headers=SAME_ORIGIN, follow_redirects=False)
    assert again.headers["location"].startswith("/logowanie/")

    letter = smtp.mailbox.last(EMAIL, CHANGED)
    text = text_of(letter)
    assert formats.datetime(frozen_clock.now()) in text
    assert action_link(letter, BASE) == f"{BASE}/reset-hasla/"
    assert "Jeśli to nie Ty" in text and "Jeśli to nie Ty" in html_of(letter)
    for secret in (NEW, PASSWORD, code, new_token, mine):
        assert secret not in text and secret not in html_of(letter)

    with pytest.raises(accounts.DomainError):
        log_in(EMAIL, PASSWORD)
    assert log_in(EMAIL, NEW)[1] == "/konto/"


def test_rotate_refuses_a_cross_site_post_and_a_bad_code(client, user_id):
    forbidden = client.post(
        routes.AUTH_ROTATE,
        data={"code": "x" * 43},
        headers={"sec-fetch-site": "cross-site"},
        follow_redirects=False,
    )
    assert forbidden.status_code == 403
    bad = client.post(
        routes.AUTH_ROTATE, data={"code": "x" * 43}, headers=SAME_ORIGIN, follow_redirects=False
    )
    assert bad.status_code == 303 and bad.headers["location"] == "/logowanie/?blad=kod"
    assert 'fakturowo_session=""' in bad.headers["set-cookie"] or "Max-Age=0" in bad.headers["set-cookie"]


def test_a_login_code_is_not_a_rotation_code(client, user_id):
    code = asyncio.run(accounts.log_in(EMAIL, PASSWORD, "127.0.0.1", None))
    response = client.post(
        routes.AUTH_ROTATE, data={"code": code}, headers=SAME_ORIGIN, follow_redirects=False
    )
    assert response.headers["location"] == "/logowanie/?blad=kod"


def test_the_change_stands_when_the_mail_server_is_down(smtp, user_id):
    smtp.mailbox.refuse = True
    assert asyncio.run(password_change.change_password(user_id, PASSWORD, NEW, NEW))
    with session_scope() as session:
        assert passwords.verify_password(NEW, session.get(User, user_id).password_hash)
    assert smtp.mailbox.to(EMAIL) == []
