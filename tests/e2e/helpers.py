"""Helpers for the browser tests: the running server, and the steps many tests share.

The server fixture (tests/e2e/conftest.py) registers the running server here, so helpers such as
`register_user(page, email, password)` need no server argument.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from fakturowo_ui import routes
from tests.conftest import Mailbox, SMTPServer, action_link

CONFIRM_SUBJECT = "Potwierdź adres email"
PASSWORD = "zielony slon jedzie tramwajem 7"

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

    def user_count(self) -> int:
        return self.scalar('SELECT count(*) FROM "user"')

    def expire_tokens(self, email: str, purpose: str | None = None) -> int:
        """Time travel: make the user's one-time tokens (of one purpose, if given) expired."""
        user_id = self.user_id(email)
        assert user_id is not None, f"no user {email!r}"
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
    user_id = current_server().user_id(email)
    assert user_id is not None
    return user_id


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
