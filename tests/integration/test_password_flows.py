"""Password change, reset and the forced periodic change through the services, the HTTP endpoints
and a real SMTP server (aiosmtpd), on a real migrated SQLite file."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import warnings
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from passlib.context import CryptContext

from fakturowo_ui import api as api_module
from fakturowo_ui import routes
from fakturowo_ui.db import session_scope
from fakturowo_ui.models import OneTimeToken, User
from fakturowo_ui.services import accounts, clock, onetime, password_flows, passwords, sessions
from fakturowo_ui.services.onetime import LinkState
from fakturowo_ui.settings import reset_settings_cache
from fakturowo_ui.state.auth import current_user, login_redirect
from tests.conftest import action_link, html_of, text_of
from tests.unit.factories import PASSWORD, make_user

with warnings.catch_warnings():
    # Starlette's test client warns that it will want httpx2 one day; httpx is what is installed.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

BASE = "http://localhost:3000"
EMAIL = "haslo@example.com"
NEW = "nowe haslo na wiosne 2027"
CHANGED = "Twoje hasło zostało zmienione"
RESET = "Ustaw nowe hasło"
SAME_ORIGIN = {"sec-fetch-site": "same-origin"}


def log_in(email: str = EMAIL, password: str = PASSWORD) -> tuple[str, str]:
    """The whole login: password check, then the code hand-off; (session token, landing path)."""
    code = asyncio.run(accounts.log_in(email, password, "127.0.0.1", None))
    result = accounts.exchange_login_code(code)
    assert result is not None
    return result


def resolve(token: str, **kwargs) -> sessions.CurrentUser | None:
    with session_scope() as session:
        return sessions.resolve(session, token, **kwargs)


def fake_state(token: str | None, path: str = routes.ACCOUNT) -> SimpleNamespace:
    """Just enough of a Reflex state for current_user/login_redirect: the socket's cookie and URL."""
    cookie = f"{sessions.COOKIE_NAME}={token}" if token else ""
    return SimpleNamespace(
        router=SimpleNamespace(
            headers=SimpleNamespace(raw_headers={"cookie": cookie}), url=SimpleNamespace(path=path)
        )
    )


def set_user(user_id: int, **values) -> None:
    with session_scope() as session:
        session.execute(sa.update(User).where(User.id == user_id).values(**values))


def a_year_ago() -> dt.datetime:
    return clock.now() - dt.timedelta(days=366)


@pytest.fixture
def client(smtp) -> TestClient:
    return TestClient(api_module.api, base_url=BASE)


@pytest.fixture
def user_id(smtp, frozen_clock) -> int:
    return make_user(EMAIL)


# -- change -----------------------------------------------------------------------------------------


def test_change_ends_other_sessions_rotates_this_one_and_mails(smtp, client, user_id, frozen_clock):
    mine, _ = log_in()
    other_browser, _ = log_in()
    me = resolve(mine)
    code = asyncio.run(password_flows.change_password(me.user_id, PASSWORD, NEW, NEW))
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
    assert clock.format_datetime(frozen_clock.now()) in text
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
    assert asyncio.run(password_flows.change_password(user_id, PASSWORD, NEW, NEW))
    with session_scope() as session:
        assert passwords.verify_password(NEW, session.get(User, user_id).password_hash)
    assert smtp.mailbox.to(EMAIL) == []


# -- reset ------------------------------------------------------------------------------------------


def request_and_deliver(address: str) -> None:
    async def run() -> None:
        request = await password_flows.request_reset(address, "127.0.0.1")
        await request.deliver()

    asyncio.run(run())


def test_reset_through_a_real_smtp_server(smtp, user_id, frozen_clock):
    session_token, _ = log_in()
    request_and_deliver(" Haslo@Example.com ")
    letter = smtp.mailbox.last(EMAIL, RESET)
    link = action_link(letter, BASE)
    assert link.startswith(f"{BASE}/reset-hasla/?token=")
    assert link in html_of(letter) and "30 minut" in text_of(letter)
    token = parse_qs(urlsplit(link).query)["token"][0]

    # Opening the link changes nothing, the session included.
    assert password_flows.inspect_reset(token) == (LinkState.VALID, EMAIL)
    assert resolve(session_token) is not None

    frozen_clock.advance(minutes=10)
    assert asyncio.run(password_flows.complete_reset(token, NEW, NEW)) == EMAIL
    assert resolve(session_token) is None
    changed = smtp.mailbox.last(EMAIL, CHANGED)
    assert clock.format_datetime(frozen_clock.now()) in text_of(changed)
    assert log_in(EMAIL, NEW)[1] == "/konto/"
    with session_scope() as session:
        assert session.get(User, user_id).password_changed_at == frozen_clock.now()


