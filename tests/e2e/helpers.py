"""Helpers for the browser tests (tests/e2e, tests/faults, tests/multihost): the running server,
Chromium and its tabs, and the steps many tests share.

The server fixture (tests/e2e/conftest.py; the fault and several-hosts fixtures likewise) registers
the running server here, so helpers such as `register_user(page, email, password)` need no server
argument.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import subprocess
import time
import uuid
import weakref
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pluggy
import pytest
from playwright.sync_api import Browser, Dialog, Locator, Page, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from fakturowo_ui import routes
from tests.conftest import Mailbox, SMTPServer, action_link
from tests.harness import CHROMIUM, CHROMIUM_ARGS, ROOT

ARTIFACTS = ROOT / "test-artifacts"
CONFIRM_SUBJECT = "Potwierdź adres email"
PASSWORD = "zielony slon jedzie tramwajem 7"
CONSENTS = "Zgody na otrzymywanie wiadomości"
REMINDERS_LABEL = "Na 30 dni oraz na 5 dni"
INFO_LABEL = "Czasami wysyłamy"

# Installed into every page before its scripts run: Reflex's instrumentation hook tells when the
# websocket is connected (so the page is hydrated and events reach the server), and a flag any
# injected payload would set (`window.__xss`) starts out unset.
INIT_SCRIPT = """
(() => {
  window.__e2e_socket = 'connecting';
  window.__reflex_otel = Object.assign(window.__reflex_otel || {}, {
    onSocketConnect() { window.__e2e_socket = 'connected'; },
    onSocketDisconnect() { window.__e2e_socket = 'disconnected'; },
  });
})();
"""


@dataclass
class Server:
    """The production build under test, with its database, mailbox and log."""

    base_url: str
    port: int
    var_dir: Path
    db_path: Path
    log_path: Path
    smtp: SMTPServer
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def mailbox(self) -> Mailbox:
        return self.smtp.mailbox

    def url(self, path: str) -> str:
        return self.base_url + path

    # -- the app's database, for checks and time travel -------------------------------------
    def execute(self, statement: str, params: tuple | dict = ()) -> tuple[list[tuple[Any, ...]], int]:
        """Run one SQL statement on the app's SQLite file (committed): (rows, rows changed)."""
        con = sqlite3.connect(self.db_path, timeout=15)
        try:
            con.execute("PRAGMA busy_timeout=15000")
            cursor = con.execute(statement, params)
            rows = cursor.fetchall()
            con.commit()
            return rows, cursor.rowcount
        finally:
            con.close()

    def sql(self, statement: str, params: tuple | dict = ()) -> list[tuple[Any, ...]]:
        """Run one SQL statement on the app's SQLite file (committed); returns the rows."""
        return self.execute(statement, params)[0]

    def scalar(self, statement: str, params: tuple | dict = ()) -> Any:
        rows = self.sql(statement, params)
        return rows[0][0] if rows else None

    def user_id(self, email: str) -> int | None:
        return self.scalar('SELECT id FROM "user" WHERE email = ?', (email.strip().lower(),))

    def existing_user_id(self, email: str) -> int:
        """user_id() of an account the test has made; fails the test when there is none."""
        user_id = self.user_id(email)
        assert user_id is not None, f"no user {email!r}"
        return user_id

    def user_count(self) -> int:
        return self.scalar('SELECT count(*) FROM "user"')

    def expire_tokens(self, email: str, purpose: str | None = None) -> int:
        """Time travel: make the user's one-time tokens (of one purpose, if given) expired."""
        user_id = self.existing_user_id(email)
        query = "UPDATE one_time_token SET expires_at = '2000-01-01 00:00:00.000000' WHERE user_id = ?"
        params: tuple = (user_id,)
        if purpose is not None:
            query += " AND purpose = ?"
            params += (purpose,)
        return self.execute(query, params)[1]

    def clear_rate_limits(self) -> None:
        self.sql("DELETE FROM rate_limit_hit")

    # -- mail and log ------------------------------------------------------------------------
    def wait_for_mail(self, email: str, subject: str, *, after: int = 0, timeout: float = 15) -> EmailMessage:
        """The newest mail to `email` with `subject`, waiting until more than `after` have arrived."""
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in self.mailbox.to(email) if m["Subject"] == subject]
            if len(found) > after:
                return found[-1]
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no mail {subject!r} to {email!r} within {timeout} s; log tail:\n{self.log_tail()}"
                )
            time.sleep(0.1)

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"


