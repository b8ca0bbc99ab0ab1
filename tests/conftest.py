"""Shared fixtures: a migrated SQLite database per test, a real SMTP server on loopback, a movable clock.

Every test gets its own var/ directory and database file (copied from one migrated template, so
Alembic runs once per session), with settings read afresh from the environment.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import os
import re
import shutil
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPProtocol

from fakturowo_ui import db
from fakturowo_ui.services import clock
from fakturowo_ui.settings import reset_settings_cache

# free_port and migrate are imported from here by tests of every directory: their one home is
# tests/harness.py, which the benchmarks share.
from tests.harness import environ, free_port, migrate

FAKTUROWO_ENV_PREFIXES = ("FAKTUROWO_", "REFLEX_DB_URL", "REFLEX_REDIS_URL")
TEST_SECRET = "test-secret-key-0123456789abcdef-0123456789"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """One SQLite file with the whole schema, made through the migrations."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    with environ({"FAKTUROWO_VAR_DIR": str(path.parent), "FAKTUROWO_SECRET_KEY": TEST_SECRET}):
        migrate(f"sqlite:///{path}")
    # Fold the WAL into the main file so a plain copy carries the schema.
    import sqlite3

    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    return path


@pytest.fixture
def app_env(tmp_path, monkeypatch, migrated_template) -> Iterator[dict[str, str]]:
    """A clean environment for the app: own var/ dir, own migrated SQLite database, outbox mail.

    Tests change settings with monkeypatch.setenv(...) followed by reset_settings_cache().
    """
    for key in list(os.environ):
        if key.startswith(FAKTUROWO_ENV_PREFIXES):
            monkeypatch.delenv(key, raising=False)
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    db_path = var_dir / "fakturowo.db"
    shutil.copy(migrated_template, db_path)
    env = {
        "FAKTUROWO_VAR_DIR": str(var_dir),
        "REFLEX_DB_URL": f"sqlite:///{db_path}",
        "FAKTUROWO_SECRET_KEY": TEST_SECRET,
        "FAKTUROWO_RATE_LIMITS": "on",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    reset_settings_cache()
    db.reset_engine()
    yield env
    db.reset_engine()
    reset_settings_cache()


@pytest.fixture
def frozen_clock() -> Iterator[clock.FrozenClock]:
    """The app's clock, stopped at 2026-11-23 12:00 UTC; tests move it with .advance(...)."""
    frozen = clock.FrozenClock(dt.datetime(2026, 11, 23, 12, 0, 0))
    previous = clock.set_clock(frozen)
    yield frozen
    clock.set_clock(previous)


class Mailbox:
    """What the loopback SMTP server received, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.peers: list[tuple[str, int]] = []  # the client side of each message's connection
        self.lock = threading.Lock()
        self.refuse = False
        # Seconds to wait, after taking a message, before saying so: a server that accepts late.
        self.late_seconds = 0.0

    def append(self, raw: bytes) -> None:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)

    def to(self, address: str) -> list[EmailMessage]:
        """Messages sent to an address, oldest first."""
        with self.lock:
            return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    def last(self, address: str, subject: str | None = None) -> EmailMessage:
        """The newest message to an address (with that subject, if given)."""
        found = [m for m in self.to(address) if subject is None or m["Subject"] == subject]
        assert found, f"no mail to {address!r} with subject {subject!r}"
        return found[-1]


def text_of(message: EmailMessage) -> str:
    """The text/plain part of a message."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "the mail has no text part"
    return part.get_content()


def html_of(message: EmailMessage) -> str:
    """The text/html part of a message."""
    part = message.get_body(preferencelist=("html",))
    assert part is not None, "the mail has no HTML part"
    return part.get_content()


def action_link(message: EmailMessage, base_url: str) -> str:
    """The first URL in the text part that starts with the base URL, standing alone on its line."""
    for line in text_of(message).splitlines():
        if line.startswith(base_url):
            assert re.fullmatch(r"\S+", line), f"the link does not stand alone: {line!r}"
            return line
    raise AssertionError("no action link in the mail")


class _Handler:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.mailbox.refuse:
            return "554 Transaction failed (refused by the test)"
        self.mailbox.append(envelope.original_content or envelope.content)
        with self.mailbox.lock:
            self.mailbox.peers.append(tuple(session.peer[:2]))
        if self.mailbox.late_seconds:
            await asyncio.sleep(self.mailbox.late_seconds)
        return "250 OK"


class SMTPServer:
    """A real SMTP server (aiosmtpd) on loopback; `stop()` and `start()` simulate an outage."""

    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(
            _Handler(self.mailbox),
            hostname="127.0.0.1",
            port=self.port,
            server_kwargs={"data_size_limit": 10_000_000},
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def env(self) -> dict[str, str]:
        return {
            "FAKTUROWO_SMTP_HOST": "127.0.0.1",
            "FAKTUROWO_SMTP_PORT": str(self.port),
            "FAKTUROWO_SMTP_SECURITY": "none",
        }

    def __enter__(self) -> SMTPServer:
        """Started for a block (stopped at its end)."""
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# aiosmtpd's SMTP class is imported for its side effect of checking the package works.
assert SMTPProtocol is not None


@pytest.fixture
def smtp(app_env, monkeypatch) -> Iterator[SMTPServer]:
    """A running SMTP server the app is configured to send through."""
    server = SMTPServer()
    server.start()
    for key, value in server.env.items():
        monkeypatch.setenv(key, value)
    reset_settings_cache()
    yield server
    server.stop()


# Directories of browser tests, in the order they run after every other test, and the marks of
# every test in them.
BROWSER_TEST_DIRS = (
    (Path(__file__).parent / "multihost", ("e2e", "postgres")),
    (Path(__file__).parent / "faults", ("e2e",)),
    (Path(__file__).parent / "e2e", ("e2e",)),
)


def _browser_dir(item: pytest.Item) -> tuple[int, tuple[str, ...]]:
    """(where the item's directory comes in BROWSER_TEST_DIRS, from 1; 0 for any other), its marks."""
    for rank, (directory, marks) in enumerate(BROWSER_TEST_DIRS, start=1):
        if directory in item.path.parents:
            return rank, marks
    return 0, ()


def pytest_collection_modifyitems(config, items):
    """Every test in a browser directory is marked e2e (tests/multihost's also postgres, for its
    database), whatever its module says. Browser tests run last: sync Playwright keeps an asyncio
    loop running in the main thread from the first browser test to the end of the session, and
    asyncio.run() fails under it. Each browser directory runs as one block (tests/multihost and
    tests/faults close their Playwright when their block ends; tests/e2e keeps its own to the end
    of the session)."""
    for item in items:
        for mark in _browser_dir(item)[1]:
            item.add_marker(mark)
    items.sort(key=lambda item: _browser_dir(item)[0])
