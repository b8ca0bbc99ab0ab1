"""Forged events leave no cookie and no password in the log (issue 14, point 8).

The fix is fakturowo_ui/logging_setup.py, installed by the app module in every backend worker.

Reflex 0.10 logs a refused event whole: `logger.exception(f"Error processing event queue entry for
{entry.event}")` in reflex_base/event/processor/event_processor.py prints the Event's repr, its
router_data (every request header, the session cookie among them) and its payload (the form, the
password among it). These tests drive the real app in-process: its ASGI app with its lifespan (the
event processor), a websocket speaking Engine.IO 4 / Socket.IO 5 as the browser does, with a marker
session cookie on the handshake and a marker password in each event's payload. Everything written
is captured: every logging record (caplog, at DEBUG), Reflex's own rich console sink (what `reflex
run` attaches to the "reflex" logger) and the process's stdout/stderr (capfd).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import time
import uuid
import warnings

import pytest
import reflex as rx
from reflex_base.utils import log as reflex_log

from fakturowo_ui import db, routes
from fakturowo_ui.logging_setup import REDACTED, RedactingFilter, redact
from fakturowo_ui.services import sessions
from fakturowo_ui.settings import get_settings, reset_settings_cache
from tests.conftest import FAKTUROWO_ENV_PREFIXES, TEST_SECRET

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note about httpx2
    from starlette.testclient import TestClient

COOKIE_MARKER = "cookie-marker-5f1c9a0e7b"
PASSWORD_MARKER = "password-marker-c3d7e2a1"
TOKEN_MARKER = "client-token-marker-9b2e"
EVENT_PROCESSOR_LOGGER = "reflex_base.event.processor.event_processor"
NAMESPACE = "/_event"


@pytest.fixture(scope="module")
def probe_state():
    """A state whose handler raises with its form and the connection's cookie in the message."""
    import fakturowo_ui.fakturowo_ui  # noqa: F401  (the app's states first)

    class LogProbeState(rx.State):
        def explode(self, form_data: dict):
            raise RuntimeError(f"cannot handle {form_data!r} from {self.router.headers.cookie!r}")

    return LogProbeState


@pytest.fixture(scope="module")
def backend(tmp_path_factory, migrated_template, probe_state):
    """The app's ASGI app with its lifespan running (as in a backend worker), no frontend compile.

    Module-scoped: a Reflex app builds its ASGI app once per process.
    """
    var_dir = tmp_path_factory.mktemp("log-redaction") / "var"
    var_dir.mkdir()
    shutil.copy(migrated_template, var_dir / "fakturowo.db")
    with pytest.MonkeyPatch.context() as mp:
        for key in list(os.environ):
            if key.startswith(FAKTUROWO_ENV_PREFIXES):
                mp.delenv(key)
        mp.setenv("FAKTUROWO_VAR_DIR", str(var_dir))
        mp.setenv("REFLEX_DB_URL", f"sqlite:///{var_dir / 'fakturowo.db'}")
        mp.setenv("FAKTUROWO_SECRET_KEY", TEST_SECRET)
        mp.setenv("__REFLEX_SKIP_COMPILE", "true")  # what `reflex run --env prod` sets for the backend
        mp.setenv("REFLEX_WEB_WORKDIR", str(var_dir.parent / "web"))  # leave the repository's .web alone
        reset_settings_cache()
        db.reset_engine()
        from fakturowo_ui.api import api
        from fakturowo_ui.fakturowo_ui import app

        # Earlier tests may have served `api` through a TestClient, which freezes its middleware;
        # the Reflex app adds its CORS middleware to it when it builds its ASGI app.
        mp.setattr(api, "middleware_stack", None)

        # The sink `reflex run` puts on the "reflex" logger in every worker: rich, straight to the
        # terminal, rendering a record's exc_info itself.
        reflex_logger = logging.getLogger("reflex")
        rich_sink = reflex_log._console_handler()
        reflex_logger.addHandler(rich_sink)
        try:
            with TestClient(app(), base_url=get_settings().base_origin) as client:
                yield client
        finally:
            reflex_logger.removeHandler(rich_sink)
            db.reset_engine()
    reset_settings_cache()