_server: Server | None = None


def set_server(server: Server | None) -> None:
    global _server
    _server = server


def current_server() -> Server:
    assert _server is not None, "the e2e server fixture is not running"
    return _server


# -- Chromium and its tabs -----------------------------------------------------------------------


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium through sync Playwright, closed again when the block ends (so the next
    directory's tests can start their own)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make chromium` installs Debian's Chromium", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Watch:
    """What a tab's scripts did that no test wants: dialogs they opened (each dismissed) and
    uncaught errors."""

    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


_watches: weakref.WeakKeyDictionary[Page, Watch] = weakref.WeakKeyDictionary()


def watch(page: Page) -> Watch:
    """Start watching a tab (new_tab does, before anything loads); its Watch."""
    found = _watches.get(page)
    if found is None:
        found = _watches[page] = Watch()

        def on_dialog(dialog: Dialog) -> None:
            found.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda error: found.errors.append(str(error)))
    return found


def watched(page: Page) -> Watch:
    """The Watch of a tab made by new_tab() (the page fixtures' tabs are)."""
    found = _watches.get(page)
    assert found is not None, "nothing watches this tab's scripts: it was not made by new_tab()"
    return found


def assert_no_script_errors(page: Page) -> None:
    """No uncaught script error in a tab made by new_tab(), so far."""
    errors = watched(page).errors
    assert not errors, f"uncaught script errors: {errors}"


def new_tab(browser: Browser, base_url: str, *scripts: str) -> Page:
    """A fresh context and page (Polish, INIT_SCRIPT and then `scripts` installed, watched)."""
    context = browser.new_context(base_url=base_url, locale="pl-PL", viewport={"width": 1280, "height": 900})
    context.add_init_script(INIT_SCRIPT)
    for script in scripts:
        context.add_init_script(script)
    tab = context.new_page()
    watch(tab)
    return tab


@contextlib.contextmanager
def tab_for_test(
    browser: Browser, base_url: str, request: pytest.FixtureRequest, *scripts: str
) -> Iterator[Page]:
    """new_tab() for one test: a screenshot in test-artifacts/ if the test failed, and no dialog."""
    tab = new_tab(browser, base_url, *scripts)
    try:
        yield tab
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid.split("::", 1)[-1])[:120]
            with contextlib.suppress(Exception):
                tab.screenshot(path=str(ARTIFACTS / f"failed-{name}.png"), full_page=True)
        tab.context.close()
    dialogs = watched(tab).dialogs
    assert not dialogs, f"a script opened a dialog: {dialogs}"


def keep_reports(item: pytest.Item) -> Generator[None, pluggy.Result[pytest.TestReport], None]:
    """Body of a pytest_runtest_makereport hookwrapper: each phase's report stays on the item,
    so tab_for_test knows whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


# -- steps ---------------------------------------------------------------------------------------


def unique_email(prefix: str = "e2e") -> str:
    """A fresh address nobody has registered."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


def wait_ready(page: Page, timeout: float = 20_000) -> None:
    """Wait until the page is hydrated and its websocket is connected (events reach the server)."""
    page.wait_for_function("window.__e2e_socket === 'connected'", timeout=timeout)


def open_page(page: Page, path: str) -> None:
    """A full page load of `path`, then wait until the page can talk to the server."""
    page.goto(current_server().url(path))
    wait_ready(page)


def message(page: Page, text: str | re.Pattern):
    """An outcome message with role status or alert containing `text`."""
    return page.locator("[role=status], [role=alert]").filter(has_text=text)


def expect_message(page: Page, text: str | re.Pattern) -> None:
    expect(message(page, text).first).to_be_visible()


def fill_registration(page: Page, email: str, password: str, repeat: str | None = None) -> None:
    page.get_by_label("Adres email", exact=True).fill(email)
    page.get_by_label("Hasło", exact=True).fill(password)
    page.get_by_label("Powtórz hasło", exact=True).fill(password if repeat is None else repeat)


