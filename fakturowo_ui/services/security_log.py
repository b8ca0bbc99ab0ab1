"""The account's security history (/konto/historia, CONTRACT.md "Account security").

An event is written by `record` in the same transaction as the change it records, so the
history never claims a change that was rolled back, nor misses one that happened. Only a
shortened client address is kept (IPv4 /24, IPv6 /48) and the browser's User-Agent; events
live RETENTION (the daily job removes older ones) and go with the account (ON DELETE CASCADE).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import ipaddress

import sqlalchemy as sa
from sqlmodel import Session, col

from fakturowo_ui.db import rows_changed
from fakturowo_ui.models import SecurityEvent
from fakturowo_ui.services import clock

RETENTION = dt.timedelta(days=90)
USER_AGENT_LENGTH = 300
DETAIL_LENGTH = 200


class EventKind(enum.StrEnum):
    """What happened: the value security_event.kind holds (the contract's list)."""

    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"
    TWO_STEP_ON = "two_step_on"
    TWO_STEP_OFF = "two_step_off"
    RECOVERY_CODE_USED = "recovery_code_used"
    SESSION_ENDED = "session_ended"
    EMAIL_CHANGE_REQUESTED = "email_change_requested"
    EMAIL_CHANGED = "email_changed"
    CONSENTS_CHANGED = "consents_changed"
    DELETION_LINK_SENT = "deletion_link_sent"


@dataclasses.dataclass(frozen=True)
class Origin:
    """Where a request came from, as the history keeps it: the client's address (shortened when
    written) and its User-Agent. States build it with state/common.origin(self)."""

    ip: str = ""
    user_agent: str = ""


NOWHERE = Origin()


def shorten_ip(address: str | None) -> str:
    """The network an address belongs to: IPv4 /24 ("203.0.113.0/24"), IPv6 /48; "" if not an address.

    An IPv4-mapped IPv6 address (::ffff:192.0.2.7) counts as the IPv4 address it maps.
    """
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


# Built once: a statement object keeps its compiled form's cache key, a new one is coerced and keyed again.
_INSERT = sa.insert(SecurityEvent.__table__)  # pyright: ignore[reportAttributeAccessIssue] - dynamic


def record(
    session: Session,
    user_id: int,
    kind: EventKind,
    origin: Origin = NOWHERE,
    *,
    detail: str = "",
    at: dt.datetime | None = None,
) -> None:
    """Add one event to the user's history, in the caller's transaction (an INSERT statement, not
    an ORM object: saving consents writes one at every change, and the unit of work cost more
    than the row)."""
    session.execute(
        _INSERT,
        {
            "user_id": user_id,
            "kind": EventKind(kind).value,
            "at": at or clock.now(),
            "user_agent": (origin.user_agent or "")[:USER_AGENT_LENGTH],
            "ip_prefix": shorten_ip(origin.ip),
            "detail": (detail or "")[:DETAIL_LENGTH],
        },
    )


def recent(session: Session, user_id: int, *, limit: int = 500) -> list[SecurityEvent]:
    """The user's events of the last RETENTION, newest first."""
    since = clock.now() - RETENTION
    return list(
        session.scalars(
            sa.select(SecurityEvent)
            .where(col(SecurityEvent.user_id) == user_id, col(SecurityEvent.at) >= since)
            .order_by(col(SecurityEvent.at).desc(), col(SecurityEvent.id).desc())
            .limit(limit)
        )
    )


def purge_old(session: Session) -> int:
    """Delete every event older than RETENTION (the daily job); returns how many."""
    cutoff = clock.now() - RETENTION
    return rows_changed(session.execute(sa.delete(SecurityEvent).where(col(SecurityEvent.at) < cutoff)))


@functools.lru_cache(maxsize=2048)
def describe_browser(user_agent: str) -> tuple[str, str]:
    """(browser, system) named from a User-Agent by the uap-core rules ("Chrome 131", "Linux");
    "" for what cannot be told."""
    if not user_agent:
        return "", ""
    from ua_parser import parse

    result = parse(user_agent[:USER_AGENT_LENGTH])
    browser = ""
    if result.user_agent is not None and result.user_agent.family != "Other":
        browser = " ".join(part for part in (result.user_agent.family, result.user_agent.major) if part)
    system = ""
    if result.os is not None and result.os.family != "Other":
        system = " ".join(part for part in (result.os.family, result.os.major) if part)
    return browser, system
