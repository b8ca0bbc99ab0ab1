"""Consents and reminders (issue 5): the one-click unsubscribe POST over HTTP, and the link's page state."""

from __future__ import annotations

import warnings

import pytest
import sqlalchemy as sa

from fakturowo_ui import routes
from fakturowo_ui.api import api, security_headers
from fakturowo_ui.db import session_scope
from fakturowo_ui.models import ConsentRecord, User
from fakturowo_ui.services import consents, unsubscribe
from fakturowo_ui.services.consents import Consent
from tests.unit.factories import count_rows, make_user

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

BASE_URL = "http://localhost:3000"
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def http():
    # A mail provider's server: no cookie, no Origin, no Sec-Fetch-Site.
    with TestClient(security_headers(api), base_url=BASE_URL, follow_redirects=False) as client:
        yield client


@pytest.fixture
def user_id(app_env, frozen_clock) -> int:
    user_id = make_user("jedno-klikniecie@example.com")
    with session_scope() as session:
        consents.save(session, user_id, reminders=True, info=True, source="registration")
    return user_id


def current(user_id: int) -> tuple[bool, bool]:
    with session_scope() as session:
        user = session.get(User, user_id)
        return user.reminder_consent, user.info_consent


def path_of(url: str) -> str:
    return url.removeprefix(BASE_URL)


def test_one_click_post_withdraws_without_cookie_or_origin(http, user_id):
    url = unsubscribe.link(user_id, Consent.REMINDERS)
    response = http.post(path_of(url), data=ONE_CLICK)
    assert response.status_code == 200
    assert "Wypisano" in response.text
    assert response.headers["cache-control"] == "no-store"
    assert "set-cookie" not in response.headers
    assert current(user_id) == (False, True)
    with session_scope() as session:
        record = session.scalars(sa.select(ConsentRecord).where(ConsentRecord.source == "unsubscribe")).one()
    assert (record.consent, record.given, record.user_id) == (Consent.REMINDERS, False, user_id)

    # Again: still 200, nothing more recorded.
    again = http.post(path_of(url), data=ONE_CLICK)
    assert again.status_code == 200 and "już wycofana" in again.text
    assert count_rows(ConsentRecord, ConsentRecord.source == "unsubscribe") == 1


def test_one_click_post_as_multipart_and_without_the_trailing_slash(http, user_id):
    url = unsubscribe.link(user_id, Consent.INFO)
    response = http.post(
        path_of(url).replace(routes.UNSUBSCRIBE, routes.UNSUBSCRIBE.rstrip("/")),
        files={"List-Unsubscribe": (None, "One-Click")},
    )
    assert response.status_code == 200
    assert current(user_id) == (True, False)


def test_a_cross_site_post_is_accepted_too(http, user_id):
    """The token is the authority: a foreign Origin or Sec-Fetch-Site changes nothing."""
    url = unsubscribe.link(user_id, Consent.INFO)
    response = http.post(
        path_of(url),
        data=ONE_CLICK,
        headers={"origin": "https://mail.example.net", "sec-fetch-site": "cross-site"},
    )
    assert response.status_code == 200
    assert current(user_id) == (True, False)


def test_post_without_the_one_click_body_changes_nothing(http, user_id):
    url = unsubscribe.link(user_id, Consent.REMINDERS)
    for data in ({}, {"List-Unsubscribe": "yes"}, {"unsubscribe": "One-Click"}):
        response = http.post(path_of(url), data=data)
        assert response.status_code == 400
    big = http.post(path_of(url), data={"List-Unsubscribe": "One-Click", "x": "a" * 10_000})
    assert (
        big.status_code == 413
    )  # over the 4 KB form limit (issue 14; tests/integration/test_request_limits.py)
    assert current(user_id) == (True, True)


def test_forged_and_tampered_tokens_are_refused(http, user_id):
    other = make_user("ktos-inny@example.com")
    with session_scope() as session:
        consents.save(session, other, reminders=True, info=True, source="registration")
    token = unsubscribe.make_token(user_id, Consent.REMINDERS)
    uid, consent, signature = token.split(".")
    for bad in (
        f"{other}.{consent}.{signature}",  # my signature on another user
        f"{uid}.info.{signature}",  # my signature on the other consent
        f"{uid}.{consent}.{'f' * 64}",
        "",
        "nonsense",
        token + "0",
    ):
        response = http.post(routes.unsubscribe_link(bad), data=ONE_CLICK)
        assert response.status_code == 400, bad
        assert "nieprawidłowy" in response.text
    assert current(user_id) == (True, True) and current(other) == (True, True)
    assert count_rows(ConsentRecord, ConsentRecord.source == "unsubscribe") == 0


def test_the_link_of_a_deleted_account_says_it_does_not_exist(http, user_id):
    url = unsubscribe.link(user_id, Consent.REMINDERS)
    with session_scope() as session:
        session.execute(sa.delete(User).where(User.id == user_id))
    response = http.post(path_of(url), data=ONE_CLICK)
    assert response.status_code == 404
    assert "konto nie istnieje" in response.text


def test_a_get_of_the_api_route_changes_nothing(http, user_id):
    """GET is the Reflex page (mounted behind this app in production); the API itself only POSTs."""
    url = unsubscribe.link(user_id, Consent.REMINDERS)
    assert http.get(path_of(url)).status_code in (404, 405)
    assert http.head(path_of(url)).status_code in (404, 405)
    assert current(user_id) == (True, True)


def test_outcome_messages_of_the_page(app_env):
    from fakturowo_ui.services.unsubscribe import Outcome
    from fakturowo_ui.state.unsubscribe import outcome_message

    assert "konto nie istnieje" in outcome_message(Outcome.ACCOUNT_GONE, "reminders")[0]
    assert "nieprawidłowy" in outcome_message(Outcome.INVALID, "")[0]
    text, error = outcome_message(Outcome.WITHDRAWN, "info")
    assert "wiadomości informacyjne" in text and not error
