"""Account deletion end to end in Chromium, with the app's mail going through a real SMTP server."""

from __future__ import annotations

import contextlib
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from fakturowo_ui import routes
from tests.conftest import action_link, text_of
from tests.e2e.helpers import (
    INIT_SCRIPT,
    PASSWORD,
    check_box,
    current_server,
    expect_message,
    fill_registration,
    login,
    open_page,
    register_user,
    unique_email,
    wait_ready,
)

pytestmark = pytest.mark.e2e

DELETION_SUBJECT = "Potwierdź usunięcie konta"
GOODBYE_SUBJECT = "Twoje konto zostało usunięte"


def deletion_region(page: Page):
    return page.get_by_role("region", name="Usunięcie konta użytkownika")


def ask_for_deletion(page: Page, email: str, *, after: int = 0) -> str:
    """Tick the box, press "Usuń konto", wait for the mail; returns the link."""
    region = deletion_region(page)
    check_box(region.get_by_role("checkbox"))
    region.get_by_role("button", name="Usuń konto").click()
    expect(region.get_by_role("status")).to_contain_text("wysłaliśmy")
    expect(region.get_by_role("status")).to_contain_text(email)
    server = current_server()
    return action_link(server.wait_for_mail(email, DELETION_SUBJECT, after=after), server.base_url)


@contextlib.contextmanager
def open_link(browser, link: str) -> Iterator[Page]:
    """The link in a fresh browser context that is not logged in (as from a mail client), closed
    when the block ends."""
    context = browser.new_context(locale="pl-PL")
    try:
        context.add_init_script(INIT_SCRIPT)
        page = context.new_page()
        page.goto(link)
        wait_ready(page)
        yield page
    finally:
        context.close()


def confirm_with(page: Page, password: str) -> None:
    page.get_by_label("Hasło", exact=True).fill(password)
    page.get_by_role("button", name="Usuń konto bezpowrotnie").click()


def new_account(page: Page, prefix: str) -> tuple[str, int]:
    email = unique_email(prefix)
    user_id = register_user(page, email)
    login(page, email)
    return email, user_id


def test_whole_flow_from_a_fresh_browser(page, browser):
    server = current_server()
    email, user_id = new_account(page, "usun")
    region = deletion_region(page)
    expect(region).to_contain_text(f"numerze ID {user_id}")
    expect(region).to_contain_text(email)
    expect(region).to_contain_text("w ciągu godziny")
    link = ask_for_deletion(page, email)
    mail_text = text_of(server.wait_for_mail(email, DELETION_SUBJECT))
    assert re.search(r"ważny do \d\d:\d\d", mail_text)

    # Opening the link (GET and HEAD, as scanners do) changes nothing.
    for method in ("GET", "HEAD"):
        with urllib.request.urlopen(urllib.request.Request(link, method=method)) as response:
            assert response.status == 200
            assert response.headers["Referrer-Policy"] == "no-referrer"
    with open_link(browser, link) as other:
        expect(other.get_by_text(f"numerze ID {user_id}")).to_be_visible()
        expect(other.get_by_text(email)).to_be_visible()
        expect(other.get_by_text("Zostaną usunięte: dokumenty: 0, klienci: 0, produkty: 0.")).to_be_visible()
        expect(other.get_by_text("5 lat")).to_be_visible()
        # The one thing to do on this page has the focus: typing goes into "Hasło" (issue 13).
        expect(other.get_by_label("Hasło", exact=True)).to_be_focused()
        assert server.user_id(email) == user_id
        confirm_with(other, PASSWORD)
        expect_message(other, "zostało usunięte")
        assert server.user_id(email) is None
        server.wait_for_mail(email, GOODBYE_SUBJECT)
        # A used link keeps saying so after its account is gone.
        other.goto(link)
        wait_ready(other)
        expect_message(other, "został już użyty")
        expect(other.get_by_role("button", name="Usuń konto bezpowrotnie")).to_have_count(0)

    # The tab that was logged in as the deleted user is logged out at its next event.
    page.get_by_role("region", name="Zgody na otrzymywanie wiadomości").get_by_role(
        "button", name="Zapisz"
    ).click()
    expect(page).to_have_url(re.compile(r"/logowanie/"))
    expect(page.get_by_text(email)).to_have_count(0)

    # The address cannot register again, in any letter case and with spaces around.
    open_page(page, routes.REGISTER)
    fill_registration(page, f"  {email.upper()}  ", PASSWORD)
    page.get_by_role("button", name="Zarejestruj konto").click()
    expect_message(page, "zablokowany")
    assert server.user_id(email) is None

    # Neither the database files nor the server's log keep the address or the token.
    token = link.split("token=", 1)[1]
    stored = b"".join(
        Path(str(server.db_path) + suffix).read_bytes()
        for suffix in ("", "-wal")
        if Path(str(server.db_path) + suffix).exists()
    )
    assert email.encode() not in stored
    log = server.log_path.read_text(errors="replace")
    assert email not in log and token not in log
    assert f"deletion confirmed user_id={user_id}" in log


