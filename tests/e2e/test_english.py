"""English, the second language, end to end in Chromium (CONTRACT.md, "Language and wording"):
a visitor whose browser prefers English registers, confirms, logs in and asks for the deletion
link in English, then switches back to Polish; the choice is remembered for a visitor and on the
account."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from fakturowo_ui import routes
from fakturowo_ui.i18n import t
from tests.conftest import action_link
from tests.e2e.helpers import (
    INIT_SCRIPT,
    PASSWORD,
    check_box,
    current_server,
    expect_message,
    unique_email,
    wait_ready,
    watch,
)

pytestmark = pytest.mark.e2e

ENGLISH = "en"


def english_tab(browser: Browser, base_url: str, locale: str = "en-US") -> Page:
    """A fresh browser whose Accept-Language is `locale` (a first-time visitor)."""
    context = browser.new_context(base_url=base_url, locale=locale, viewport={"width": 1280, "height": 900})
    context.add_init_script(INIT_SCRIPT)
    tab = context.new_page()
    watch(tab)
    return tab


def open_path(tab: Page, path: str) -> None:
    tab.goto(current_server().url(path))
    wait_ready(tab)


def language_in_db(email: str) -> str:
    return current_server().scalar('SELECT language FROM "user" WHERE email = ?', (email,))


def test_a_whole_account_in_english_and_the_switch_back_to_polish(browser):
    server = current_server()
    tab = english_tab(browser, server.base_url)
    try:
        # A first-time visitor whose browser prefers English gets the English start page.
        open_path(tab, routes.HOME)
        expect(tab).to_have_url(re.compile(r"/en/?$"))
        expect(tab.get_by_role("button", name="Polski")).to_be_visible()

        email = unique_email("english")
        open_path(tab, routes.in_language(routes.REGISTER, ENGLISH))
        tab.get_by_label("Email address", exact=True).fill(email)
        tab.get_by_label("Password", exact=True).fill(PASSWORD)
        tab.get_by_label("Repeat password", exact=True).fill(PASSWORD)
        tab.get_by_role("button", name="Create account").click()
        expect_message(tab, t("register.done", ENGLISH, email=email))
        assert language_in_db(email) == ENGLISH

        link = action_link(server.wait_for_mail(email, "Confirm your email address"), server.base_url)
        assert "/en/potwierdz-email/" in link
        tab.goto(link)
        wait_ready(tab)
        tab.get_by_role("button", name="Confirm your email address").click()
        expect_message(tab, t("confirm.done", ENGLISH))

        open_path(tab, routes.in_language(routes.LOGIN, ENGLISH))
        tab.get_by_label("Email address", exact=True).fill(email)
        tab.get_by_label("Password", exact=True).fill(PASSWORD)
        tab.get_by_role("button", name="Log in", exact=True).click()
        expect(tab).to_have_url(re.compile(r"/en/konto/?$"))
        wait_ready(tab)
        for region in ("Periodic password change", "Email consents", "Subscription", "Delete user account"):
            expect(tab.get_by_role("region", name=region)).to_be_visible()
        expect(tab.get_by_role("button", name="Download a copy of your data")).to_be_visible()

        deletion = tab.get_by_role("region", name="Delete user account")
        check_box(deletion.get_by_role("checkbox"))
        deletion.get_by_role("button", name="Delete account").click()
        expect(deletion.get_by_role("status")).to_contain_text(email)
        mail = server.wait_for_mail(email, "Confirm account deletion")
        assert "/en/usun-konto/" in action_link(mail, server.base_url)

        # Back to Polish: the same page, and the account remembers it.
        tab.get_by_role("button", name="Polski").click()
        expect(tab).to_have_url(re.compile(r"/konto/?$"))
        wait_ready(tab)
        expect(tab.get_by_role("region", name="Usunięcie konta użytkownika")).to_be_visible()
        expect(tab.get_by_role("button", name="English")).to_be_visible()
        assert language_in_db(email) == "pl"
        open_path(tab, routes.ACCOUNT)
        expect(tab.get_by_role("region", name="Zgody na otrzymywanie wiadomości")).to_be_visible()
    finally:
        tab.context.close()


def test_a_visitors_choice_is_remembered_and_a_polish_browser_gets_polish(browser):
    server = current_server()
    polish = english_tab(browser, server.base_url, locale="pl-PL")
    try:
        open_path(polish, routes.LOGIN)
        expect(polish).to_have_url(re.compile(r"/logowanie/?$"))
        expect(polish.get_by_role("button", name="Zaloguj", exact=True)).to_be_visible()
        # The visitor chooses English: the same page in English, with its query kept.
        open_path(polish, routes.login(routes.CLIENTS))
        polish.get_by_role("button", name="English").click()
        expect(polish).to_have_url(re.compile(r"/en/logowanie/\?next=/klienci/$"))
        wait_ready(polish)
        expect(polish.get_by_role("button", name="Log in", exact=True)).to_be_visible()
        # ...and the choice holds on the next Polish address this browser opens.
        open_path(polish, routes.REGISTER)
        expect(polish).to_have_url(re.compile(r"/en/rejestracja/?$"))
        expect(polish.get_by_role("button", name="Create account")).to_be_visible()
    finally:
        polish.context.close()
