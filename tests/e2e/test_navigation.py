"""Finding one's way (issue 13): a skip link, the menu's current page, the help with the logged-in
menu for a logged-in visitor, the help index linked from /konto, a Polish page for an unknown
address, and the login and registration pages sending a logged-in user on to /konto."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from fakturowo_ui import routes
from tests.e2e.helpers import login, open_page, register_user, unique_email

pytestmark = pytest.mark.e2e


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page: Page):
    open_page(page, routes.LOGIN)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Przejdź do treści")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    # The next Tab goes on inside the content, past the menu.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_the_menu_marks_the_current_page(page: Page):
    open_page(page, routes.HELP)
    nav = page.get_by_role("navigation")
    expect(nav.get_by_role("link", name="Pomoc")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Zaloguj się")).not_to_have_attribute("aria-current", "page")


def test_a_logged_in_user_keeps_the_menu_on_the_help_and_finds_each_article(page: Page):
    email = unique_email("nav")
    register_user(page, email)
    login(page, email)
    nav = page.get_by_role("navigation")
    expect(nav.get_by_role("link", name="Konto")).to_have_attribute("aria-current", "page")
    # Each region of /konto leads to its article.
    for region, article in (
        ("Okresowa zmiana hasła", "Okresowa zmiana hasła"),
        ("Zgody na otrzymywanie wiadomości", "Zgody na otrzymywanie wiadomości"),
        ("Usunięcie konta użytkownika", "Kopia danych konta"),
        ("Usunięcie konta użytkownika", "Jak usunąć konto użytkownika?"),
    ):
        link = page.get_by_role("region", name=region).get_by_role("link", name=f"Pomoc: {article}")
        expect(link).to_be_visible()
    page.get_by_role("region", name="Zgody na otrzymywanie wiadomości").get_by_role(
        "link", name="Pomoc: Zgody na otrzymywanie wiadomości"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zgody na otrzymywanie wiadomości")
    # Still logged in, and the menu says so.
    expect(nav.get_by_role("button", name="Wyloguj")).to_be_visible()
    expect(nav.get_by_role("link", name="Zaloguj się")).to_have_count(0)
    page.get_by_role("link", name="Wszystkie artykuły pomocy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pomoc")
    for title in (
        "Okresowa zmiana hasła",
        "Zgody na otrzymywanie wiadomości",
        "Kopia danych konta",
        "Logowanie dwustopniowe",
        "Jak usunąć konto użytkownika?",
    ):
        expect(page.get_by_role("main").get_by_role("link", name=title)).to_be_visible()
    # The login and registration pages send a logged-in user on.
    for path in (routes.LOGIN, routes.REGISTER):
        open_page(page, path)
        expect(page).to_have_url(re.compile(r"/konto/?$"))


def test_an_unknown_address_shows_a_polish_page_with_the_menu(page: Page):
    open_page(page, "/nie-ma-takiej-strony/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nie ma takiej strony")
    expect(page.get_by_role("navigation").get_by_role("link", name="Zaloguj się")).to_be_visible()
    page.get_by_role("link", name="Strona główna").click()
    expect(page).to_have_url(re.compile(r"/$"))
