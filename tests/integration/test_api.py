"""The plain HTTP endpoints: the cookie hand-off, logout, the local outbox and the security headers."""

from __future__ import annotations

import asyncio
import datetime as dt
import warnings

import pytest

from fakturowo_ui import routes
from fakturowo_ui.api import api, security_headers
from fakturowo_ui.db import session_scope
from fakturowo_ui.i18n import LANGUAGE_COOKIE
from fakturowo_ui.models import AuthSession, User
from fakturowo_ui.services import accounts, mail, sessions
from fakturowo_ui.services.tokens import digest
from fakturowo_ui.settings import reset_settings_cache
from tests.unit.factories import PASSWORD, count_rows, make_user

with warnings.catch_warnings():
    # Starlette 1.x nudges towards httpx2; the httpx-based client works the same for these tests.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

BASE_URL = "http://localhost:3000"
EMAIL = "api@example.com"
SAME_ORIGIN = {"sec-fetch-site": "same-origin"}
LOOPBACK = ("127.0.0.1", 1234)


def client_for(client_address=LOOPBACK, base_url: str = BASE_URL) -> TestClient:
    return TestClient(security_headers(api), base_url=base_url, client=client_address, follow_redirects=False)


def login_code(next_path: str | None = None) -> str:
    return asyncio.run(accounts.log_in(EMAIL, PASSWORD, "127.0.0.1", next_path))


def set_cookies(response) -> list[str]:
    """The Set-Cookie headers of the session cookie (the language cookie is checked on its own)."""
    return [h for h in response.headers.get_list("set-cookie") if not h.startswith(LANGUAGE_COOKIE + "=")]


def language_cookies(response) -> list[str]:
    return [h for h in response.headers.get_list("set-cookie") if h.startswith(LANGUAGE_COOKIE + "=")]


def cookie_attributes(header: str) -> tuple[str, str, dict[str, str]]:
    parts = [part.strip() for part in header.split(";")]
    name, value = parts[0].split("=", 1)
    attributes = {}
    for part in parts[1:]:
        key, _, val = part.partition("=")
        attributes[key.lower()] = val
    return name, value, attributes


@pytest.fixture
def user(app_env, frozen_clock) -> int:
    return make_user(EMAIL)


@pytest.fixture
def http() -> TestClient:
    with client_for() as client:
        yield client


def assert_security_headers(response) -> None:
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_a_valid_code_sets_the_session_cookie(user, http):
    response = http.post(routes.AUTH_SESSION, data={"code": login_code(routes.CLIENTS)}, headers=SAME_ORIGIN)
    assert response.status_code == 303
    assert response.headers["location"] == "/klienci/"
    assert response.headers["cache-control"] == "no-store"
    assert_security_headers(response)
    [header] = set_cookies(response)
    name, token, attributes = cookie_attributes(header)
    assert name == sessions.COOKIE_NAME
    assert "httponly" in attributes
    assert attributes["samesite"].lower() == "lax"
    assert attributes["path"] == "/"
    assert "secure" not in attributes
    assert int(attributes["max-age"]) == int(sessions.ABSOLUTE_LIFETIME.total_seconds())
    assert count_rows(AuthSession, AuthSession.token_hash == digest(token), AuthSession.user_id == user) == 1


def test_the_origin_header_alone_is_enough_from_our_own_origin(user, http):
    response = http.post(routes.AUTH_SESSION, data={"code": login_code()}, headers={"origin": BASE_URL})
    assert response.status_code == 303 and response.headers["location"] == "/konto/"
    assert set_cookies(response)


def test_the_cookie_is_secure_under_https(user, monkeypatch):
    monkeypatch.setenv("FAKTUROWO_BASE_URL", "https://faktury.example.pl")
    reset_settings_cache()
    with client_for(base_url="https://faktury.example.pl") as client:
        response = client.post(
            routes.AUTH_SESSION, data={"code": login_code()}, headers={"origin": "https://faktury.example.pl"}
        )
    assert response.status_code == 303
    [header] = set_cookies(response)
    _name, _token, attributes = cookie_attributes(header)
    assert "secure" in attributes and "httponly" in attributes
    assert attributes["samesite"].lower() == "lax"


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site"},
        {"sec-fetch-site": "none"},
        {"sec-fetch-site": "cross-site", "origin": BASE_URL},
        {"origin": "https://evil.example"},
        {"origin": "http://localhost:3000.evil.example"},
        {"origin": "null"},
        {},
    ],
    ids=[
        "cross-site",
        "same-site",
        "none",
        "cross-site-with-our-origin",
        "foreign-origin",
        "lookalike-origin",
        "null-origin",
        "no-headers",
    ],
)
def test_a_cross_site_post_is_refused_and_sets_nothing(user, http, headers):
    code = login_code()
    response = http.post(routes.AUTH_SESSION, data={"code": code}, headers=headers)
    assert response.status_code == 403
    assert set_cookies(response) == []
    assert count_rows(AuthSession) == 0
    assert_security_headers(response)
    # The refused post consumed nothing: the page's own post still works.
    assert http.post(routes.AUTH_SESSION, data={"code": code}, headers=SAME_ORIGIN).status_code == 303


