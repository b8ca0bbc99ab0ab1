"""The forced periodic password change at login: the marked session, the change page that alone
serves it, and the rotation that frees it, through the services and POST /auth/session."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import warnings
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from fakturowo_ui import api as api_module
from fakturowo_ui import routes
from fakturowo_ui.db import session_scope
from fakturowo_ui.models import User
from fakturowo_ui.services import accounts, clock, password_change, periodic_change, sessions
from fakturowo_ui.settings import reset_settings_cache
from fakturowo_ui.state.auth import current_user, login_redirect
from tests.unit.factories import PASSWORD, as_user, log_in, make_user, resolve, set_periodic_change

with warnings.catch_warnings():
    # Starlette's test client warns that it will want httpx2 one day; httpx is what is installed.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

BASE = "http://localhost:3000"
EMAIL = "haslo@example.com"
NEW = "nowe haslo na wiosne 2027"
SAME_ORIGIN = {"sec-fetch-site": "same-origin"}


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


def test_a_due_change_marks_the_session_and_only_the_change_page_serves_it(client, user_id, frozen_clock):
    set_periodic_change(user_id, True)
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

    code = asyncio.run(password_change.change_password(user_id, PASSWORD, NEW, NEW))
    token, path = password_change.exchange_rotation_code(code)
    assert path == "/zmiana-hasla/?zmieniono=1"
    after = resolve(token)
    assert after is not None and not after.must_change_password
    with session_scope() as session:
        option = periodic_change.periodic_change_for(session, as_user(user_id))
    assert option.enabled and not option.due
    assert option.next_change == clock.today_warsaw() + dt.timedelta(days=365)
    assert log_in(EMAIL, NEW)[1] == "/konto/"


def test_not_forced_before_the_day_or_while_the_option_is_off(user_id, frozen_clock):
    set_user(user_id, password_changed_at=a_year_ago())
    assert log_in(EMAIL)[1] == "/konto/"  # off: never forced
    set_periodic_change(user_id, True)
    set_user(user_id, password_changed_at=clock.now() - dt.timedelta(days=364))
    token, path = log_in(EMAIL)
    assert path == "/konto/" and resolve(token) is not None
    frozen_clock.advance(days=1)
    token, path = log_in(EMAIL)
    assert path == "/zmiana-hasla/" and resolve(token) is None


def test_interval_zero_forces_the_change_at_every_login(user_id, monkeypatch):
    monkeypatch.setenv("FAKTUROWO_PASSWORD_CHANGE_INTERVAL_DAYS", "0")
    reset_settings_cache()
    set_periodic_change(user_id, True)
    assert log_in(EMAIL)[1] == "/zmiana-hasla/"
    code = asyncio.run(password_change.change_password(user_id, PASSWORD, NEW, NEW))
    token, _ = password_change.exchange_rotation_code(code)
    assert not resolve(token).must_change_password  # the session that just changed it is free
    assert log_in(EMAIL, NEW)[1] == "/zmiana-hasla/"  # and the next login is forced again
