"""FAKTUROWO_PASSWORD_CHANGE_INTERVAL_DAYS=0 in Chromium: a second server where every login of a
user who turned the periodic change on forces a new password."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from fakturowo_ui import routes
from tests.e2e import helpers
from tests.e2e.conftest import running_server
from tests.e2e.helpers import INIT_SCRIPT, PASSWORD, login, logout, register_user, unique_email, wait_ready
from tests.e2e.test_passwords import (
    FORCED,
    PRIVATE_PAGES,
    fill_change,
    periodic_region,
    turn_periodic_change_on,
)

pytestmark = pytest.mark.e2e

SECOND_PASSWORD = "czerwony rower jedzie szybko 8"
THIRD_PASSWORD = "niebieski balon leci wysoko 9"


@pytest.fixture(scope="module")
def interval_zero_server(tmp_path_factory, smtp_server, server) -> Iterator[helpers.Server]:
    """A second production server with interval 0, built in its own web directory."""
    import os

    web_dir = os.environ.get("FAKTUROWO_E2E_WEB_DIR", ".web-test") + "-interval0"
    with running_server(
        tmp_path_factory,
        smtp_server,
        settings={"FAKTUROWO_PASSWORD_CHANGE_INTERVAL_DAYS": "0"},
        web_dir=web_dir,
    ) as running:
        helpers.set_server(running)
        try:
            yield running
        finally:
            helpers.set_server(server)


@pytest.fixture
def page_zero(browser, interval_zero_server) -> Iterator[Page]:
    context = browser.new_context(
        base_url=interval_zero_server.base_url, locale="pl-PL", viewport={"width": 1280, "height": 900}
    )
    context.add_init_script(INIT_SCRIPT)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_every_login_forces_a_change_while_the_option_is_on(page_zero: Page, interval_zero_server):
    server = interval_zero_server
    page = page_zero
    email = unique_email("interwal0")
    register_user(page, email)
    login(page, email)  # the option is off: no forced change
    turn_periodic_change_on(page)
    # Interval 0: the sentence says the change is forced at every login.
    expect(periodic_region(page)).to_contain_text("przy każdym logowaniu")
    logout(page)

    for old, new in ((PASSWORD, SECOND_PASSWORD), (SECOND_PASSWORD, THIRD_PASSWORD)):
        login(page, email, old, lands_on=routes.PASSWORD_CHANGE)
        expect(page.get_by_role("alert").filter(has_text=FORCED)).to_be_visible()
        for path in PRIVATE_PAGES[:3]:
            page.goto(server.url(path))
            expect(page).to_have_url(re.compile(r"/zmiana-hasla/$"))
            wait_ready(page)
            expect(page.get_by_text("Zalogowano jako")).to_have_count(0)
        fill_change(page, old, new)
        expect(page).to_have_url(re.compile(r"/zmiana-hasla/\?zmieniono=1$"))
        wait_ready(page)
        page.goto(server.url(routes.ACCOUNT))
        expect(page).to_have_url(re.compile(r"/konto/$"))
        wait_ready(page)
        expect(page.get_by_text("Zalogowano jako")).to_be_visible()
        logout(page)

    # With the option off again, a login goes straight to /konto.
    login(page, email, THIRD_PASSWORD, lands_on=routes.PASSWORD_CHANGE)
    fill_change(page, THIRD_PASSWORD, PASSWORD)
    expect(page).to_have_url(re.compile(r"/zmiana-hasla/\?zmieniono=1$"))
    page.goto(server.url(routes.ACCOUNT))
    wait_ready(page)
    region = periodic_region(page)
    region.get_by_label("Włącz okresową zmianę hasła").click()
    region.get_by_role("button", name="Zapisz").click()
    expect(region.get_by_role("status")).to_contain_text("Zapisano")
    logout(page)
    login(page, email, PASSWORD)
