"""Two hosts behind nginx (issue 9, item 3): one tab's requests land on both app servers, one server
dies with SIGKILL mid-session, and the tab carries on through the other with nothing lost.

The browser talks only to nginx (deploy/nginx.conf: round-robin, no sticky sessions); the two
app servers share one PostgreSQL database and one Redis. nginx's access log names the server of
every request ($upstream_addr); the server holding the tab's websocket is the one killed.
"""

from __future__ import annotations

import io
import time
import urllib.request
import zipfile

from playwright.sync_api import Page, expect

from fakturowo_ui.services.accounts import blocked_email_digest
from tests.conftest import TEST_SECRET, action_link
from tests.e2e.helpers import (
    INFO_LABEL,
    PASSWORD,
    REMINDERS_LABEL,
    assert_no_script_errors,
    check_box,
    consents_in_db,
    current_server,
    expect_consents,
    expect_message,
    login,
    new_tab,
    register_user,
    save_consents,
    save_consents_and_check,
    tick,
    unique_email,
    wait_ready,
)
from tests.harness import environ
from tests.multihost.services import COUNT_SOCKETS_SCRIPT, established_connections

DELETION = "Usunięcie konta użytkownika"


def download_export(page: Page) -> bytes:
    region = page.get_by_role("region", name=DELETION)
    with page.expect_download(timeout=60_000) as download:
        region.get_by_role("button", name="Pobierz kopię danych").click()
    expect_message(page, "Kopia danych jest gotowa")
    with open(download.value.path(), "rb") as file:
        return file.read()


def websocket_host(cluster) -> list:
    """The app servers holding a websocket from nginx right now."""
    return [server for server in cluster.servers if established_connections(server.port) > 0]


def test_a_tab_carries_on_through_the_other_host_when_one_dies(page: Page, browser, cluster):
    nginx, (a, b) = cluster.nginx, cluster.servers
    front = current_server()
    email = unique_email("dwa-hosty")

    # Registration, the confirmation link (it points at nginx: action_link checks the base URL)
    # and login, all through nginx.
    user_id = register_user(page, email)
    login(page, email)
    expect_consents(page, False, False)
    tick(page, REMINDERS_LABEL)
    tick(page, INFO_LABEL)
    save_consents_and_check(page, user_id, True, True)

    # The data export is written on the host that built it; nginx asks the other host too
    # (a 404 there is passed on), so the download works whichever host nginx picks first.
    passed_on = False
    for _attempt in range(4):
        archive = zipfile.ZipFile(io.BytesIO(download_export(page)))
        assert "dane.json" in archive.namelist()
        passed_on = any(
            entry.path.startswith("/pliki/eksport/")
            and len(entry.upstreams) == 2
            and entry.status == 200
            and entry.upstream_statuses[0] == "404"
            for entry in nginx.accesses()
        )
        if passed_on:
            break
    assert passed_on, "no export download was passed on from the host without the file"

    # Each host built its own frontend (file names differ): every script or style a page asked
    # for was found, passed on from the host without it to the one with it where needed.
    assets = [entry for entry in nginx.accesses() if entry.path.startswith("/assets/")]
    assert assets and all(entry.status in (200, 304) for entry in assets), [
        e for e in assets if e.status not in (200, 304)
    ]

    # So far both servers have served this user's requests.
    served = {entry.served_by for entry in nginx.accesses()}
    assert {a.address, b.address} <= served, served
    # Round-robin alternates over every request, pages, scripts and API calls alike: when each
    # page load of the flow made an even number of requests, all its pages went to one server.
    # Then one request of another kind shifts the turn and the page is loaded again.
    for _attempt in range(4):
        pages_by = {
            entry.served_by for entry in nginx.accesses() if entry.path.endswith("/") and entry.status == 200
        }
        if {a.address, b.address} <= pages_by:
            break
        urllib.request.urlopen(f"{nginx.url}/ping", timeout=10).close()  # noqa: S310 - loopback
        page.reload()
        wait_ready(page)
    assert {a.address, b.address} <= pages_by, "pages were served by one server only"

    # Kill the server that holds the tab's websocket: the CLI and its worker, at once.
    deadline = time.monotonic() + 10  # after a reload above, the old socket may be closing still
    while len(holding := websocket_host(cluster)) != 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(holding) == 1, f"the tab's websocket should be on one server: {holding}"
    victim = holding[0]
    survivor = b if victim is a else a
    logged_before_kill = len(nginx.accesses())
    connects = page.evaluate("window.__e2e_connects")
    victim.kill()

    # The page notices, reconnects through nginx, and nginx sends it to the survivor.
    page.wait_for_function(
        f"window.__e2e_disconnects >= 1 && window.__e2e_connects > {connects} "
        "&& window.__e2e_socket === 'connected'",
        timeout=30_000,
    )
    assert websocket_host(cluster) == [survivor]

    # Events go on through the new socket without a reload: the saved consents are still the
    # tab's (its state is in Redis, not in the dead server), so saving them again changes nothing.
    save_consents(page)
    expect_message(page, "Nic się nie zmieniło")
    assert consents_in_db(user_id) == (True, True)
    # And after a reload (a full page load, served by the survivor alone).
    page.reload()
    wait_ready(page)
    expect(page.get_by_text("Zalogowano jako")).to_be_visible()
    expect_consents(page, True, True)

    # The deletion flow, with one server left.
    region = page.get_by_role("region", name=DELETION)
    check_box(region.get_by_role("checkbox"))
    region.get_by_role("button", name="Usuń konto").click()
    expect(region.get_by_role("status")).to_contain_text("wysłaliśmy")
    link = action_link(front.wait_for_mail(email, "Potwierdź usunięcie konta"), nginx.url)
    other = new_tab(browser, nginx.url, COUNT_SOCKETS_SCRIPT)
    try:
        other.goto(link)
        wait_ready(other)
        expect(other.get_by_text(f"numerze ID {user_id}")).to_be_visible()
        other.get_by_label("Hasło", exact=True).fill(PASSWORD)
        other.get_by_role("button", name="Usuń konto bezpowrotnie").click()
        expect_message(other, "zostało usunięte")
        assert_no_script_errors(other)
    finally:
        other.context.close()
    front.wait_for_mail(email, "Twoje konto zostało usunięte")

    # Nothing lost, nothing left: the account is gone from the shared database, its address
    # blocked, and no row of the user is anywhere.
    assert front.user_id(email) is None
    tables = [
        row[0]
        for row in front.sql(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND column_name = 'user_id'"
        )
    ]
    assert "consent_record" in tables and "document" in tables, tables
    left = {
        table: front.scalar(f'SELECT count(*) FROM "{table}" WHERE user_id = ?', (user_id,))
        for table in tables
    }
    assert set(left.values()) == {0}, left
    with environ({"FAKTUROWO_SECRET_KEY": TEST_SECRET}):
        address_digest = blocked_email_digest(email)
    assert front.scalar("SELECT count(*) FROM blocked_address WHERE email_digest = ?", (address_digest,)) == 1

    # nginx: after the kill every request was answered (no 502/504 reached the browser); a
    # request sent to the dead server first was passed on to the survivor; only the websocket
    # that was open when the victim died is logged as the victim's.
    after = nginx.accesses()[logged_before_kill:]
    assert after, "nothing was logged after the kill"
    failed = [entry for entry in after if entry.status >= 500]
    assert not failed, failed
    by_victim = [entry for entry in after if entry.served_by == victim.address]
    assert [entry.path.rstrip("/") for entry in by_victim] == ["/_event"], by_victim
    assert any(entry.served_by == survivor.address for entry in after)
    assert_no_script_errors(page)
