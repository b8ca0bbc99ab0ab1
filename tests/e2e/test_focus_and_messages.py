"""Focus and messages after a submit (issue 13): the focus goes to the first invalid field or to
the outcome, each error is announced once, and messages fill live regions that were already there."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from fakturowo_ui import routes
from tests.e2e.helpers import PASSWORD, fill_registration, login, open_page, register_user, unique_email

pytestmark = pytest.mark.e2e

LIVE_MESSAGES = (
    "() => [...document.querySelectorAll('[aria-live] [role=status], [aria-live] [role=alert]')].length"
)


def test_a_refused_form_focuses_its_first_invalid_field_and_says_each_error_once(page: Page):
    open_page(page, routes.REGISTER)
    fill_registration(page, "to nie jest adres", "krótkie", "inne")
    page.get_by_role("button", name="Zarejestruj konto").click()
    email = page.get_by_label("Adres email", exact=True)
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_be_focused()
    # Every error text is in exactly one announced element.
    texts = page.locator("[role=alert], [role=status]").all_inner_texts()
    assert texts, "no message at all"
    assert len(texts) == len(set(texts)), texts
    field_error = page.locator("#email-error")
    expect(field_error).not_to_be_empty()
    assert sum(field_error.inner_text() in text for text in texts) == 1, texts
    # The page's message counts the fields instead of repeating them.
    expect(page.get_by_role("alert").filter(has_text="zaznaczon")).to_be_visible()


def test_a_saved_region_focuses_its_message_and_a_repeated_save_is_seen(page: Page):
    email = unique_email("focus")
    register_user(page, email)
    login(page, email)
    # The live regions are on the page before any message.
    assert page.evaluate("() => document.querySelectorAll('[aria-live]').length") >= 3
    assert page.evaluate(LIVE_MESSAGES) == 0
    region = page.get_by_role("region", name="Zgody na otrzymywanie wiadomości")
    region.get_by_role("button", name="Zapisz").click()
    status = region.get_by_role("status")
    expect(status).to_be_focused()
    first = status.inner_text()
    page.wait_for_timeout(1100)  # the message names the time to the second
    region.get_by_role("button", name="Zapisz").click()
    expect(region.get_by_role("status")).to_be_focused()
    expect(region.get_by_role("status")).not_to_have_text(first)


def test_the_login_form_focuses_its_refusal(page: Page):
    open_page(page, routes.LOGIN)
    page.get_by_label("Adres email", exact=True).fill(unique_email("nobody"))
    page.get_by_label("Hasło", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj", exact=True).click()
    expect(page.get_by_role("alert")).to_be_focused()


def test_being_sent_to_log_in_is_a_notice_not_a_success(page: Page):
    open_page(page, routes.ACCOUNT)
    notice = page.get_by_role("status").filter(has_text="Zaloguj się, aby zobaczyć tę stronę.")
    expect(notice).to_be_visible()
    expect(notice).to_have_class("message message-info")


def test_choosing_a_buyer_clears_the_message_that_asked_for_one(page: Page):
    from tests.e2e.test_accessibility import _fill_account

    email = unique_email("nabywca")
    register_user(page, email)
    login(page, email)
    _fill_account(page)
    open_page(page, routes.ISSUE_INVOICE)
    page.get_by_role("button", name="Wystaw fakturę").click()
    asked = page.get_by_role("alert").filter(has_text="Wybierz nabywcę")
    expect(asked).to_be_visible()
    page.get_by_label("Nabywca", exact=True).select_option(index=1)
    expect(asked).to_have_count(0)


def test_one_regions_saved_message_goes_when_another_region_acts(page: Page):
    """Issue 13: "Zapisano…" of the consents no longer stands beside another region's action."""
    email = unique_email("nieaktualne")
    register_user(page, email)
    login(page, email)
    consents = page.get_by_role("region", name="Zgody na otrzymywanie wiadomości")
    periodic = page.get_by_role("region", name="Okresowa zmiana hasła")
    consents.get_by_role("button", name="Zapisz").click()
    expect(consents.get_by_role("status")).to_be_visible()
    # (The box is a controlled checkbox whose round trip a busy machine makes slow: saving as it
    # is answers all the same.)
    periodic.get_by_role("button", name="Zapisz").click()
    expect(periodic.get_by_role("status")).to_be_visible()
    expect(consents.get_by_role("status")).to_be_hidden()
    # Acting in the consents region again brings its answer back, and hides the other one.
    consents.get_by_role("button", name="Zapisz").click()
    expect(consents.get_by_role("status")).to_be_visible()
    expect(periodic.get_by_role("status")).to_be_hidden()
    # A button that is not a form's (the data export) counts as acting too. The download is taken,
    # so that the server deletes the file (tests/e2e/test_user_data.py finds none left behind).
    with page.expect_download(timeout=60_000):
        page.get_by_role("button", name="Pobierz kopię danych").click()
        expect(consents.get_by_role("status")).to_be_hidden()


def test_the_same_answer_to_a_repeated_action_is_a_new_message(page: Page):
    """Issue 13: saving the periodic change twice says "Zapisano…" twice: a new element (announced
    again, fading in), not the old one left as it was."""
    email = unique_email("ponownie")
    register_user(page, email)
    login(page, email)
    periodic = page.get_by_role("region", name="Okresowa zmiana hasła")
    periodic.get_by_role("button", name="Zapisz").click()
    status = periodic.get_by_role("status")
    expect(status).to_have_text("Zapisano: okresowa zmiana hasła jest wyłączona.")
    first = status.element_handle()
    periodic.get_by_role("button", name="Zapisz").click()
    page.wait_for_function("(old) => !old.isConnected", arg=first)
    expect(status).to_have_text("Zapisano: okresowa zmiana hasła jest wyłączona.")
    expect(status).to_be_focused()
