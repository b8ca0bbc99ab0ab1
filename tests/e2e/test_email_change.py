"""Changing the account's address in Chromium (issue 12), from both mailboxes: the link to the new
address, the masked notice to the old one, the account keeping its old address until the click,
the other browser logged out, login with the new address only; refusals change nothing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from fakturowo_ui import routes
from tests.conftest import action_link, text_of
from tests.e2e.helpers import (
    PASSWORD,
    login,
    new_tab,
    open_page,
    register_user,
    submit_login,
    unique_email,
)

pytestmark = pytest.mark.e2e


def _region(page: Page):
    return page.get_by_role("region", name="Adres email")


def _request(page: Page, new: str, password: str = PASSWORD) -> None:
    region = _region(page)
    region.get_by_label("Nowy adres email").fill(new)
    region.get_by_label("Hasło", exact=True).fill(password)
    region.get_by_role("button", name="Zmień adres email").click()


def test_the_address_change_from_both_mailboxes(page: Page, browser: Browser, server):
    old = unique_email("stary")
    new = unique_email("nowy")
    register_user(page, old)
    login(page, old)
    other = new_tab(browser, server.base_url)
    try:
        login(other, old)
        # Refusals first: a wrong password, the same address, an address that is not one.
        _request(page, new, "zle haslo do konta 1")
        expect(_region(page).get_by_role("alert").first).to_contain_text("ieprawidłowe hasło")
        _request(page, old)
        expect(_region(page).get_by_role("alert").first).to_be_visible()
        _request(page, "<script>@x")
        expect(_region(page).get_by_role("alert").first).to_be_visible()
        assert server.mailbox.to(new) == []

        _request(page, f"  {new.upper()}  ")
        expect(_region(page).get_by_role("status")).to_contain_text("Wysłaliśmy link")
        link = action_link(server.wait_for_mail(new, "Potwierdź nowy adres email"), server.base_url)
        notice = text_of(server.wait_for_mail(old, "Zmiana adresu email"))
        assert new not in notice and "***" in notice  # the new address, partly masked
        # Until the click the account keeps its address.
        assert server.user_id(old) is not None and server.user_id(new) is None

        # The link opens in any browser; opening it changes nothing, the button does.
        confirm = new_tab(browser, server.base_url)
        try:
            confirm.goto(link)
            confirm.wait_for_function("window.__e2e_socket === 'connected'")
            assert server.user_id(new) is None
            confirm.get_by_role("button", name="Potwierdź nowy adres email").click()
            expect(confirm.get_by_role("status")).to_contain_text("został zmieniony")
            # Used once.
            confirm.goto(link)
            confirm.wait_for_function("window.__e2e_socket === 'connected'")
            expect(confirm.get_by_role("alert")).to_contain_text("został już użyty")
        finally:
            confirm.context.close()
        assert server.user_id(new) is not None and server.user_id(old) is None

        # Every other session ended: the other browser's next page goes to /logowanie.
        open_page(other, routes.ACCOUNT)
        expect(other).to_have_url(re.compile(r"/logowanie/"))
    finally:
        other.context.close()

    # The old address logs in no more; the new one does.
    page.context.clear_cookies()
    submit_login(page, old, PASSWORD)
    expect(page.get_by_role("alert").first).to_be_visible()
    login(page, new)
    expect(page.get_by_text("Zalogowano jako")).to_contain_text(new)
