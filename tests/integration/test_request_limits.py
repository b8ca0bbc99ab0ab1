"""Issue 14, points 5 and 4: request bodies stop at 4 KB while streaming, and a held SQLite write
lock never stalls the event loop.

The bodies are fed to the ASGI app by hand, one chunk per `receive()`: Starlette's TestClient
reads a generator body whole before the app sees any of it, so it could not show where the app
stopped pulling.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlencode, urlsplit

import pytest

from fakturowo_ui import routes
from fakturowo_ui.api import MAX_FORM_BYTES, api, security_headers
from fakturowo_ui.db import session_scope
from fakturowo_ui.models import AuthSession, User
from fakturowo_ui.services import consents, sessions, unsubscribe
from fakturowo_ui.services.consents import Consent
from fakturowo_ui.settings import get_settings
from tests.integration.test_api import EMAIL, login_code
from tests.unit.factories import count_rows, make_user

CHUNK = 64 * 1024
CHUNKS = 1000  # 64 MB in all, far over the 4 KB limit
SAME_ORIGIN = [("sec-fetch-site", "same-origin")]
FORM = [("content-type", "application/x-www-form-urlencoded")]


class Chunks:
    """A request body as a generator of 64 KiB chunks that counts how many were pulled."""

    def __init__(self, count: int = CHUNKS, chunk: bytes = b"code=" + b"x" * (CHUNK - 5)) -> None:
        self.count = count
        self.chunk = chunk
        self.pulled = 0

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(self.count):
            self.pulled += 1
            yield self.chunk


class Reply:
    def __init__(self, messages: list[dict]) -> None:
        start = next(m for m in messages if m["type"] == "http.response.start")
        self.status = start["status"]
        self.headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
        self.cookies = [v.decode() for k, v in start["headers"] if k.decode().lower() == "set-cookie"]
        self.body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")

    @property
    def text(self) -> str:
        return self.body.decode()


async def asgi_post(target: str, headers: list[tuple[str, str]], body: Iterator[bytes] | bytes) -> Reply:
    """POST to the app as an ASGI server would: each receive() hands over the next chunk."""
    parts = urlsplit(target)
    chunks = iter([body]) if isinstance(body, bytes) else iter(body)
    finished = False

    async def receive() -> dict:
        nonlocal finished
        if finished:
            await asyncio.sleep(3600)  # the client waits for the answer
        try:
            chunk = next(chunks)
        except StopIteration:
            finished = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": chunk, "more_body": True}

    messages: list[dict] = []

    async def send(message: dict) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "server": ("localhost", 3000),
        "client": ("127.0.0.1", 40000),
        "path": parts.path,
        "raw_path": parts.path.encode(),
        "query_string": parts.query.encode(),
        "root_path": "",
        "headers": [(k.encode(), v.encode()) for k, v in [("host", "localhost:3000"), *headers]],
    }
    await security_headers(api)(scope, receive, send)
    return Reply(messages)


def post(target: str, headers: list[tuple[str, str]], body: Iterator[bytes] | bytes) -> Reply:
    return asyncio.run(asgi_post(target, headers, body))


@pytest.fixture
def user(app_env, frozen_clock) -> int:
    user_id = make_user(EMAIL)
    with session_scope() as session:
        consents.save(session, user_id, reminders=True, info=True, source="registration")
    return user_id


def unsubscribe_path(user_id: int, consent: str = Consent.REMINDERS) -> str:
    return unsubscribe.link(user_id, consent).removeprefix(get_settings().base_url)


def consent_state(user_id: int) -> tuple[bool, bool]:
    with session_scope() as session:
        found = session.get(User, user_id)
        return found.reminder_consent, found.info_consent


def body_endpoints(user_id: int) -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        (unsubscribe_path(user_id), FORM),  # no login, no Origin: a mail provider's server
        (routes.AUTH_SESSION, FORM + SAME_ORIGIN),
        (routes.AUTH_ROTATE, FORM + SAME_ORIGIN),
    ]


ENDPOINT_IDS = ["wypisz", "auth-session", "auth-rotate"]


def assert_413(reply: Reply) -> None:
    assert reply.status == 413
    assert reply.headers["content-type"].startswith("text/plain")
    assert reply.headers["cache-control"] == "no-store"
    assert reply.headers["x-frame-options"] == "DENY"  # still through the security headers
    assert "set-cookie" not in reply.headers


@pytest.mark.parametrize("which", range(3), ids=ENDPOINT_IDS)
def test_an_endless_streamed_body_is_cut_off_at_the_limit(user, which):
    target, headers = body_endpoints(user)[which]
    body = Chunks()
    reply = post(target, headers + [("transfer-encoding", "chunked")], body)  # no Content-Length
    assert_413(reply)
    assert body.pulled < 10, f"the app pulled {body.pulled} of {CHUNKS} chunks of 64 KiB"
    assert consent_state(user) == (True, True) and count_rows(AuthSession) == 0


@pytest.mark.parametrize("which", range(3), ids=ENDPOINT_IDS)
def test_small_chunks_are_counted_too(user, which):
    """Many small chunks add up: the limit is on the total, not on a chunk."""
    target, headers = body_endpoints(user)[which]
    body = Chunks(count=100_000, chunk=b"List-Unsubscribe=One-Click&x=" + b"y" * 71)
    reply = post(target, headers, body)
    assert_413(reply)
    assert body.pulled <= MAX_FORM_BYTES // 100 + 1
    assert consent_state(user) == (True, True)


@pytest.mark.parametrize("which", range(3), ids=ENDPOINT_IDS)
@pytest.mark.parametrize("length", [str(MAX_FORM_BYTES + 1), "300000000", "-1", "12abc"])
def test_a_too_large_content_length_is_refused_before_reading(user, which, length):
    target, headers = body_endpoints(user)[which]
    body = Chunks()
    reply = post(target, headers + [("content-length", length)], body)
    assert_413(reply)
    assert body.pulled == 0


def test_a_body_just_at_the_limit_is_read(user):
    form = urlencode({"List-Unsubscribe": "One-Click"}).encode()
    padded = form + b"&pad=" + b"p" * (MAX_FORM_BYTES - len(form) - 5)
    assert len(padded) == MAX_FORM_BYTES
    reply = post(unsubscribe_path(user), FORM + [("content-length", str(len(padded)))], padded)
    assert reply.status == 200 and "Wypisano" in reply.text
    assert consent_state(user) == (False, True)


def test_one_click_unsubscribe_still_works_streamed_or_whole(user):
    reply = post(unsubscribe_path(user), FORM, [b"List-Unsub", b"scribe=One-", b"Click"])
    assert reply.status == 200 and "Wypisano" in reply.text
    assert reply.headers["cache-control"] == "no-store"
    assert consent_state(user) == (False, True)
    body = b"List-Unsubscribe=One-Click"
    reply = post(unsubscribe_path(user, Consent.INFO), FORM + [("content-length", str(len(body)))], body)
    assert reply.status == 200
    assert consent_state(user) == (False, False)


def test_one_click_unsubscribe_as_multipart_still_works(user):
    boundary = "----fakturowo"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\n'
        f"One-Click\r\n--{boundary}--\r\n"
    ).encode()
    reply = post(
        unsubscribe_path(user),
        [("content-type", f"multipart/form-data; boundary={boundary}"), ("content-length", str(len(body)))],
        body,
    )
    assert reply.status == 200
    assert consent_state(user) == (False, True)


def test_a_wrong_small_form_still_gets_400(user):
    reply = post(unsubscribe_path(user), FORM, b"List-Unsubscribe=Two-Clicks")
    assert reply.status == 400
    assert consent_state(user) == (True, True)


def test_the_login_code_form_still_sets_the_session(user):
    body = urlencode({"code": login_code(routes.CLIENTS)}).encode()
    reply = post(routes.AUTH_SESSION, FORM + SAME_ORIGIN + [("content-length", str(len(body)))], body)
    assert reply.status == 303
    assert reply.headers["location"] == "/klienci/"
    assert any(h.startswith(f"{sessions.COOKIE_NAME}=") for h in reply.cookies)
    assert count_rows(AuthSession, AuthSession.user_id == user) == 1


# Point 4: a write lock held by another process delays only the requests that need it.

LOCK_HELD = 0.8


def _hold_write_lock(ready: threading.Event) -> None:
    path = get_settings().db_url.removeprefix("sqlite:///")
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        ready.set()
        time.sleep(LOCK_HELD)
        connection.execute("ROLLBACK")
    finally:
        connection.close()


async def _while_locked(
    target: str, headers: list[tuple[str, str]], body: bytes
) -> tuple[Reply, float, float]:
    """Post while another connection holds the write lock; (reply, its duration, the event
    loop's longest pause meanwhile)."""
    ready = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(ready,))
    holder.start()
    assert ready.wait(5)
    longest = 0.0
    done = False
    beating = asyncio.Event()

    async def heartbeat() -> None:
        nonlocal longest
        while not done:
            before = time.monotonic()
            beating.set()
            await asyncio.sleep(0.01)
            longest = max(longest, time.monotonic() - before)

    beat = asyncio.create_task(heartbeat())
    await beating.wait()  # the heartbeat's first sleep is under way before the request starts
    started = time.monotonic()
    try:
        reply = await asgi_post(target, headers, body)
    finally:
        took = time.monotonic() - started
        done = True
        await beat
        holder.join()
    return reply, took, longest


