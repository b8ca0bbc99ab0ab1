"""Issue 4 in Chromium: the periodic-change option, the forced change, changing and resetting the password.

The shared server runs with the default interval (365 days); the forced change is reached by time
travel in its database (the last password change moved back more than a year), which is what an
interval of 0 does at every login (that setting itself is covered by the integration tests).
"""

from __future__ import annotations

import datetime as dt
import re
import time
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from fakturowo_ui import routes
from fakturowo_ui.i18n import formats
from fakturowo_ui.services import clock
from tests.conftest import action_link, text_of
from tests.e2e.helpers import (
    INIT_SCRIPT,
    PASSWORD,
    current_server,
    expect_message,
    login,
    logout,
    open_page,
    register_user,
    unique_email,
    wait_ready,
)

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "nowe haslo na wiosne 2027"
REGION = "Okresowa zmiana hasła"
CHANGED_SUBJECT = "Twoje hasło zostało zmienione"
RESET_SUBJECT = "Ustaw nowe hasło"
FORCED = "musisz teraz zmienić hasło"
# Every private page but the password change itself: each sends a session that must change there.
PRIVATE_PAGES = tuple(path for path in routes.PRIVATE_PAGES if path != routes.PASSWORD_CHANGE)


def periodic_region(page: Page):
    return page.get_by_role("region", name=REGION)


def turn_periodic_change_on(page: Page) -> None:
    region = periodic_region(page)
    box = region.get_by_label("Włącz okresową zmianę hasła")
    expect(box).not_to_be_checked()
    box.click()
    expect(box).to_be_checked()
    region.get_by_role("button", name="Zapisz").click()
    expect(region.get_by_role("status")).to_contain_text("Zapisano")


def in_a_year() -> str:
    return formats.date(clock.today_warsaw() + dt.timedelta(days=365))


