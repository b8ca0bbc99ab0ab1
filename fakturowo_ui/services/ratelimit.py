"""Sliding-window rate limits kept in the database, so every worker and host sees the same counts.

Keys are keyed digests of what they limit (an address, a client IP, a user ID): no address is
ever stored in clear, not even for someone who is not registered.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import sqlalchemy as sa
from sqlmodel import Session

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
        sa.select(RateLimitHit.at)
        .where(RateLimitHit.key == key, RateLimitHit.at > since)
        .order_by(RateLimitHit.at.desc())
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
    """Raise a DomainError saying when to try again, or count this hit."""
    ensure_allowed(session, limit, subject)
    record(session, limit, subject)


def ensure_allowed(session: Session, limit: Limit, subject: str) -> None:
    """Raise a DomainError saying when to try again if the limit is reached."""
    until = retry_after(session, limit, subject)
    if until is not None:
        raise too_many(until)


def too_many(until: dt.datetime) -> DomainError:
    """The refusal that tells when to try again (Warsaw time)."""
    minutes = max(1, math.ceil((until - clock.now()).total_seconds() / 60))
    return DomainError("common.try_again_at", time=clock.format_time(until), minutes=minutes)


def clear(session: Session, limit: Limit, subject: str) -> None:
    """Forget the hits under a key (after a successful login)."""
    session.execute(sa.delete(RateLimitHit).where(RateLimitHit.key == limit_key(limit, subject)))


def purge_expired(session: Session, older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Delete hits older than any window; returns how many."""
    result = session.execute(sa.delete(RateLimitHit).where(RateLimitHit.at < clock.now() - older_than))
    return result.rowcount or 0
