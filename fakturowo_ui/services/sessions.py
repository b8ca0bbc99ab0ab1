"""Login sessions: a random 256-bit token in an HttpOnly cookie, its SHA-256 in the database.

A session ends when idle for IDLE_TIMEOUT, at its absolute expiry, at logout, and for every
session of a user when the password changes or the account is deleted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa
from sqlmodel import Session, col
from starlette.requests import cookie_parser

from fakturowo_ui.db import rows_changed
from fakturowo_ui.models import AuthSession, User
from fakturowo_ui.services import clock, security_log
from fakturowo_ui.services.tokens import digest, looks_like_token, new_token

COOKIE_NAME = "fakturowo_session"
IDLE_TIMEOUT = dt.timedelta(hours=8)
ABSOLUTE_LIFETIME = dt.timedelta(days=7)
# last_seen_at is written at most this often, so reading pages does not write on every event.
TOUCH_INTERVAL = dt.timedelta(minutes=5)


@dataclasses.dataclass(frozen=True)
class CurrentUser:
    """Who is logged in through a session: what states may know about the user."""

    user_id: int
    email: str
    session_id: int
    must_change_password: bool


def create(
    session: Session,
    user_id: int,
    *,
    must_change_password: bool = False,
    origin: security_log.Origin = security_log.NOWHERE,
) -> str:
    """A new session for the user; returns the cookie's token (the only time it is in clear).

    `origin` is the browser that logged in: its User-Agent and shortened address name the session
    in "Aktywne sesje" (issue 12).
    """
    token = new_token()
    now = clock.now()
    session.add(
        AuthSession(
            user_id=user_id,
            token_hash=digest(token),
            created_at=now,
            last_seen_at=now,
            expires_at=now + ABSOLUTE_LIFETIME,
            must_change_password=must_change_password,
            user_agent=(origin.user_agent or "")[: security_log.USER_AGENT_LENGTH],
            ip_prefix=security_log.shorten_ip(origin.ip),
        )
    )
    session.flush()
    return token


def token_from_cookie_header(cookie_header: str) -> str | None:
    """The session token in a Cookie header, if any.

    Parsed as browsers send cookies and as Starlette reads them (starlette.requests.cookie_parser),
    so one malformed cookie of another app on the same site does not hide ours: SimpleCookie
    drops the whole header at the first value it cannot parse.
    """
    if not cookie_header or not isinstance(cookie_header, str):
        return None
    value = cookie_parser(cookie_header).get(COOKIE_NAME)
    if value is None or not looks_like_token(value):
        return None
    return value


def resolve(session: Session, token: str | None, *, allow_pending_change: bool = False) -> CurrentUser | None:
    """The logged-in user behind a token, or None when the session is unknown or has ended.

    A session marked "must change password" (the periodic change is due) also counts as None
    unless `allow_pending_change`: only the password-change page passes it, so every other
    page, event and endpoint refuses such a session on the server.
    """
    user, touch = resolve_untouched(session, token)
    if user is None or (user.must_change_password and not allow_pending_change):
        return None
    if touch:
        session.execute(
            sa.update(AuthSession)
            .where(col(AuthSession.id) == user.session_id)
            .values(last_seen_at=clock.now())
        )
    return user


# Every private event starts with this read: columns, not ORM objects (loading an AuthSession
# instance took most of its time).
_SESSIONS = AuthSession.__table__  # pyright: ignore[reportAttributeAccessIssue] - SQLModel tables are dynamic
_USERS = User.__table__  # pyright: ignore[reportAttributeAccessIssue]
_RESOLVE = (
    sa.select(
        _SESSIONS.c.id,
        _SESSIONS.c.user_id,
        _SESSIONS.c.expires_at,
        _SESSIONS.c.last_seen_at,
        _SESSIONS.c.must_change_password,
        _USERS.c.email,
    )
    .join(_USERS, _USERS.c.id == _SESSIONS.c.user_id)
    .where(_SESSIONS.c.token_hash == sa.bindparam("token_hash"))
)


def resolve_untouched(session: Session, token: str | None) -> tuple[CurrentUser | None, bool]:
    """The live session behind a token (pending password change or not) without writing, and
    whether its last-activity time is due to be written (see touch)."""
    if not token:
        return None, False
    now = clock.now()
    row = session.execute(_RESOLVE, {"token_hash": digest(token)}).first()
    if row is None:
        return None, False
    if row.expires_at <= now or row.last_seen_at + IDLE_TIMEOUT <= now:
        return None, False
    user = CurrentUser(
        user_id=row.user_id,
        email=row.email,
        session_id=row.id,
        must_change_password=bool(row.must_change_password),
    )
    return user, now - row.last_seen_at >= TOUCH_INTERVAL


def touch(session_id: int) -> None:
    """Write a session's last-activity time (at most once every TOUCH_INTERVAL per session)."""
    from fakturowo_ui.db import session_scope

    with session_scope(write_lock=True) as session:
        session.execute(
            sa.update(AuthSession).where(col(AuthSession.id) == session_id).values(last_seen_at=clock.now())
        )