def test_a_replayed_code_fails(user, http):
    code = login_code()
    assert http.post(routes.AUTH_SESSION, data={"code": code}, headers=SAME_ORIGIN).status_code == 303
    replay = http.post(routes.AUTH_SESSION, data={"code": code}, headers=SAME_ORIGIN)
    assert replay.status_code == 303
    assert replay.headers["location"] == "/logowanie/?blad=kod"
    assert set_cookies(replay) == []
    assert count_rows(AuthSession) == 1


def test_an_expired_code_fails(user, http, frozen_clock):
    code = login_code()
    frozen_clock.advance(seconds=61)
    response = http.post(routes.AUTH_SESSION, data={"code": code}, headers=SAME_ORIGIN)
    assert response.headers["location"] == "/logowanie/?blad=kod"
    assert set_cookies(response) == [] and count_rows(AuthSession) == 0


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"code": ""},
        {"code": "nie-ma-takiego-kodu-0123456789"},
        {"code": "<script>alert(1)</script>"},
        {"code": "x" * 4000},
        {"other": "1"},
    ],
)
def test_junk_gives_the_login_page_and_no_cookie(user, http, body):
    response = http.post(routes.AUTH_SESSION, data=body, headers=SAME_ORIGIN)
    assert response.status_code == 303
    assert response.headers["location"] == "/logowanie/?blad=kod"
    assert set_cookies(response) == []


def test_an_oversized_body_with_a_valid_code_gives_no_session(user, http):
    """Over the 4 KB form limit the body is not read on (issue 14, tests/integration/test_request_limits.py)."""
    response = http.post(
        routes.AUTH_SESSION, data={"code": login_code(), "padding": "x" * 10_000}, headers=SAME_ORIGIN
    )
    assert response.status_code == 413
    assert response.headers["cache-control"] == "no-store"
    assert set_cookies(response) == [] and count_rows(AuthSession) == 0


def test_get_on_the_session_endpoint_is_not_allowed(user, http):
    response = http.get(routes.AUTH_SESSION, params={"code": login_code()})
    assert response.status_code == 405
    assert count_rows(AuthSession) == 0
    assert_security_headers(response)


def _logged_in(http) -> str:
    response = http.post(routes.AUTH_SESSION, data={"code": login_code()}, headers=SAME_ORIGIN)
    _name, token, _attributes = cookie_attributes(set_cookies(response)[0])
    return token