def move_last_change_back(email: str, days: int) -> None:
    """Time travel: the last password change `days` ago (stored as naive UTC, like the app does)."""
    server = current_server()
    moment = (clock.now() - dt.timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S.%f")
    server.sql('UPDATE "user" SET password_changed_at = ? WHERE id = ?', (moment, server.user_id(email)))


def fill_change(page: Page, current: str, new: str, repeat: str | None = None) -> None:
    page.get_by_label("Obecne hasło", exact=True).fill(current)
    page.get_by_label("Nowe hasło", exact=True).fill(new)
    page.get_by_label("Powtórz nowe hasło", exact=True).fill(new if repeat is None else repeat)
    page.get_by_role("button", name="Zmień hasło").click()


def second_browser(browser):
    """Another browser (its own cookies), as a second device of the same user."""
    server = current_server()
    context = browser.new_context(base_url=server.base_url, locale="pl-PL")
    context.add_init_script(INIT_SCRIPT)
    return context.new_page()


def session_cookie(page: Page) -> str | None:
    for cookie in page.context.cookies():
        if cookie.get("name") == "fakturowo_session":
            return cookie.get("value")
    return None


def test_turn_the_option_on_see_the_date_reload_still_there(page: Page):
    email = unique_email("okres")
    register_user(page, email)
    login(page, email)
    region = periodic_region(page)
    expect(region.get_by_text("Masz włączoną opcję")).to_have_count(0)
    turn_periodic_change_on(page)
    sentence = (
        "Masz włączoną opcję okresowej zmiany hasła, zatem nasz system raz na rok "
        f"(w dniu {in_a_year()}) podczas logowania wymusi zmianę hasła do Twojego konta"
    )
    expect(region).to_contain_text(sentence)

    page.reload()
    wait_ready(page)
    region = periodic_region(page)
    expect(region.get_by_label("Włącz okresową zmianę hasła")).to_be_checked()
    expect(region).to_contain_text(sentence)

    # Off and on again: the date does not move.
    region.get_by_label("Włącz okresową zmianę hasła").click()
    region.get_by_role("button", name="Zapisz").click()
    expect(region.get_by_role("status")).to_contain_text("wyłączona")
    expect(region.get_by_text("Masz włączoną opcję")).to_have_count(0)
    region.get_by_label("Włącz okresową zmianę hasła").click()
    region.get_by_role("button", name="Zapisz").click()
    expect(region.get_by_role("status")).to_contain_text("włączona")
    expect(region).to_contain_text(f"(w dniu {in_a_year()})")


def test_a_due_change_is_forced_at_login_and_nothing_else_opens_until_done(page: Page):
    server = current_server()
    email = unique_email("wymuszona")
    register_user(page, email)
    login(page, email)
    turn_periodic_change_on(page)
    move_last_change_back(email, 400)
    page.reload()
    wait_ready(page)
    expect(periodic_region(page)).to_contain_text("Ten termin już nadszedł")

    # A private EVENT of a session that must change its password is refused on the server,
    # not only page loads: mark this very session and press a button of /konto.
    server.sql("UPDATE auth_session SET must_change_password = 1 WHERE user_id = ?", (server.user_id(email),))
    page.get_by_role("region", name="Zgody na otrzymywanie wiadomości").get_by_role(
        "button", name="Zapisz"
    ).click()
    expect(page).to_have_url(re.compile(r"/zmiana-hasla/$"))
    expect(page.get_by_role("alert").filter(has_text=FORCED)).to_be_visible()
    logout(page)  # logout stays allowed

    # The next login: the right password leads to /zmiana-hasla with the explanation.
    login(page, email, lands_on=routes.PASSWORD_CHANGE)
    expect(page.get_by_role("alert").filter(has_text=FORCED)).to_be_visible()
    for path in PRIVATE_PAGES:
        page.goto(server.url(path))
        expect(page).to_have_url(re.compile(r"/zmiana-hasla/$"))
        wait_ready(page)
        expect(page.get_by_text("Zalogowano jako")).to_have_count(0)
        expect(page.get_by_role("heading", name="Zmiana hasła")).to_be_visible()
    # The help page and the reset flow stay open.
    open_page(page, routes.HELP_DELETE_ACCOUNT)
    expect(page.get_by_role("heading", name="Jak usunąć konto użytkownika?")).to_be_visible()
    open_page(page, routes.PASSWORD_RESET)
    expect(page.get_by_role("button", name="Wyślij link")).to_be_visible()

    open_page(page, routes.PASSWORD_CHANGE)
    fill_change(page, PASSWORD, PASSWORD)
    expect_message(page, "Nowe hasło musi być inne niż obecne.")
    fill_change(page, PASSWORD, NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/zmiana-hasla/\?zmieniono=1$"))
    wait_ready(page)
    expect_message(page, "Hasło zostało zmienione")
    expect(page.get_by_role("alert").filter(has_text=FORCED)).to_have_count(0)
    server.wait_for_mail(email, CHANGED_SUBJECT)

    # The mark is gone and the next date is one interval ahead.
    page.get_by_role("link", name="Przejdź do strony Konto").click()
    expect(page).to_have_url(re.compile(r"/konto/$"))
    wait_ready(page)
    expect(periodic_region(page)).to_contain_text(f"(w dniu {in_a_year()})")
    expect(periodic_region(page).get_by_text("Ten termin już nadszedł")).to_have_count(0)
    logout(page)
    login(page, email, NEW_PASSWORD)


def test_a_change_logs_out_the_other_browser_and_rotates_this_cookie(page: Page, browser):
    server = current_server()
    email = unique_email("zmiana")
    register_user(page, email)
    login(page, email)
    other = second_browser(browser)
    try:
        login(other, email)
        before = session_cookie(page)

        page.get_by_role("link", name="Zmień hasło teraz").click()
        expect(page).to_have_url(re.compile(r"/zmiana-hasla/$"))
        wait_ready(page)
        fill_change(page, "to nie jest moje haslo", NEW_PASSWORD)
        expect(
            page.get_by_role("alert").filter(has_text="Obecne hasło jest nieprawidłowe.").first
        ).to_be_visible()
        fill_change(page, PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x")
        expect(page.get_by_role("alert").filter(has_text="Hasła nie są takie same.").first).to_be_visible()
        fill_change(page, PASSWORD, NEW_PASSWORD)
        expect(page).to_have_url(re.compile(r"/zmiana-hasla/\?zmieniono=1$"))
        expect_message(page, "Hasło zostało zmienione")
        after = session_cookie(page)
        assert after and before and after != before
        assert page.evaluate("document.cookie").find("fakturowo_session") == -1

        # The other browser's open page is logged out at its next event, and on any load.
        other.get_by_role("region", name="Zgody na otrzymywanie wiadomości").get_by_role(
            "button", name="Zapisz"
        ).click()
        expect(other).to_have_url(re.compile(r"/logowanie/"))
        other.goto(server.url(routes.ACCOUNT))
        expect(other).to_have_url(re.compile(r"/logowanie/"))
        expect(other.get_by_text("Zalogowano jako")).to_have_count(0)

        # This browser stays logged in with its new cookie.
        open_page(page, routes.ACCOUNT)
        expect(page.get_by_text("Zalogowano jako")).to_be_visible()
        letter = server.wait_for_mail(email, CHANGED_SUBJECT)
        assert NEW_PASSWORD not in text_of(letter) and PASSWORD not in text_of(letter)
    finally:
        other.context.close()


def ask_for_link(page: Page, email: str) -> str:
    page.get_by_label("Adres email", exact=True).fill(email)
    page.get_by_role("button", name="Wyślij link").click()
    status = page.get_by_role("status").filter(has_text="Ustaw nowe hasło")
    expect(status).to_be_visible()
    return status.inner_text()


def test_reset_through_a_real_smtp_server(page: Page, browser):
    server = current_server()
    email = unique_email("reset")
    register_user(page, email)
    logged_in = second_browser(browser)
    try:
        login(logged_in, email)

        open_page(page, routes.LOGIN)
        page.get_by_role("link", name="Nie pamiętasz hasła?").click()
        expect(page).to_have_url(re.compile(r"/reset-hasla/$"))
        wait_ready(page)
        ask_for_link(page, email)
        first = action_link(server.wait_for_mail(email, RESET_SUBJECT), server.base_url)
        ask_for_link(page, email)
        link = action_link(server.wait_for_mail(email, RESET_SUBJECT, after=1), server.base_url)
        assert link != first and "/reset-hasla/?token=" in link

        # Opening a link (GET, HEAD) changes nothing.
        for method in ("GET", "HEAD"):
            try:
                with urllib.request.urlopen(urllib.request.Request(link, method=method)) as response:
                    assert response.status == 200
            except urllib.error.HTTPError as error:
                assert method == "HEAD" and error.code == 405
        page.goto(first)
        wait_ready(page)
        expect_message(page, "zastąpiony nowszym")
        expect(page.get_by_role("button", name="Ustaw hasło")).to_have_count(0)

        page.goto(link)
        wait_ready(page)
        expect(page.get_by_text(f"Ustaw nowe hasło do konta {email}.")).to_be_visible()
        page.get_by_label("Nowe hasło", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("Powtórz nowe hasło", exact=True).fill(NEW_PASSWORD + "x")
        page.get_by_role("button", name="Ustaw hasło").click()
        expect_message(page, "Hasła nie są takie same.")
        page.get_by_label("Nowe hasło", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("Powtórz nowe hasło", exact=True).fill(NEW_PASSWORD)
        page.get_by_role("button", name="Ustaw hasło").click()
        expect_message(page, "Nowe hasło zostało ustawione")
        server.wait_for_mail(email, CHANGED_SUBJECT)

        # Every session ended: the browser that was logged in is out.
        logged_in.goto(server.url(routes.ACCOUNT))
        expect(logged_in).to_have_url(re.compile(r"/logowanie/"))

        page.goto(link)
        wait_ready(page)
        expect_message(page, "został już użyty")
        expect(page.get_by_role("button", name="Ustaw hasło")).to_have_count(0)
        login(page, email, NEW_PASSWORD)
    finally:
        logged_in.context.close()


def test_an_expired_link_says_so(page: Page):
    server = current_server()
    email = unique_email("wygasly")
    register_user(page, email)
    open_page(page, routes.PASSWORD_RESET)
    ask_for_link(page, email)
    link = action_link(server.wait_for_mail(email, RESET_SUBJECT), server.base_url)
    assert server.expire_tokens(email, "reset_password") == 1
    page.goto(link)
    wait_ready(page)
    expect_message(page, "wygasł")
    expect(page.get_by_role("button", name="Wyślij link")).to_be_visible()
    page.goto(server.url(routes.password_reset_link("nie-ma-takiego-linku-1234567890")))
    wait_ready(page)
    expect_message(page, "nieprawidłowy")


def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(page: Page):
    server = current_server()
    known = unique_email("znany")
    unknown = unique_email("nieznany")
    register_user(page, known)
    open_page(page, routes.PASSWORD_RESET)
    answers, times = {}, {}
    for address in (known, unknown, known, unknown):
        open_page(page, routes.PASSWORD_RESET)
        started = time.monotonic()
        answers[address] = ask_for_link(page, address).replace(address, "ADRES")
        times.setdefault(address, []).append(time.monotonic() - started)
    assert answers[known] == answers[unknown]
    assert "Jeśli w Fakturowo jest konto z adresem ADRES" in answers[known]
    assert abs(min(times[known]) - min(times[unknown])) < 1.0, times
    server.wait_for_mail(known, RESET_SUBJECT, after=1)
    assert server.mailbox.to(unknown) == []
