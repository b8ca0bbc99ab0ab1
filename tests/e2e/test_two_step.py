"""Two-step login in Chromium (issue 12): turn on the app method with codes computed by pyotp from
the key on the page, log in with a code, a wrong code, a reused code, a recovery code once and
twice, and the deletion confirmation with and without the code."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect
from pyotp.totp import TOTP

from fakturowo_ui import routes
from tests.e2e.helpers import PASSWORD, login, logout, open_page, register_user, submit_login, unique_email
from tests.e2e.test_deletion import ask_for_deletion

pytestmark = pytest.mark.e2e

REGION = "Logowanie dwustopniowe"
SECOND_STEP = re.compile(r"/logowanie/weryfikacja/?$")


def _region(page: Page):
    return page.get_by_role("region", name=REGION)


def _code(totp: TOTP, steps: int = 0) -> str:
    return totp.at(time.time() + 30 * steps)


def _turn_on_app(page: Page) -> tuple[TOTP, list[str]]:
    region = _region(page)
    expect(region).to_contain_text("wyłączone")
    region.get_by_role("button", name="Włącz logowanie dwustopniowe").click()
    expect(region.get_by_role("img")).to_be_visible()  # the QR code
    key = region.locator("#dwustopniowe-klucz").inner_text()
    expect(region.get_by_text("Klucz", exact=True)).to_be_visible()
    totp = TOTP(key.replace(" ", ""))
    region.get_by_label("Kod weryfikacyjny").fill("000000")
    region.get_by_role("button", name="Potwierdź").click()
    expect(region.get_by_role("alert")).to_contain_text("nieprawidłowy kod")
    region.get_by_label("Kod weryfikacyjny").fill(_code(totp))
    region.get_by_role("button", name="Potwierdź").click()
    expect(region.get_by_role("status")).to_contain_text("Włączono logowanie dwustopniowe")
    codes = region.locator(".codes li").all_inner_texts()
    assert len(codes) == 10
    with page.expect_download() as download:
        region.get_by_role("button", name="Pobierz kody zapasowe").click()
    saved = open(download.value.path(), encoding="utf-8").read()
    assert all(code in saved for code in codes)
    region.get_by_role("button", name="Kody są bezpieczne, ukryj je").click()
    expect(region.locator(".codes li")).to_have_count(0)
    expect(region).to_contain_text("jest włączone")
    return totp, codes


def _second_step(page: Page, email: str) -> None:
    submit_login(page, email, PASSWORD)
    expect(page).to_have_url(SECOND_STEP)
    expect(page.get_by_label("Kod weryfikacyjny")).to_be_visible()
    # No session before the second step: only the HttpOnly ticket.
    names = {cookie.get("name"): cookie for cookie in page.context.cookies()}
    assert "fakturowo_session" not in names
    assert names["fakturowo_ticket"].get("httpOnly")


def _verify(page: Page, code: str) -> None:
    page.get_by_label("Kod weryfikacyjny").fill(code)
    page.get_by_role("button", name="Zweryfikuj").click()


def test_two_step_login_with_the_app(page: Page):
    email = unique_email("2fa")
    register_user(page, email)
    login(page, email)
    totp, codes = _turn_on_app(page)
    logout(page)

    _second_step(page, email)
    _verify(page, "123")
    expect(page.get_by_role("alert")).to_contain_text("nieprawidłowy kod")
    _verify(page, "000000" if _code(totp) != "000000" else "111111")
    expect(page.get_by_role("alert")).to_contain_text("Pozostałe próby: 3")
    used = _code(totp, 1)
    _verify(page, used)
    expect(page).to_have_url(re.compile(r"/konto/?$"))
    assert "fakturowo_session" in {cookie.get("name") for cookie in page.context.cookies()}
    logout(page)

    # The same code again is refused.
    _second_step(page, email)
    _verify(page, used)
    expect(page.get_by_role("alert")).to_contain_text("już użyty")
    # A recovery code works once...
    _verify(page, codes[0])
    expect(page).to_have_url(re.compile(r"/konto/?$"))
    expect(_region(page)).to_contain_text("Niewykorzystane kody zapasowe: 9")
    logout(page)
    # ...and not twice.
    _second_step(page, email)
    _verify(page, codes[0])
    expect(page.get_by_role("alert")).to_contain_text("już użyty")
    _verify(page, codes[1])
    expect(page).to_have_url(re.compile(r"/konto/?$"))

    # Deleting the account asks for the code as well.
    link = ask_for_deletion(page, email)
    page.goto(link)
    page.wait_for_function("window.__e2e_socket === 'connected'")
    page.get_by_label("Hasło", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Usuń konto bezpowrotnie").click()
    expect(page.get_by_role("alert")).to_contain_text("nieprawidłowy kod")
    page.get_by_label("Hasło", exact=True).fill(PASSWORD)
    page.get_by_label("Kod weryfikacyjny").fill(codes[2])
    page.get_by_role("button", name="Usuń konto bezpowrotnie").click()
    expect(page.get_by_role("status")).to_contain_text("zostało usunięte")


def test_five_wrong_codes_end_the_attempt_and_a_forged_ticket_gets_nothing(page: Page):
    email = unique_email("2fa-wrong")
    register_user(page, email)
    login(page, email)
    totp, _codes = _turn_on_app(page)
    logout(page)
    _second_step(page, email)
    for _ in range(5):
        _verify(page, "999999" if _code(totp) != "999999" else "888888")
        page.wait_for_timeout(150)
    expect(page.get_by_role("alert")).to_contain_text("Zaloguj się ponownie")
    expect(page.get_by_label("Kod weryfikacyjny")).to_have_count(0)
    # A ticket cookie made up by hand opens nothing.
    page.context.add_cookies([{"name": "fakturowo_ticket", "value": "x" * 43, "url": page.url}])
    open_page(page, routes.LOGIN_SECOND_STEP)
    expect(page.get_by_label("Kod weryfikacyjny")).to_have_count(0)
    open_page(page, routes.ACCOUNT)
    expect(page).to_have_url(re.compile(r"/logowanie/"))