def resolve_token(token: str | None, *, allow_pending_change: bool = False) -> CurrentUser | None:
    """`resolve` in a transaction of its own (a session check is one short step)."""
    if not token:
        return None
    from fakturowo_ui.db import session_scope

    with session_scope() as session:
        return resolve(session, token, allow_pending_change=allow_pending_change)


def end(session: Session, token: str | None) -> None:
    """End the session behind a token (logout)."""
    if token:
        session.execute(sa.delete(AuthSession).where(col(AuthSession.token_hash) == digest(token)))


def end_all(session: Session, user_id: int, *, except_session_id: int | None = None) -> int:
    """End every session of a user (but one, if given); returns how many ended."""
    statement = sa.delete(AuthSession).where(col(AuthSession.user_id) == user_id)
    if except_session_id is not None:
        statement = statement.where(col(AuthSession.id) != except_session_id)
    return rows_changed(session.execute(statement))


def purge_expired(session: Session) -> int:
    """Delete sessions past their absolute or idle expiry."""
    now = clock.now()
    result = session.execute(
        sa.delete(AuthSession).where(
            sa.or_(col(AuthSession.expires_at) <= now, col(AuthSession.last_seen_at) <= now - IDLE_TIMEOUT)
        )
    )
    return rows_changed(result)


# -- the region "Aktywne sesje" (issue 12) ----------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class LiveSession:
    """One live session of the account, as the region shows it."""

    id: int
    browser: str
    system: str
    ip_prefix: str
    created_at: dt.datetime
    last_seen_at: dt.datetime
    this_device: bool


def _live(user_id: int):
    now = clock.now()
    return (
        sa.select(AuthSession)
        .where(
            col(AuthSession.user_id) == user_id,
            col(AuthSession.expires_at) > now,
            col(AuthSession.last_seen_at) > now - IDLE_TIMEOUT,
        )
        .order_by(col(AuthSession.last_seen_at).desc(), col(AuthSession.id).desc())
    )


def live_for(session: Session, user: CurrentUser) -> list[LiveSession]:
    """The account's live sessions, this one first (the work of a private event)."""
    rows = session.scalars(_live(user.user_id)).all()
    found = []
    for row in rows:
        browser, system = security_log.describe_browser(row.user_agent)
        found.append(
            LiveSession(
                row.id,
                browser,
                system,
                row.ip_prefix,
                row.created_at,
                row.last_seen_at,
                row.id == user.session_id,
            )
        )
    return sorted(found, key=lambda live: not live.this_device)


def end_one_for(
    session: Session,
    user: CurrentUser,
    session_id: object,
    origin: security_log.Origin = security_log.NOWHERE,
) -> bool:
    """End another session of this account ("Zakończ sesję"); False when there is none such
    (someone else's, this one, already ended, not a number). Takes effect at its next event."""
    if isinstance(session_id, bool) or not isinstance(session_id, (int, str)):
        return False
    try:
        wanted = int(session_id)
    except ValueError:
        return False
    if wanted == user.session_id:
        return False
    result = session.execute(
        sa.delete(AuthSession).where(col(AuthSession.id) == wanted, col(AuthSession.user_id) == user.user_id)
    )
    if rows_changed(result) != 1:
        return False
    security_log.record(session, user.user_id, security_log.EventKind.SESSION_ENDED, origin, detail="1")
    return True


def end_others_for(
    session: Session, user: CurrentUser, origin: security_log.Origin = security_log.NOWHERE
) -> int:
    """End every other session of this account ("Zakończ wszystkie inne sesje"); how many ended."""
    ended = end_all(session, user.user_id, except_session_id=user.session_id)
    if ended:
        security_log.record(
            session, user.user_id, security_log.EventKind.SESSION_ENDED, origin, detail=str(ended)
        )
    return ended
