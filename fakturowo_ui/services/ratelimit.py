"""Sliding-window rate limits kept in the database, so every worker and host sees the same counts.

Keys are keyed digests of what they limit (an address, a client IP, a user ID): no address is
ever stored in clear, not even for someone who is not registered.

A limit guarding slow work (a password hash, a mail) is *reserved* before the work starts: the
check and the hit are one serialised step (`reserve`), so parallel requests cannot all pass the
check before any of them is counted. A reservation that turns out not to count is released.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math

import sqlalchemy as sa
from sqlmodel import Session, col

from fakturowo_ui.db import rows_changed, session_scope
from fakturowo_ui.i18n import N_, formats
from fakturowo_ui.models import RateLimitHit
from fakturowo_ui.services import clock
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.services.tokens import keyed_digest
from fakturowo_ui.settings import get_settings


@dataclasses.dataclass(frozen=True)
class Limit:
    """At most `count` hits in `window`."""

    name: str
    count: int
    window: dt.timedelta


LOGIN_FAILURES_PER_ACCOUNT = Limit("login-account", 5, dt.timedelta(minutes=5))
LOGIN_ATTEMPTS_PER_CLIENT = Limit("login-client", 20, dt.timedelta(minutes=1))
REGISTRATIONS_PER_CLIENT = Limit("register-client", 10, dt.timedelta(hours=1))
CONFIRMATION_RESENDS_PER_ACCOUNT = Limit("confirm-resend", 3, dt.timedelta(hours=1))


def limit_key(limit: Limit, subject: str) -> str:
    """The stored key: the limit's name and a keyed digest of its subject."""
    return f"{limit.name}:{keyed_digest(get_settings().secret_key, subject)[:40]}"


def retry_after(session: Session, limit: Limit, subject: str) -> dt.datetime | None:
    """When the next hit is allowed, or None if it is allowed now."""
    if not get_settings().rate_limits:
        return None
    key = limit_key(limit, subject)
    since = clock.now() - limit.window
    times = session.scalars(
        sa.select(col(RateLimitHit.at))
        .where(col(RateLimitHit.key) == key, col(RateLimitHit.at) > since)
        .order_by(col(RateLimitHit.at).desc())
        .limit(limit.count)
    ).all()
    if len(times) < limit.count:
        return None
    return times[-1] + limit.window


def record(session: Session, limit: Limit, subject: str) -> None:
    """Count one hit."""
    if not get_settings().rate_limits:
        return
    session.add(RateLimitHit(key=limit_key(limit, subject), at=clock.now()))


def check_and_record(session: Session, limit: Limit, subject: str) -> None:
    """Raise a DomainError saying when to try again, or count this hit (atomically, see reserve)."""
    reserve(session, limit, subject)


class RateLimited(DomainError):
    """The limit is reached; `until` is when the next hit is allowed."""

    def __init__(self, until: dt.datetime) -> None:
        minutes = max(1, math.ceil((until - clock.now()).total_seconds() / 60))
        super().__init__(N_("common.try_again_at"), time=formats.time(until), minutes=minutes)
        self.until = until


def _serialise(session: Session, key: str) -> None:
    """Make check-then-count atomic for one key across connections, workers and hosts.

    On SQLite the caller's transaction holds the write lock (session_scope(write_lock=True)), so
    transactions are serial already; PostgreSQL gets a transaction-scoped advisory lock per key.
    """
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:n)"), {"n": number})


def reserve(session: Session, limit: Limit, subject: str) -> int | None:
    """Check the limit and count one hit in one serialised step; returns the hit's ID.

    Raises RateLimited when the limit is reached. Call it inside session_scope(write_lock=True);
    the hit counts from the moment that transaction commits, before any slow work begins.
    """
    if not get_settings().rate_limits:
        return None
    key = limit_key(limit, subject)
    _serialise(session, key)
    until = retry_after(session, limit, subject)
    if until is not None:
        raise RateLimited(until)
    hit = RateLimitHit(key=key, at=clock.now())
    session.add(hit)
    session.flush()
    return hit.id


def release(session: Session, *hit_ids: int | None) -> None:
    """Give reserved hits back (the work they guarded turned out not to count)."""
    ids = [hit_id for hit_id in hit_ids if hit_id is not None]
    if ids:
        session.execute(sa.delete(RateLimitHit).where(col(RateLimitHit.id).in_(ids)))


def give_back(*hit_ids: int | None) -> None:
    """`release` in a transaction of its own, for work that ran outside one (a password hash)."""
    with session_scope() as session:
        release(session, *hit_ids)


def ensure_allowed(session: Session, limit: Limit, subject: str) -> None:
    """Raise a DomainError saying when to try again if the limit is reached."""
    until = retry_after(session, limit, subject)
    if until is not None:
        raise too_many(until)


def too_many(until: dt.datetime) -> DomainError:
    """The refusal that tells when to try again (Warsaw time)."""
    return RateLimited(until)


def clear(session: Session, limit: Limit, subject: str) -> None:
    """Forget the hits under a key (after a successful login)."""
    session.execute(sa.delete(RateLimitHit).where(col(RateLimitHit.key) == limit_key(limit, subject)))


def purge_expired(session: Session, older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Delete hits older than any window; returns how many."""
    result = session.execute(sa.delete(RateLimitHit).where(col(RateLimitHit.at) < clock.now() - older_than))
    return rows_changed(result)