def test_box_not_ticked_sends_nothing(page):
    server = current_server()
    email, _ = new_account(page, "nietick")
    region = deletion_region(page)
    region.get_by_role("button", name="Usuń konto").click()
    expect(region.get_by_role("alert")).to_contain_text("zaznacz")
    page.wait_for_timeout(500)
    assert [m for m in server.mailbox.to(email) if m["Subject"] == DELETION_SUBJECT] == []


def test_wrong_password_then_five_void_the_link(page, browser):
    server = current_server()
    email, _ = new_account(page, "zlehaslo")
    link = ask_for_deletion(page, email)
    with open_link(browser, link) as other:
        for attempt in range(1, 5):
            confirm_with(other, "to nie jest moje haslo")
            expect(other.get_by_role("alert")).to_contain_text("nieprawidłowe hasło")
            expect(other.get_by_role("alert")).to_contain_text(f"Pozostałe próby: {5 - attempt}")
        confirm_with(other, "to nie jest moje haslo")
        expect(other.get_by_role("alert")).to_contain_text("unieważniony")
        expect(other.get_by_role("button", name="Usuń konto bezpowrotnie")).to_have_count(0)
        other.goto(link)
        wait_ready(other)
        expect_message(other, "unieważniony")
        assert server.user_id(email) is not None


def test_expired_link_offers_to_ask_again(page, browser):
    server = current_server()
    email, _ = new_account(page, "wygasly")
    link = ask_for_deletion(page, email)
    server.expire_tokens(email, "delete_account")
    with open_link(browser, link) as other:
        expect_message(other, "wygasł")
        expect(other.get_by_role("link", name=re.compile("poprosić o nowy link"))).to_be_visible()
        expect(other.get_by_role("button", name="Usuń konto bezpowrotnie")).to_have_count(0)
        assert server.user_id(email) is not None


def test_superseded_link_and_the_mail_limit(page, browser):
    server = current_server()
    email, _ = new_account(page, "nowszy")
    first = ask_for_deletion(page, email)
    # A second request at once is refused with the time of the next possible one.
    region = deletion_region(page)
    region.get_by_role("button", name="Usuń konto").click()
    expect(region.get_by_role("alert")).to_contain_text(re.compile(r"o \d\d:\d\d"))
    server.clear_rate_limits()
    second = ask_for_deletion(page, email, after=1)
    assert second != first
    with open_link(browser, first) as other:
        expect_message(other, "zastąpiony nowszym")
        other.goto(second)
        wait_ready(other)
        confirm_with(other, PASSWORD)
        expect_message(other, "zostało usunięte")


def test_smtp_server_down(page):
    server = current_server()
    email, _ = new_account(page, "smtpdown")
    region = deletion_region(page)
    check_box(region.get_by_role("checkbox"))
    server.smtp.stop()
    try:
        region.get_by_role("button", name="Usuń konto").click()
        # Said within 10 seconds, and nothing usable was left behind.
        expect(region.get_by_role("alert")).to_contain_text("Nie udało się wysłać", timeout=10_000)
        assert (
            server.scalar(
                "SELECT count(*) FROM one_time_token WHERE purpose='delete_account' AND user_id=?",
                (server.user_id(email),),
            )
            == 0
        )
    finally:
        server.smtp.start()
    # The failure did not count against the limit: the next request goes out at once.
    ask_for_deletion(page, email)
