"""Consents and reminders (issue 5) in Chromium against the production build.

Change the consents on /konto, save, reload and log in again: they are kept. The unsubscribe
link from a real reminder mail: a one-click POST over plain HTTP (no cookie, no Origin) withdraws
the consent; opened in the browser it shows a button and changes nothing until pressed; after the
account is gone it says the account does not exist.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

from playwright.sync_api import Page, expect

from fakturowo_ui import routes
from fakturowo_ui.services import clock
from fakturowo_ui.settings import REPO_ROOT
from tests.conftest import TEST_SECRET, text_of
from tests.e2e.helpers import (
    CONSENTS,
    INFO_LABEL,
    REMINDERS_LABEL,
    consents_in_db,
    current_server,
    expect_consents,
    expect_message,
    login,
    open_page,
    register_user,
    save_consents,
    save_consents_and_check,
    tick,
    unique_email,
    wait_ready,
)
from tests.harness import environ

SUBJECT_30 = "Twój abonament kończy się za 30 dni"


def test_consents_are_saved_and_kept_after_reload_and_a_new_login(page: Page, browser):
    server = current_server()
    email = unique_email("zgody")
    user_id = register_user(page, email)
    login(page, email)
    region = page.get_by_role("region", name=CONSENTS)
    expect_consents(page, False, False)  # registration left both unticked
    expect(region).to_contain_text("Jeszcze nie zmieniano")

    tick(page, REMINDERS_LABEL, True)
    tick(page, INFO_LABEL, True)
    save_consents_and_check(page, user_id, True, True)

    page.reload()
    wait_ready(page)
    expect_consents(page, True, True)
    expect(page.get_by_role("region", name=CONSENTS)).to_contain_text("Ostatnia zmiana:")

    tick(page, INFO_LABEL, False)
    save_consents(page)
    expect_message(page, "Zapisano zgody")
    page.reload()
    wait_ready(page)
    expect_consents(page, True, False)

    # Saving without a change adds no record.
    save_consents(page)
    expect_message(page, "Nic się nie zmieniło")
    records = server.sql(
        "SELECT consent, given, source FROM consent_record WHERE user_id = ? ORDER BY id", (user_id,)
    )
    assert records == [("reminders", 1, "account"), ("info", 1, "account"), ("info", 0, "account")]

    # Another browser, a new login: the same state.
    context = browser.new_context(base_url=server.base_url, locale="pl-PL")
    try:
        other = context.new_page()
        from tests.e2e.helpers import INIT_SCRIPT

        other.add_init_script(INIT_SCRIPT)
        open_page(other, routes.LOGIN)
        login(other, email)
        expect_consents(other, True, False)
    finally:
        context.close()


def run_daily_job() -> None:
    """The operator's daily job (`python -m fakturowo_ui.jobs daily`, as cron runs it) on the
    server's database and mail server."""
    server = current_server()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAKTUROWO_", "REFLEX_"))}
    env.update(
        {
            "FAKTUROWO_VAR_DIR": str(server.var_dir),
            "REFLEX_DB_URL": f"sqlite:///{server.db_path}",
            "FAKTUROWO_BASE_URL": server.base_url,
            "FAKTUROWO_SECRET_KEY": TEST_SECRET,
            **server.smtp.env,
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "fakturowo_ui.jobs", "daily"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def _post(url: str, body: bytes = b"List-Unsubscribe=One-Click") -> tuple[int, str, dict]:
    """A POST as a mail provider sends it: no cookie, no Origin, form-encoded."""
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 - loopback
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def test_one_click_post_from_a_real_reminder_withdraws_the_consent(page: Page):
    server = current_server()
    email = unique_email("wypisz")
    user_id = register_user(page, email)
    server.sql('UPDATE "user" SET reminder_consent = 1, info_consent = 1 WHERE id = ?', (user_id,))
    today = clock.today_warsaw()
    server.sql(
        "UPDATE subscription SET trial_ends_on = ? WHERE user_id = ?",
        ((today + dt.timedelta(days=20)).isoformat(), user_id),
    )

    # The operator's daily job, as cron would run it, sends the 30-day reminder.
    run_daily_job()
    letter = server.wait_for_mail(email, SUBJECT_30)
    header = str(letter["List-Unsubscribe"])
    assert letter["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = header.strip("<>")
    assert url.startswith(f"{server.base_url}/wypisz/?token=")
    assert url in text_of(letter).splitlines()

    # Opening the link (GET, HEAD, and in the browser) changes nothing.
    with urllib.request.urlopen(url, timeout=15) as response:  # noqa: S310 - loopback
        assert response.status == 200
    page.goto(url)
    wait_ready(page)
    expect(page.get_by_role("button", name="Wypisz mnie")).to_be_visible()
    expect(page.get_by_text("przypomnienia o końcu abonamentu")).to_be_visible()
    assert consents_in_db(user_id) == (True, True)

    # The one-click POST: no cookie, no Origin.
    status, text, headers = _post(url)
    assert status == 200, text
    assert "Wypisano" in text
    assert "set-cookie" not in {k.lower() for k in headers}
    assert consents_in_db(user_id) == (False, True)
    assert server.sql(
        "SELECT consent, given FROM consent_record WHERE user_id = ? AND source = 'unsubscribe'", (user_id,)
    ) == [("reminders", 0)]

    # A POST without the one-click body changes nothing and is refused.
    assert _post(url, b"")[0] == 400

    # The same link in the browser now says the consent is already withdrawn.
    page.goto(url)
    wait_ready(page)
    expect_message(page, "już wycofana")
    expect(page.get_by_role("button", name="Wypisz mnie")).to_have_count(0)

    # A second run sends no more reminders (the consent is gone and the first one is recorded).
    run_daily_job()
    assert len([m for m in server.mailbox.to(email) if m["Subject"] == SUBJECT_30]) == 1


def _info_link(user_id: int) -> str:
    server = current_server()
    with environ(
        {
            "FAKTUROWO_SECRET_KEY": TEST_SECRET,
            "FAKTUROWO_BASE_URL": server.base_url,
            "FAKTUROWO_VAR_DIR": str(server.var_dir),
        }
    ):
        from fakturowo_ui.services import unsubscribe

        return unsubscribe.link(user_id, "info")


def test_the_page_button_withdraws_and_a_deleted_account_is_named(page: Page):
    server = current_server()
    email = unique_email("przycisk")
    user_id = register_user(page, email)
    server.sql('UPDATE "user" SET info_consent = 1 WHERE id = ?', (user_id,))
    url = _info_link(user_id)

    page.goto(url)
    wait_ready(page)
    expect(page.get_by_role("heading", name="Wypisanie z wiadomości")).to_be_visible()
    page.get_by_role("button", name="Wypisz mnie").click()
    expect_message(page, "Wypisano")
    assert consents_in_db(user_id) == (False, False)

    # A tampered link: refused, nothing changes.
    tampered = re.sub(r"token=(\d+)", lambda m: f"token={int(m.group(1)) + 1}", url)
    page.goto(tampered)
    wait_ready(page)
    expect_message(page, "nieprawidłowy")
    assert _post(tampered)[0] == 400

    # The account is deleted: its link says so, in the page and to the one-click POST.
    server.sql('DELETE FROM "user" WHERE id = ?', (user_id,))
    page.goto(url)
    wait_ready(page)
    expect_message(page, "konto nie istnieje")
    status, text, _ = _post(url)
    assert status == 404 and "konto nie istnieje" in text
    parsed = urllib.parse.urlsplit(url)
    assert parsed.path == "/wypisz/"
