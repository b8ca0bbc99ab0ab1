"""The review mail leads somewhere (issue 13): its link opens "Podziel się opinią" after the login,
and the form refuses an empty opinion under its field, thanks for a real one, and stores one
opinion for a double click."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from fakturowo_ui import routes
from tests.e2e.helpers import PASSWORD, expect_message, register_user, submit_login, unique_email, wait_ready

pytestmark = pytest.mark.e2e


def test_the_feedback_form_from_a_logged_out_link_to_the_thanks(page: Page, server):
    email = unique_email("opinia")
    user_id = register_user(page, email)
    # The mail's link, logged out: the login leads back to the form.
    page.goto(server.url(routes.FEEDBACK))
    expect(page).to_have_url(re.compile(r"/logowanie/\?next="))
    submit_login(page, email, PASSWORD, path="")
    expect(page).to_have_url(re.compile(re.escape(routes.FEEDBACK) + "$"))
    wait_ready(page)
    region = page.get_by_role("region", name="Podziel się opinią")
    # Empty: said once, under the field, and nothing stored.
    region.get_by_role("button", name="Wyślij opinię").click()
    text = region.get_by_label("Twoja opinia")
    expect(text).to_have_attribute("aria-invalid", "true")
    expect_message(page, "Popraw 1 zaznaczone pole.")
    assert server.scalar("SELECT count(*) FROM feedback WHERE user_id = ?", (user_id,)) == 0
    # A real opinion, sent with a double click: one stored, and thanks.
    region.get_by_label("Ocena").select_option(label="4 – dobrze")
    text.fill("Brakuje mi faktur proforma <b>pilnie</b>.")
    region.get_by_role("button", name="Wyślij opinię").dblclick()
    expect_message(page, "Dziękujemy! Twoja opinia trafiła do zespołu Fakturowo.")
    expect(region.get_by_role("link", name="Wróć do konta")).to_be_visible()
    assert server.scalar("SELECT count(*) FROM feedback WHERE user_id = ?", (user_id,)) == 1
    assert server.scalar("SELECT text FROM feedback WHERE user_id = ?", (user_id,)) == (
        "Brakuje mi faktur proforma <b>pilnie</b>."
    )
    assert server.scalar("SELECT rating FROM feedback WHERE user_id = ?", (user_id,)) == 4
