"""Life of a reset link: 30 minutes, superseded, single use, limits, and the same answer in about
the same time for a known and an unknown address."""

from __future__ import annotations

import asyncio
import dataclasses
import email
import email.policy
import statistics
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from fakturowo_ui.db import session_scope
from fakturowo_ui.models import OneTimeToken, RateLimitHit, User
from fakturowo_ui.services import mail, onetime, password_reset, passwords
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.services.onetime import LinkState
from fakturowo_ui.services.tokens import digest
from fakturowo_ui.settings import get_settings, reset_settings_cache
from tests.unit.factories import PASSWORD, make_user

KNOWN = "znany@example.com"
UNKNOWN = "nieznany@example.com"
NEW = "nowe haslo na wiosne 2027"


def outbox(subject: str = "Ustaw nowe hasło", to: str | None = None) -> list[email.message.EmailMessage]:
    """Mails in the local outbox (the app_env default), oldest first."""
    folder = get_settings().outbox_dir
    found = []
    for path in sorted(folder.glob("*.eml")) if folder.exists() else []:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["Subject"] == subject and (to is None or to in str(message["To"])):
            found.append(message)
    return found


def ask(address: str) -> password_reset.ResetRequest:
    async def run() -> password_reset.ResetRequest:
        request = await password_reset.request_reset(address, "10.0.0.1")
        await request.deliver()
        return request

    return asyncio.run(run())


def link_token(message) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    link = next(line for line in text.splitlines() if line.startswith(get_settings().base_url))
    assert urlsplit(link).path == "/reset-hasla/"
    return parse_qs(urlsplit(link).query)["token"][0]


def reset(token: str, new: str = NEW) -> str:
    return asyncio.run(password_reset.complete_reset(token, new, new))


@pytest.fixture
def user_id(app_env, frozen_clock) -> int:
    return make_user(KNOWN)


def test_a_link_lives_30_minutes(user_id, frozen_clock):
    ask(KNOWN)
    token = link_token(outbox()[-1])
    frozen_clock.advance(minutes=29, seconds=59)
    assert password_reset.inspect_reset(token) == (LinkState.VALID, KNOWN)
    frozen_clock.advance(seconds=1)
    state, shown = password_reset.inspect_reset(token)
    assert state is LinkState.EXPIRED and shown == ""
    with pytest.raises(password_reset.LinkError) as caught:
        reset(token)
    assert "wygasł" in caught.value.message()


def test_the_link_is_hashed_at_rest(user_id):
    ask(KNOWN)
    token = link_token(outbox()[-1])
    with session_scope() as session:
        stored = session.scalars(
            sa.select(OneTimeToken.token_hash).where(OneTimeToken.user_id == user_id)
        ).all()
    assert digest(token) in stored and token not in stored


def test_opening_changes_nothing(user_id):
    ask(KNOWN)
    token = link_token(outbox()[-1])
    for _ in range(3):
        assert password_reset.inspect_reset(token)[0] is LinkState.VALID
    assert reset(token) == KNOWN


def test_a_newer_link_supersedes_the_older(user_id, frozen_clock):
    ask(KNOWN)
    frozen_clock.advance(seconds=5)  # the outbox orders its files by the clock
    ask(KNOWN)
    first, second = (link_token(m) for m in outbox())
    assert password_reset.inspect_reset(first)[0] is LinkState.SUPERSEDED
    with pytest.raises(password_reset.LinkError) as caught:
        reset(first)
    assert "zastąpiony nowszym" in caught.value.message()
    assert reset(second) == KNOWN


def test_single_use(user_id):
    ask(KNOWN)
    token = link_token(outbox()[-1])
    reset(token)
    assert password_reset.inspect_reset(token)[0] is LinkState.USED
    with pytest.raises(password_reset.LinkError) as caught:
        reset(token, "jeszcze inne haslo 2028")
    assert "został już użyty" in caught.value.message()
    with session_scope() as session:
        assert passwords.verify_password(NEW, session.get(User, user_id).password_hash)


def test_a_refused_password_leaves_the_link_usable(user_id):
    ask(KNOWN)
    token = link_token(outbox()[-1])
    for bad in ("krotkie", "password1234", KNOWN, PASSWORD):
        with pytest.raises(DomainError) as caught:
            reset(token, bad)
        assert caught.value.key == "error.form"
    with pytest.raises(DomainError) as caught:
        asyncio.run(password_reset.complete_reset(token, NEW, NEW + "x"))
    assert caught.value.params["errors"] == {"new_password_repeat": "Hasła nie są takie same."}
    assert password_reset.inspect_reset(token)[0] is LinkState.VALID
    reset(token)


