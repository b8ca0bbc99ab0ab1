"""The daily work inside the running app: a lifespan task that every backend worker starts.

Every worker of every host runs this loop; the job_lock row "daily" lets one of them do a day's
work (the same tasks as `python -m fakturowo_ui.jobs daily`) and keeps the others out until the
next Warsaw midnight. The work itself is safe to repeat, so a lost lock costs nothing but time.

The day's work runs in a daemon thread of its own, not in an executor: a daily run can take
minutes (every due mail, each send allowed SMTP_TIMEOUT_SECONDS by a slow server), and a worker
told to stop (SIGTERM) exits only once its non-daemon threads have finished, so an executor thread
kept it alive for as long as the run lasted (22 s for three mails to a server that never answers).
Stopped half-way, the run is abandoned with the process; its lock lease (RUN_LEASE) then lets
another worker do the rest, and what it redoes is safe to redo.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from typing import TypeVar

from fakturowo_ui.services import blocking, clock, job_lock

log = logging.getLogger("fakturowo.scheduler")

LOCK_NAME = "daily"
# How long one run may hold the lock before another worker may assume it died.
RUN_LEASE = dt.timedelta(hours=1)
# How often each worker looks whether today's work is still to do.
CHECK_EVERY_SECONDS = 600
HOLDER = f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

T = TypeVar("T")


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


def _settle(future: asyncio.Future, result: object, error: BaseException | None) -> None:
    if future.done():  # the awaiting task was cancelled: nobody wants the outcome
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


def in_daemon_thread(fn: Callable[[], T]) -> asyncio.Future[T]:
    """Run fn in a daemon thread (context variables carried over); await its result.

    Unlike asyncio.to_thread, the thread does not hold the process open at exit.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()
    call = contextvars.copy_context().run

    def run() -> None:
        result, error = None, None
        try:
            result = call(fn)
        except BaseException as raised:  # noqa: BLE001 - handed to the awaiting task
            error = raised
        try:
            loop.call_soon_threadsafe(_settle, future, result, error)
        except RuntimeError:  # the loop is closed: the worker is stopping
            pass

    threading.Thread(target=run, name="fakturowo-daily-work", daemon=True).start()
    return future


async def daily_work_loop() -> None:
    """The lifespan task: check every CHECK_EVERY_SECONDS, run the day's work once per day."""
    from fakturowo_ui.jobs import local_housekeeping

    while True:
        try:
            await in_daemon_thread(run_once)
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
