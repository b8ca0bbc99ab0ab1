"""A named lock in the database (job_lock), so scheduled work runs once across workers and hosts.

A holder takes the row when it is absent or its lease has run out; a run that finishes keeps it
until a chosen moment (the next Warsaw midnight for the daily work), so the other workers skip that
day. A holder that dies leaves a lease that runs out, and another worker takes over.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from fakturowo_ui.db import rows_changed, session_scope
from fakturowo_ui.models import JobLock
from fakturowo_ui.services import clock


def acquire(name: str, holder: str, lease: dt.timedelta) -> bool:
    """Take the lock `name` for `lease` if nobody holds it (or their hold ran out)."""
    now = clock.now()
    try:
        with session_scope(write_lock=True) as session:
            taken = rows_changed(
                session.execute(
                    sa.update(JobLock)
                    .where(col(JobLock.name) == name, col(JobLock.expires_at) <= now)
                    .values(holder=holder, expires_at=now + lease)
                )
            )
            if taken == 1:
                return True
            if session.get(JobLock, name) is not None:
                return False
            session.add(JobLock(name=name, holder=holder, expires_at=now + lease))
        return True
    except IntegrityError:
        # Another worker inserted the row first.
        return False


def hold_until(name: str, holder: str, until: dt.datetime) -> bool:
    """Keep the lock until `until` (naive UTC), if `holder` still has it."""
    with session_scope() as session:
        changed = session.execute(
            sa.update(JobLock)
            .where(col(JobLock.name) == name, col(JobLock.holder) == holder)
            .values(expires_at=until)
        )
        return rows_changed(changed) == 1


def release(name: str, holder: str) -> None:
    """Let the next worker take the lock at once (a run that failed as a whole)."""
    hold_until(name, holder, clock.now())


def drop(name: str, holder: str) -> None:
    """Remove the lock row if `holder` still has it (a per-user lock that leaves nothing behind)."""
    with session_scope() as session:
        session.execute(sa.delete(JobLock).where(col(JobLock.name) == name, col(JobLock.holder) == holder))
