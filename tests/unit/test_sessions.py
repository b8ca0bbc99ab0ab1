"""Login sessions: strong random tokens stored only as digests, idle and absolute expiry, ending them."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa

from fakturowo_ui.db import session_scope
from fakturowo_ui.models import AuthSession
from fakturowo_ui.services import sessions
from tests.unit.factories import count_rows, make_user


def create(user_id: int) -> str:
    with session_scope() as session:
        return sessions.create(session, user_id)


def resolve(token: str) -> sessions.CurrentUser | None:
    with session_scope() as session:
        return sessions.resolve(session, token)


@pytest.fixture
def user(app_env, frozen_clock) -> int:
    return make_user("sesja@example.com")


def test_the_token_is_random_enough_and_stored_only_as_its_digest(user, app_env):
    token = create(user)
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert len(raw) * 8 >= 128
    assert create(user) != token
    with session_scope() as session:
        row = session.scalars(sa.select(AuthSession)).first()
        values = [str(v) for v in session.execute(sa.select(AuthSession.__table__)).first()]
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in values
    for path in Path(app_env["FAKTUROWO_VAR_DIR"]).glob("fakturowo.db*"):
        assert token.encode() not in path.read_bytes()


def test_resolve_finds_the_user(user):
    token = create(user)
    current = resolve(token)
    assert current is not None
    assert (current.user_id, current.email, current.must_change_password) == (
        user,
        "sesja@example.com",
        False,
    )
    assert resolve(token + "x") is None
    assert resolve("") is None and resolve(None) is None


def test_idle_expiry_after_8_hours(user, frozen_clock):
    token = create(user)
    frozen_clock.advance(hours=7, minutes=59)
    assert resolve(token) is not None  # activity moves the idle deadline
    frozen_clock.advance(hours=7, minutes=59)
    assert resolve(token) is not None
    frozen_clock.advance(hours=8)
    assert resolve(token) is None


def test_absolute_expiry_after_7_days_however_active(user, frozen_clock):
    token = create(user)
    for _ in range(23):  # 161 hours of steady use
        frozen_clock.advance(hours=7)
        assert resolve(token) is not None
    frozen_clock.advance(hours=6, minutes=59)
    assert resolve(token) is not None
    frozen_clock.advance(minutes=1)  # exactly 7 days
    assert resolve(token) is None


def test_end_all_but_one(user):
    other_user = make_user("inny@example.com")
    tokens = [create(user) for _ in range(3)]
    others = create(other_user)
    keep = resolve(tokens[1])
    with session_scope() as session:
        ended = sessions.end_all(session, user, except_session_id=keep.session_id)
    assert ended == 2
    assert resolve(tokens[0]) is None and resolve(tokens[2]) is None
    assert resolve(tokens[1]) is not None
    assert resolve(others) is not None
    with session_scope() as session:
        assert sessions.end_all(session, user) == 1
    assert resolve(tokens[1]) is None
    assert resolve(others) is not None


def test_end_ends_one_session(user):
    first, second = create(user), create(user)
    with session_scope() as session:
        sessions.end(session, first)
        sessions.end(session, None)
    assert resolve(first) is None and resolve(second) is not None


def test_purge_expired(user, frozen_clock):
    old = create(user)
    frozen_clock.advance(hours=8)
    fresh = create(user)
    with session_scope() as session:
        assert sessions.purge_expired(session) == 1
    assert count_rows(AuthSession) == 1
    assert resolve(fresh) is not None and resolve(old) is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fakturowo_session=" + "A" * 43, "A" * 43),
        ("theme=dark; fakturowo_session=" + "b_-" * 15 + "; other=1", "b_-" * 15),
        ("", None),
        ("theme=dark", None),
        ("fakturowo_session=short", None),
        ("fakturowo_session=" + "<script>" * 5, None),
        ('fakturowo_session="unterminated', None),
        ("fakturowo_session=" + "x" * 500, None),
        # Issue 13: another app's malformed cookie on the same site must not hide ours (with
        # SimpleCookie these three lost the session).
        ('broken="unterminated; fakturowo_session=' + "C" * 43, "C" * 43),
        ("fakturowo_session=" + "D" * 43 + '; json={"a":1}', "D" * 43),
        ('we"ird=1; fakturowo_session=' + "E" * 43, "E" * 43),
    ],
)
def test_token_from_cookie_header(header, expected):
    assert sessions.token_from_cookie_header(header) == expected
