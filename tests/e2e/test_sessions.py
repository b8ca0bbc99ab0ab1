"""Active sessions and the security history in Chromium (issue 12): two browsers logged in as one
user, one ends the other, whose next event and next page go to /logowanie; the history lists
what happened with shortened addresses."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from fakturowo_ui import routes
from tests.e2e.helpers import (
    CONSENTS,
    REMINDERS_LABEL,
    login,
    new_tab,
    open_page,
    register_user,
    save_consents,
    tick,
    unique_email,
)

pytestmark = pytest.mark.e2e

REGION = "Aktywne sesje"


def test_one_browser_ends_the_other_and_the_history_says_so(page: Page, browser: Browser, server):
    email = unique_email("sesje")
    register_user(page, email)
    login(page, email)
    other = new_tab(browser, server.base_url)
    try:
        login(other, email)
        open_page(page, routes.ACCOUNT)
        region = page.get_by_role("region", name=REGION)
        expect(region.get_by_role("listitem")).to_have_count(2)
        expect(region.get_by_text("to urządzenie")).to_have_count(1)
        expect(region).to_contain_text("127.0.0.0/24")
        # The other browser: its consents region works before it is ended.
        tick(other, REMINDERS_LABEL)
        region.get_by_role("button", name=re.compile("^Zakończ sesję")).click()
        expect(region.get_by_role("status")).to_contain_text("Sesja została zakończona")
        expect(region.get_by_role("listitem")).to_have_count(1)
        # Its next event goes to the login page, without a reload.
        save_consents(other)
        expect(other).to_have_url(re.compile(r"/logowanie/"))
        # And so does its next page.
        open_page(other, routes.ACCOUNT)
        expect(other).to_have_url(re.compile(r"/logowanie/"))
        expect(other.get_by_role("region", name=CONSENTS)).to_have_count(0)
    finally:
        other.context.close()

    # This browser stays logged in; the history lists the logins, the ended session and a consent change.
    tick(page, REMINDERS_LABEL)
    save_consents(page)
    expect(page.get_by_role("region", name=CONSENTS).get_by_role("status")).to_contain_text("Zapisano")
    page.get_by_role("link", name="Historia bezpieczeństwa").click()
    expect(page).to_have_url(re.compile(r"/konto/historia/?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Historia bezpieczeństwa")
    events = page.get_by_role("main").get_by_role("listitem")
    expect(events.first).to_contain_text("Zmiana zgód na otrzymywanie wiadomości")
    text = page.get_by_role("main").inner_text()
    assert text.count("Logowanie") >= 2 and "Zakończenie sesji" in text
    assert "127.0.0.0/24" in text and "127.0.0.1" not in text
    assert "Chrom" in text  # the browser, named from its User-Agent
