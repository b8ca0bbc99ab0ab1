"""Every page in Polish and in English, as a user sees it: the heading in the page's language, no
message key on screen, the language switch in the footer. Each page is photographed (JPEG, 1280 px)
into test-artifacts/screenshots/, the pictures docs/screenshots/ keeps (README, "Languages")."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from fakturowo_ui import routes
from fakturowo_ui.fakturowo_ui import PAGES
from fakturowo_ui.i18n import messages, t
from tests.e2e.helpers import ARTIFACTS, login, register_user, unique_email, wait_ready

pytestmark = pytest.mark.e2e

SHOTS = ARTIFACTS / "screenshots"
KEYS = sorted(set(messages("pl")) | set(messages("en")), key=len, reverse=True)


def _shot_name(route: str, lang: str) -> str:
    slug = route.strip("/").replace("/", "-") or "start"
    return f"{slug}.{lang}.jpg"


def _check(page: Page, route: str, title_key: str, lang: str) -> None:
    page.goto(routes.in_language(route, lang))
    wait_ready(page)
    expect(page).to_have_url(
        re.compile(re.escape(routes.in_language(route, lang).rstrip("/")) + r"/?(\?.*)?$")
    )
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(t(title_key, lang))
    other = "Polski" if lang == "en" else "English"
    expect(page.get_by_role("contentinfo").get_by_role("button", name=other)).to_be_visible()
    page.wait_for_timeout(300)  # let on_load's data arrive before looking at the words
    text = page.locator("body").inner_text()
    shown = [key for key in KEYS if re.search(rf"(?<![\w.]){re.escape(key)}(?![\w.])", text)]
    assert shown == [], f"{route} in {lang} shows message keys: {shown}"
    if lang == "en":
        # No Polish word left on an English page (the account here has no data of its own, and
        # the footer's "Polski" names the other language).
        # Allowed: the unit examples offered for the invoice's lines ("usł." = service), which go
        # onto the Polish VAT invoice as typed.
        polish = sorted({w for w in re.findall(r"\w*[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]\w*", text)} - {"usł"})
        assert polish == [], f"{route} in English shows Polish words: {polish}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / _shot_name(route, lang)), full_page=True, type="jpeg", quality=70)


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_every_public_page(page, lang):
    # The link pages opened without a token say the link is invalid, as a visitor would see them.
    for route, _function, title_key, _load in PAGES:
        if route not in routes.PRIVATE_PAGES:
            _check(page, route, title_key, lang)


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_every_private_page_for_a_logged_in_user(page, lang):
    email = unique_email(f"pages-{lang}")
    register_user(page, email)
    login(page, email)
    if lang == "en":
        # A logged-in user's language is the account's: choosing English saves it there.
        page.get_by_role("contentinfo").get_by_role("button", name="English").click()
        expect(page).to_have_url(re.compile(r"/en/konto/?$"))
    for route, _function, title_key, _load in PAGES:
        if route in routes.PRIVATE_PAGES:
            _check(page, route, title_key, lang)