def test_junk_tokens_are_invalid(user_id):
    for junk in ("", "abc", "x" * 500, "../../etc/passwd", "a" * 43):
        assert password_reset.inspect_reset(junk)[0] is LinkState.INVALID
        with pytest.raises(password_reset.LinkError) as caught:
            reset(junk)
        assert "nieprawidłowy" in caught.value.message()


def test_a_deletion_link_is_not_a_reset_link(user_id):
    from datetime import timedelta

    with session_scope() as session:
        token, _row = onetime.issue(session, user_id, onetime.TokenPurpose.DELETE_ACCOUNT, timedelta(hours=1))
    assert password_reset.inspect_reset(token)[0] is LinkState.INVALID


def test_at_most_three_mails_an_hour_per_address(user_id, frozen_clock):
    for _ in range(5):
        ask(KNOWN)
        frozen_clock.advance(minutes=1)
    assert len(outbox()) == 3
    frozen_clock.advance(minutes=56)  # the first request is now more than an hour old
    ask(KNOWN)
    assert len(outbox()) == 4


def test_the_limit_counts_unknown_addresses_too_without_storing_them(user_id):
    for _ in range(4):
        assert ask(UNKNOWN).email == UNKNOWN
    assert outbox(to=UNKNOWN) == []
    with session_scope() as session:
        keys = session.scalars(sa.select(RateLimitHit.key)).all()
    assert sum(key.startswith("reset-address:") for key in keys) == 3
    assert not any("nieznany" in key or "example" in key for key in keys)


def test_too_many_requests_from_one_client_are_refused_alike(user_id, frozen_clock):
    answers = []
    for i in range(password_reset.RESET_REQUESTS_PER_CLIENT.count):
        asyncio.run(password_reset.request_reset(f"adres{i}@example.com", "10.9.9.9"))
    for address in (KNOWN, UNKNOWN):
        with pytest.raises(DomainError) as caught:
            asyncio.run(password_reset.request_reset(address, "10.9.9.9"))
        answers.append(caught.value.message())
    assert answers[0] == answers[1] and "Zbyt wiele prób" in answers[0]


def test_malformed_addresses_are_refused_before_anything(user_id):
    for bad in ("", "bez-malpy", "a@b", "x" * 300 + "@example.com"):
        with pytest.raises(DomainError) as caught:
            asyncio.run(password_reset.request_reset(bad, "10.0.0.1"))
        assert "email" in caught.value.params["errors"]


def test_the_same_answer_for_a_known_and_an_unknown_address(user_id):
    known = asyncio.run(password_reset.request_reset("  ZNANY@example.com ", "10.0.0.1"))
    unknown = asyncio.run(password_reset.request_reset("NIEZNANY@example.com", "10.0.0.1"))
    # Everything a caller can show is the normalised address it was given.
    assert (known.email, unknown.email) == (KNOWN, UNKNOWN)
    assert repr(known).replace(KNOWN, "X") == repr(unknown).replace(UNKNOWN, "X")
    assert [f.name for f in dataclasses.fields(known) if f.repr] == ["email"]


def test_about_the_same_time_for_a_known_and_an_unknown_address(user_id, monkeypatch):
    """The answer does not wait for the mail: a slow SMTP server cannot tell the two apart."""
    sent = []

    async def slow_send(letter, settings=None):
        await asyncio.sleep(0.4)
        sent.append(letter.to)

    monkeypatch.setattr(mail, "send_async", slow_send)
    monkeypatch.setenv("FAKTUROWO_RATE_LIMITS", "off")
    reset_settings_cache()

    async def timed(address: str) -> float:
        started = time.perf_counter()
        request = await password_reset.request_reset(address, "10.0.0.1")
        elapsed = time.perf_counter() - started
        await request.deliver()
        return elapsed

    async def run() -> tuple[list[float], list[float]]:
        known, unknown = [], []
        for _ in range(7):
            known.append(await timed(KNOWN))
            unknown.append(await timed(UNKNOWN))
        return known, unknown

    known, unknown = asyncio.run(run())
    assert sent and set(sent) == {KNOWN}
    assert max(known) < 0.3, "the answer must not wait for the SMTP server"
    assert abs(statistics.median(known) - statistics.median(unknown)) < 0.05


def test_deliver_in_background_sends_after_the_answer(user_id):
    async def run() -> int:
        request = await password_reset.request_reset(KNOWN, "10.0.0.1")
        password_reset.deliver_in_background(request)
        before = len(outbox())
        while password_reset._background:
            await asyncio.sleep(0.01)
        return before

    assert asyncio.run(run()) == 0
    assert len(outbox()) == 1
