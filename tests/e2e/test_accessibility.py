"""Every page, logged out and logged in, at 1280 px and on a phone (375 px): axe-core finds no
violation, and nothing is wider than the screen (no horizontal scroll). Issue 13.

The logged-in account has a seller, a client, a product and an invoice with long names, so the
lists, the invoice form and its line select are shown with real data, not only their empty states.
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from fakturowo_ui import routes
from fakturowo_ui.fakturowo_ui import PAGES
from tests.e2e.helpers import login, open_page, register_user, unique_email, wait_ready

pytestmark = pytest.mark.e2e

WIDTHS = (1280, 375)
AXE = Axe()
# WCAG 2.1 A and AA, and axe's best practices (landmarks, one <h1>, headings in order).
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
}
LONG_NAME = "Przedsiębiorstwo Handlowo-Usługowe „Żuraw” Spółka z ograniczoną odpowiedzialnością"


def _problems(page: Page, route: str, width: int) -> list[str]:
    """What is wrong on the page shown now: axe's violations and any horizontal overflow."""
    page.wait_for_timeout(300)  # on_load's data in place
    found = []
    results = AXE.run(page, options=AXE_OPTIONS)
    for violation in results.response["violations"]:
        targets = [" ".join(node["target"]) for node in violation["nodes"]][:3]
        found.append(f"{route} @{width}: axe {violation['id']} ({violation['impact']}): {targets}")
    overflow = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const wide = [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > width + 1)
                .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + String(el.className).split(' ')[0] : ''));
            // A table in a scroll box hides its last columns on a phone: that counts as too wide.
            const hidden = [...document.querySelectorAll('body *')]
                .filter(el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX) && el.scrollWidth > el.clientWidth + 1)
                .map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : ''));
            return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5), hidden};
        }"""
    )
    if overflow["scroll"] > overflow["width"]:
        found.append(
            f"{route} @{width}: {overflow['scroll']} px wide on a {overflow['width']} px screen: {overflow['wide']}"
        )
    return found


def _visit_all(page: Page, wanted: list[str]) -> list[str]:
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for route in wanted:
            open_page(page, route)
            problems += _problems(page, route, width)
    return problems


def test_every_public_page_passes_axe_and_fits_a_phone(page):
    public = [route for route, *_ in PAGES if route not in routes.PRIVATE_PAGES]
    problems = _visit_all(page, [*public, "/nie-ma-takiej-strony/"])
    assert problems == [], "\n".join(problems)


def _fill_account(page: Page) -> None:
    """Seller, a client, a product and an invoice, all with long names, through the pages."""
    open_page(page, routes.SELLER_SETTINGS)
    region = page.get_by_role("region", name="Dane sprzedawcy")
    region.get_by_label("Nazwa firmy").fill(LONG_NAME)
    region.get_by_label("NIP").fill("5260250274")
    region.get_by_label("Adres").fill("ul. Długa 1, 00-001 Warszawa")
    region.get_by_label("Numer konta bankowego").fill("PL61109010140000071219812874")
    region.get_by_role("button", name="Zapisz").click()
    expect(page.get_by_role("status").filter(has_text="Zapisano")).to_be_visible()
    open_page(page, routes.CLIENTS)
    page.get_by_label("Nazwa", exact=True).fill(LONG_NAME)
    page.get_by_label("NIP").fill("5260250274")
    page.get_by_label("Adres", exact=True).fill("ul. Kręta 2, 30-001 Kraków")
    page.get_by_role("button", name="Dodaj klienta").click()
    expect(page.get_by_role("cell", name=LONG_NAME, exact=True)).to_be_visible()
    open_page(page, routes.PRODUCTS)
    page.get_by_label("Nazwa", exact=True).fill(
        "Usługa doradcza w zakresie rachunkowości zarządczej i podatków"
    )
    page.get_by_label("Cena netto (zł)").fill("1230,50")
    page.get_by_role("button", name="Dodaj produkt").click()
    expect(page.get_by_role("cell", name="Usługa doradcza", exact=False).first).to_be_visible()
    open_page(page, routes.ISSUE_INVOICE)
    page.get_by_label("Nabywca", exact=True).select_option(label=LONG_NAME)
    page.get_by_label("Nazwa", exact=True).first.fill("Usługa doradcza w zakresie rachunkowości")
    page.get_by_label("Cena netto (zł)").first.fill("1230,50")
    page.get_by_role("button", name="Wystaw fakturę").click()
    expect(page).to_have_url(re.compile(r"/dokumenty/"))
    wait_ready(page)


def test_every_private_page_passes_axe_and_fits_a_phone(page):
    email = unique_email("a11y")
    register_user(page, email)
    login(page, email)
    _fill_account(page)
    private = [route for route in routes.PRIVATE_PAGES if route != routes.PASSWORD_CHANGE]
    # The public pages too, with the logged-in menu.
    problems = _visit_all(page, [*private, routes.PASSWORD_CHANGE, routes.HELP, routes.HELP_DELETE_ACCOUNT])
    assert problems == [], "\n".join(problems)
