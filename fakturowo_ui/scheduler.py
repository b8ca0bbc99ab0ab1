"""The daily work inside the running app: a lifespan task that every backend worker starts.

Every worker of every host runs this loop; the job_lock row "daily" lets one of them do a day's
work (the same tasks as `python -m fakturowo_ui.jobs daily`) and keeps the others out until the
next Warsaw midnight. The work itself is safe to repeat, so a lost lock costs nothing but time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
import uuid

from fakturowo_ui.services import blocking, clock, job_lock

log = logging.getLogger("fakturowo.scheduler")

LOCK_NAME = "daily"
# How long one run may hold the lock before another worker may assume it died.
RUN_LEASE = dt.timedelta(hours=1)
# How often each worker looks whether today's work is still to do.
CHECK_EVERY_SECONDS = 600
HOLDER = f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def next_warsaw_midnight(day: dt.date) -> dt.datetime:
    """The naive UTC moment the Warsaw day after `day` starts."""
    after = day + dt.timedelta(days=1)
    return clock.to_utc_naive(dt.datetime(after.year, after.month, after.day, tzinfo=clock.WARSAW))


def run_once(holder: str = HOLDER) -> list[str] | None:
    """Run today's daily work if this worker gets the lock; None when another has it or had it."""
    from fakturowo_ui.jobs import run_daily

    day = clock.today_warsaw()
    if not job_lock.acquire(LOCK_NAME, holder, RUN_LEASE):
        return None
    try:
        summaries = run_daily(day)
    except BaseException:
        job_lock.release(LOCK_NAME, holder)
        raise
    job_lock.hold_until(LOCK_NAME, holder, next_warsaw_midnight(day))
    for line in summaries:
        log.info("daily work %s: %s", day.isoformat(), line)
    return summaries


async def daily_work_loop() -> None:
    """The lifespan task: check every CHECK_EVERY_SECONDS, run the day's work once per day."""
    from fakturowo_ui.jobs import local_housekeeping

    while True:
        try:
            await asyncio.to_thread(run_once)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - a bad day must not stop the next one
            log.exception("the daily work failed; the next check tries again")
        try:
            # Files and the WAL are this host's: every worker looks at every check.
            await blocking.db(local_housekeeping)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001
            log.exception("housekeeping failed; the next check tries again")
        await asyncio.sleep(CHECK_EVERY_SECONDS)