def test_a_reset_confirms_an_unconfirmed_address(smtp, frozen_clock):
    user_id = make_user("niepotwierdzony@example.com", confirmed=False)
    request_and_deliver("niepotwierdzony@example.com")
    link = action_link(smtp.mailbox.last("niepotwierdzony@example.com", RESET), BASE)
    asyncio.run(password_flows.complete_reset(parse_qs(urlsplit(link).query)["token"][0], NEW, NEW))
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
    assert password_flows.inspect_reset(token)[0] is LinkState.VALID


# -- the periodic change ---------------------------------------------------------------------------


def test_a_due_change_marks_the_session_and_only_the_change_page_serves_it(client, user_id, frozen_clock):
    password_flows.set_periodic_change(user_id, True)
    set_user(user_id, password_changed_at=a_year_ago())

    code = asyncio.run(accounts.log_in(EMAIL, PASSWORD, "127.0.0.1", routes.CLIENTS))
    response = client.post(
        routes.AUTH_SESSION, data={"code": code}, headers=SAME_ORIGIN, follow_redirects=False
    )
    assert response.headers["location"] == "/zmiana-hasla/"
    token = re.search(rf"{sessions.COOKIE_NAME}=([^;]+)", response.headers["set-cookie"]).group(1)

    # The server refuses the session everywhere but the password-change page...
    assert resolve(token) is None
    pending = resolve(token, allow_pending_change=True)
    assert pending is not None and pending.must_change_password
    state = fake_state(token, routes.ACCOUNT)
    assert current_user(state) is None
    assert current_user(state, allow_pending_change=True).user_id == user_id
    # ...and every other page sends it there, not to the login page.
    assert "/zmiana-hasla/" in str(login_redirect(state).args)
    assert "/logowanie/" in str(login_redirect(fake_state(None)).args)

    code = asyncio.run(password_flows.change_password(user_id, PASSWORD, NEW, NEW))
    token, path = password_flows.exchange_rotation_code(code)
    assert path == "/zmiana-hasla/?zmieniono=1"
    after = resolve(token)
    assert after is not None and not after.must_change_password
    option = password_flows.periodic_change(user_id)
    assert option.enabled and not option.due
    assert option.next_change == clock.today_warsaw() + dt.timedelta(days=365)
    assert log_in(EMAIL, NEW)[1] == "/konto/"


def test_not_forced_before_the_day_or_while_the_option_is_off(user_id, frozen_clock):
    set_user(user_id, password_changed_at=a_year_ago())
    assert log_in()[1] == "/konto/"  # off: never forced
    password_flows.set_periodic_change(user_id, True)
    set_user(user_id, password_changed_at=clock.now() - dt.timedelta(days=364))
    token, path = log_in()
    assert path == "/konto/" and resolve(token) is not None
    frozen_clock.advance(days=1)
    token, path = log_in()
    assert path == "/zmiana-hasla/" and resolve(token) is None


def test_interval_zero_forces_the_change_at_every_login(user_id, monkeypatch):
    monkeypatch.setenv("FAKTUROWO_PASSWORD_CHANGE_INTERVAL_DAYS", "0")
    reset_settings_cache()
    password_flows.set_periodic_change(user_id, True)
    assert log_in()[1] == "/zmiana-hasla/"
    code = asyncio.run(password_flows.change_password(user_id, PASSWORD, NEW, NEW))
    token, _ = password_flows.exchange_rotation_code(code)
    assert not resolve(token).must_change_password  # the session that just changed it is free
    assert log_in(EMAIL, NEW)[1] == "/zmiana-hasla/"  # and the next login is forced again


def test_the_reset_flow_also_clears_a_due_change(smtp, user_id):
    password_flows.set_periodic_change(user_id, True)
    set_user(user_id, password_changed_at=a_year_ago())
    marked, _ = log_in()
    request_and_deliver(EMAIL)
    link = action_link(smtp.mailbox.last(EMAIL, RESET), BASE)
    asyncio.run(password_flows.complete_reset(parse_qs(urlsplit(link).query)["token"][0], NEW, NEW))
    assert resolve(marked, allow_pending_change=True) is None
    assert log_in(EMAIL, NEW)[1] == "/konto/"


def test_a_hash_with_older_parameters_is_upgraded_at_login(user_id):
    weak = CryptContext(
        schemes=["argon2"],
        argon2__type="ID",
        argon2__memory_cost=512,
        argon2__time_cost=1,
        argon2__parallelism=1,
    ).hash(PASSWORD)
    set_user(user_id, password_hash=weak)
    assert passwords.needs_rehash(weak)
    with pytest.raises(accounts.DomainError):
        log_in(EMAIL, "zle haslo zle haslo")
    with session_scope() as session:
        assert session.get(User, user_id).password_hash == weak  # a wrong password upgrades nothing
    log_in()
    with session_scope() as session:
        upgraded = session.get(User, user_id).password_hash
    assert upgraded != weak and not passwords.needs_rehash(upgraded)
    assert f"m={passwords.ARGON2_MEMORY_KIB}" in upgraded
    assert passwords.verify_password(PASSWORD, upgraded)
    log_in()  # and the upgraded hash works