def _logout_request(user_id: int) -> tuple[str, list[tuple[str, str]], bytes]:
    with session_scope() as session:
        token = sessions.create(session, user_id)
    return routes.AUTH_LOGOUT, SAME_ORIGIN + [("cookie", f"{sessions.COOKIE_NAME}={token}")], b""


def _login_request(_user_id: int) -> tuple[str, list[tuple[str, str]], bytes]:
    return routes.AUTH_SESSION, FORM + SAME_ORIGIN, urlencode({"code": login_code()}).encode()


def _unsubscribe_request(user_id: int) -> tuple[str, list[tuple[str, str]], bytes]:
    return unsubscribe_path(user_id), FORM, b"List-Unsubscribe=One-Click"


@pytest.mark.parametrize(
    "make_request",
    [_logout_request, _login_request, _unsubscribe_request],
    ids=["logout", "login-code", "one-click-unsubscribe"],
)
def test_a_held_write_lock_does_not_stall_the_event_loop(user, make_request):
    target, headers, body = make_request(user)
    reply, took, longest = asyncio.run(_while_locked(target, headers, body))
    assert reply.status in (200, 303)
    assert took >= LOCK_HELD * 0.7, "the request did not wait for the lock at all"
    assert longest < 0.3, f"the event loop stood still for {longest:.2f} s"