def test_logout_ends_the_session_and_clears_the_cookie(user, http):
    token = _logged_in(http)
    other = _logged_in(http)  # another browser of the same user
    response = http.post(
        routes.AUTH_LOGOUT, headers={**SAME_ORIGIN, "cookie": f"{sessions.COOKIE_NAME}={token}"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/logowanie/?wylogowano=1"
    assert_security_headers(response)
    assert count_rows(AuthSession, AuthSession.token_hash == digest(token)) == 0
    assert count_rows(AuthSession, AuthSession.token_hash == digest(other)) == 1
    [header] = set_cookies(response)
    name, value, attributes = cookie_attributes(header)
    assert name == sessions.COOKIE_NAME
    assert value in ("", '""')
    assert attributes.get("max-age") == "0" or "1970" in attributes.get("expires", "")
    assert "httponly" in attributes and attributes["path"] == "/"


def test_a_cross_site_logout_is_refused(user, http):
    token = _logged_in(http)
    response = http.post(
        routes.AUTH_LOGOUT,
        headers={"sec-fetch-site": "cross-site", "cookie": f"{sessions.COOKIE_NAME}={token}"},
    )
    assert response.status_code == 403
    assert set_cookies(response) == []
    assert count_rows(AuthSession, AuthSession.token_hash == digest(token)) == 1


def test_logout_without_a_session_still_clears_the_cookie(app_env, http):
    response = http.post(routes.AUTH_LOGOUT, headers=SAME_ORIGIN)
    assert response.status_code == 303
    assert len(set_cookies(response)) == 1


def _mail_to_outbox() -> None:
    letter = mail.render(
        "confirm_email",
        to="skrzynka@example.com",
        lang="pl",
        action_url="/potwierdz-email/?token=abc",
        valid_until=dt.datetime(2026, 11, 24, 12, 0),
    )
    mail.send(letter)


def test_the_outbox_page_serves_loopback_clients(app_env, http):
    empty = http.get(routes.DEV_OUTBOX)
    assert empty.status_code == 200
    assert "pusta" in empty.text
    _mail_to_outbox()
    response = http.get(routes.DEV_OUTBOX)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert_security_headers(response)
    assert "Potwierdź adres email" in response.text
    assert f'<a href="{BASE_URL}/potwierdz-email/?token=abc">' in response.text
    with client_for(("::1", 1234)) as ipv6:
        assert ipv6.get(routes.DEV_OUTBOX).status_code == 200


@pytest.mark.parametrize(
    "client_address", [("testclient", 50000), ("203.0.113.5", 1234), ("10.0.0.2", 1234), ("", 0)]
)
def test_the_outbox_page_refuses_other_clients(app_env, client_address):
    _mail_to_outbox()
    with client_for(client_address) as client:
        response = client.get(routes.DEV_OUTBOX)
    assert response.status_code == 404
    assert "skrzynka@example.com" not in response.text and "token" not in response.text
    assert_security_headers(response)


def test_the_outbox_page_is_gone_when_smtp_is_configured(smtp, http):
    _mail_to_outbox()  # goes out over SMTP now
    assert smtp.mailbox.to("skrzynka@example.com")
    response = http.get(routes.DEV_OUTBOX)
    assert response.status_code == 404
    assert_security_headers(response)


def test_every_response_carries_the_security_headers(app_env, http):
    for response in (
        http.get("/nie-ma-takiej-strony"),
        http.post(routes.DEV_OUTBOX),
        http.post(routes.AUTH_SESSION, headers={"sec-fetch-site": "cross-site"}),
        http.post(routes.AUTH_SESSION, headers=SAME_ORIGIN),
        http.get(routes.DEV_OUTBOX),
    ):
        assert_security_headers(response)


def test_outbox_treats_ipv4_mapped_loopback_as_local():
    from fakturowo_ui.api import _is_loopback

    class Request:
        def __init__(self, host):
            self.client = type("Client", (), {"host": host})()

    assert _is_loopback(Request("::ffff:127.0.0.1"))
    assert _is_loopback(Request("::1")) and _is_loopback(Request("127.0.0.1"))
    assert not _is_loopback(Request("::ffff:10.0.0.1")) and not _is_loopback(Request("testclient"))


def test_login_lands_in_the_accounts_language_and_remembers_it_in_the_browser(user, http):
    response = http.post(routes.AUTH_SESSION, data={"code": login_code(routes.CLIENTS)}, headers=SAME_ORIGIN)
    assert response.headers["location"] == "/klienci/"
    [polish] = language_cookies(response)
    assert polish.startswith(f"{LANGUAGE_COOKIE}=pl;") and "httponly" not in polish.lower()

    with session_scope() as session:
        session.get_one(User, user).language = "en"
    response = http.post(routes.AUTH_SESSION, data={"code": login_code(routes.CLIENTS)}, headers=SAME_ORIGIN)
    assert response.headers["location"] == "/en/klienci/"
    [english] = language_cookies(response)
    assert english.startswith(f"{LANGUAGE_COOKIE}=en;")
    # A "next" given as an English address is the same page: the account's language decides.
    with session_scope() as session:
        session.get_one(User, user).language = "pl"
    response = http.post(routes.AUTH_SESSION, data={"code": login_code("/en/produkty/")}, headers=SAME_ORIGIN)
    assert response.headers["location"] == "/produkty/"


def test_logout_goes_to_the_login_page_in_the_browsers_language(user, http):
    http.cookies.set(LANGUAGE_COOKIE, "en")
    response = http.post(routes.AUTH_LOGOUT, headers=SAME_ORIGIN)
    assert response.headers["location"] == "/en" + routes.LOGGED_OUT
    http.cookies.set(LANGUAGE_COOKIE, "xx")
    response = http.post(routes.AUTH_LOGOUT, headers=SAME_ORIGIN)
    assert response.headers["location"] == routes.LOGGED_OUT
