"""services/job_lock.py: a named lock in the database that one holder at a time has; a lease that
runs out lets another take over (a holder that died), a finished run keeps it until a chosen
moment, and only the holder can extend, release or drop it."""

from __future__ import annotations

import datetime as dt

from sqlmodel import col

from fakturowo_ui.db import session_scope
from fakturowo_ui.models import JobLock
from fakturowo_ui.services import job_lock
from tests.unit.factories import count_rows

LEASE = dt.timedelta(minutes=10)


def _row(name: str) -> tuple[str, dt.datetime] | None:
    with session_scope() as session:
        row = session.get(JobLock, name)
        return (row.holder, row.expires_at) if row is not None else None


def test_one_holder_at_a_time_until_the_lease_runs_out(app_env, frozen_clock):
    start = frozen_clock.now()
    assert job_lock.acquire("daily", "host-a", LEASE)
    assert _row("daily") == ("host-a", start + LEASE)
    assert not job_lock.acquire("daily", "host-b", LEASE)
    assert not job_lock.acquire("daily", "host-a", LEASE)  # not re-entrant: a second run waits too
    assert job_lock.acquire("other", "host-b", LEASE)  # another name is another lock

    frozen_clock.advance(minutes=9, seconds=59)
    assert not job_lock.acquire("daily", "host-b", LEASE)
    frozen_clock.advance(seconds=1)  # the lease has run out: host-a died
    assert job_lock.acquire("daily", "host-b", LEASE)
    assert _row("daily") == ("host-b", frozen_clock.now() + LEASE)
    assert count_rows(JobLock, col(JobLock.name) == "daily") == 1


def test_a_finished_run_holds_the_lock_until_the_moment_it_names(app_env, frozen_clock):
    assert job_lock.acquire("daily", "host-a", LEASE)
    midnight = dt.datetime(2026, 11, 23, 23, 0)  # the next Warsaw midnight, naive UTC
    assert job_lock.hold_until("daily", "host-a", midnight)
    frozen_clock.advance(hours=10, minutes=59)
    assert not job_lock.acquire("daily", "host-b", LEASE)  # long past the lease, not past midnight
    frozen_clock.advance(minutes=1)
    assert job_lock.acquire("daily", "host-b", LEASE)


def test_only_the_holder_extends_releases_or_drops_it(app_env, frozen_clock):
    assert job_lock.acquire("daily", "host-a", LEASE)
    later = frozen_clock.now() + dt.timedelta(hours=5)
    assert not job_lock.hold_until("daily", "host-b", later)
    job_lock.release("daily", "host-b")
    job_lock.drop("daily", "host-b")
    assert _row("daily") == ("host-a", frozen_clock.now() + LEASE)
    assert not job_lock.hold_until("nothing-here", "host-a", later)


def test_a_released_lock_is_free_at_once_and_a_dropped_one_leaves_no_row(app_env, frozen_clock):
    assert job_lock.acquire("daily", "host-a", LEASE)
    job_lock.release("daily", "host-a")
    assert job_lock.acquire("daily", "host-b", LEASE)  # no waiting for the lease

    assert job_lock.acquire("user-7", "worker-1", LEASE)
    job_lock.drop("user-7", "worker-1")
    assert _row("user-7") is None
    assert job_lock.acquire("user-7", "worker-2", LEASE)