def register(page: Page, email: str, password: str = PASSWORD) -> None:
    """Fill and send the registration form; waits for the confirmation notice."""
    open_page(page, routes.REGISTER)
    fill_registration(page, email, password)
    page.get_by_role("button", name="Zarejestruj konto").click()
    expect_message(page, "Konto zostało utworzone")


def confirm_link(email: str) -> str:
    """The link from the newest "Potwierdź adres email" mail to `email`."""
    server = current_server()
    return action_link(server.wait_for_mail(email, CONFIRM_SUBJECT), server.base_url)


def confirm(page: Page, link: str) -> None:
    """Open a confirmation link and press its button."""
    page.goto(link)
    wait_ready(page)
    page.get_by_role("button", name="Potwierdź adres email").click()
    expect_message(page, "Adres email został potwierdzony")


def register_user(page: Page, email: str, password: str = PASSWORD) -> int:
    """Register through the form and confirm through the link from the mailbox; returns the ID."""
    register(page, email, password)
    confirm(page, confirm_link(email))
    return current_server().existing_user_id(email)


def submit_login(page: Page, email: str, password: str, path: str = routes.LOGIN) -> None:
    """Fill and send the login form (opening `path` first when given)."""
    if path:
        open_page(page, path)
    page.get_by_label("Adres email", exact=True).fill(email)
    page.get_by_label("Hasło", exact=True).fill(password)
    page.get_by_role("button", name="Zaloguj", exact=True).click()


def login(page: Page, email: str, password: str = PASSWORD, *, lands_on: str = routes.ACCOUNT) -> None:
    """Log in through /logowanie and wait for the page the login leads to."""
    submit_login(page, email, password)
    expect(page).to_have_url(re.compile(re.escape(lands_on) + r"(\?.*)?$"))
    wait_ready(page)
    if lands_on == routes.ACCOUNT:
        expect(page.get_by_text("Zalogowano jako")).to_be_visible()


def logout(page: Page) -> None:
    """Press "Wyloguj" and wait for the login page saying so."""
    page.get_by_role("button", name="Wyloguj").click()
    expect(page).to_have_url(re.compile(r"/logowanie/\?wylogowano=1$"))
    wait_ready(page)
    expect_message(page, "Wylogowano")


# -- the consents on /konto ----------------------------------------------------------------------


def consents_in_db(user_id: int) -> tuple[bool, bool]:
    """(reminders, info) as the database holds them."""
    rows = current_server().sql('SELECT reminder_consent, info_consent FROM "user" WHERE id = ?', (user_id,))
    assert rows, f"user {user_id} is gone"
    return bool(rows[0][0]), bool(rows[0][1])


def expect_consents(page: Page, reminders: bool, info: bool) -> None:
    """The two boxes show these states."""
    region = page.get_by_role("region", name=CONSENTS)
    for label, wanted in ((REMINDERS_LABEL, reminders), (INFO_LABEL, info)):
        box = region.get_by_label(label)
        if wanted:
            expect(box).to_be_checked()
        else:
            expect(box).not_to_be_checked()


def check_box(box: Locator) -> None:
    """Tick an uncontrolled box of a page that has just loaded: a click that lands while React
    replaces the element (the page's other regions still loading, slow under load) is lost, and
    Playwright says "did not change its state"; the box is then clicked again, up to 3 times."""
    for _attempt in range(2):
        try:
            box.check()
            return
        except PlaywrightError as error:
            if "did not change its state" not in str(error):
                raise
            box.page.wait_for_timeout(300)
    box.check()


def tick(page: Page, label: str, wanted: bool = True) -> None:
    """Click a controlled box and wait until the server's answer shows it in the wanted state."""
    box = page.get_by_role("region", name=CONSENTS).get_by_label(label)
    box.click()
    if wanted:
        expect(box).to_be_checked()
    else:
        expect(box).not_to_be_checked()


def save_consents(page: Page) -> None:
    """Press "Zapisz" in the consents region."""
    page.get_by_role("region", name=CONSENTS).get_by_role("button", name="Zapisz").click()


def save_consents_and_check(page: Page, user_id: int, reminders: bool, info: bool) -> None:
    """Press "Zapisz", see "Zapisano zgody", and find (reminders, info) in the database."""
    save_consents(page)
    expect_message(page, "Zapisano zgody")
    assert consents_in_db(user_id) == (reminders, info)