def _send_events(
    client: TestClient, events: list[dict], until, caplog, *, token: str | None = TOKEN_MARKER
) -> None:
    """Open the event websocket as the browser does (Origin, marker cookie), send the events and keep
    the connection open until a log record satisfies `until`."""
    # Each connection its own client token: a token still linked to an earlier socket gets a new one.
    query = "EIO=4&transport=websocket" + (f"&token={token}-{uuid.uuid4()}" if token else "")
    headers = {
        "origin": get_settings().base_origin,
        "upgrade": "websocket",
        "connection": "Upgrade",
        "cookie": f"{sessions.COOKIE_NAME}={COOKIE_MARKER}; other=1",
        "authorization": f"Bearer {COOKIE_MARKER}",
    }
    with client.websocket_connect(f"{NAMESPACE}/?{query}", headers=headers) as ws:
        assert ws.receive_text().startswith("0{")  # Engine.IO open
        ws.send_text(f"40{NAMESPACE},")  # Socket.IO connect to the namespace
        while not ws.receive_text().startswith(f"40{NAMESPACE},"):
            pass
        for event in events:
            ws.send_text(f"42{NAMESPACE}," + json.dumps(["event", event]))
        deadline = time.monotonic() + 15
        while not any(until(record) for record in caplog.records):
            if time.monotonic() > deadline:
                raise AssertionError("the event was not processed: " + caplog.text[-2000:])
            time.sleep(0.05)


def _event(name: str) -> dict:
    return {
        "name": name,
        "payload": {"form_data": {"email": "a@example.com", "password": PASSWORD_MARKER}},
        "router_data": {"pathname": routes.LOGIN, "query": {}},
    }


def _everything(caplog, capfd) -> str:
    out, err = capfd.readouterr()
    return "\n".join([caplog.text, out, err])


def _assert_no_markers(written: str) -> None:
    # The rich sink wraps long lines at the terminal's width: look at the text without whitespace too.
    for text in (written, re.sub(r"\s+", "", written)):
        assert COOKIE_MARKER not in text
        assert PASSWORD_MARKER not in text
        assert TOKEN_MARKER not in text


def test_an_unknown_handler_is_logged_as_one_short_line_without_cookie_or_password(
    backend, probe_state, caplog, capfd
):
    caplog.set_level(logging.DEBUG)
    name = f"{probe_state.get_full_name()}.no_such_handler"
    _send_events(
        backend,
        [_event(name)],
        caplog=caplog,
        until=lambda record: record.name == EVENT_PROCESSOR_LOGGER and record.levelno >= logging.ERROR,
    )
    written = _everything(caplog, capfd)
    _assert_no_markers(written)
    assert f"Refused an event naming an unknown handler: {name!r}" in written


def test_a_raising_handler_is_logged_without_cookie_or_password(backend, probe_state, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    _send_events(
        backend,
        [_event(f"{probe_state.get_full_name()}.explode")],
        caplog=caplog,
        until=lambda record: "Reflex Backend Exception" in record.getMessage(),
    )
    written = _everything(caplog, capfd)
    _assert_no_markers(written)
    assert "RuntimeError: cannot handle" in written  # the error itself is still reported


def test_an_event_without_a_client_token_is_logged_without_its_payload(backend, probe_state, caplog, capfd):
    """Reflex warns "Event data: {data}" with the raw event, which the client may stuff with anything."""
    caplog.set_level(logging.DEBUG)
    event = _event(f"{probe_state.get_full_name()}.explode")
    event["router_data"]["headers"] = {"cookie": f"{sessions.COOKIE_NAME}={COOKIE_MARKER}"}
    _send_events(
        backend,
        [event],
        token=None,
        caplog=caplog,
        until=lambda record: "no associated token" in record.getMessage(),
    )
    _assert_no_markers(_everything(caplog, capfd))


@pytest.mark.parametrize(
    "line,kept,gone",
    [
        ("GET /potwierdz-email/?token=abc123DEF&lang=pl HTTP/1.1", "lang=pl", "abc123DEF"),
        ("cookie: theme=dark; fakturowo_session=abc123DEF\nnext", "\nnext", "abc123DEF"),
        ("Authorization: Bearer abc123DEF", "Authorization: ", "abc123DEF"),
        ('{"name": "x.y", "payload": {"a": "}abc123DEF"}}', '"name": "x.y"', "abc123DEF"),
        ("[type=int_parsing, input_value='abc123DEF', input_type=str]", "input_type=str", "abc123DEF"),
        ("login user_id=7 must_change_password=True", "must_change_password=True", REDACTED),
        ("password-change notices: 1 sent", "password-change notices: 1 sent", REDACTED),
    ],
)
def test_the_redaction_rules(line, kept, gone):
    assert kept in redact(line)
    assert gone not in redact(line)


def test_a_record_that_cannot_be_formatted_is_withheld():
    """logging would print the raw msg and args to stderr on a formatting error; drop them instead."""
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "%d %s", (f"password={PASSWORD_MARKER}",), None
    )
    RedactingFilter().filter(record)
    assert PASSWORD_MARKER not in record.getMessage()
    assert "withheld" in record.getMessage()
