"""Consents and reminders (issue 5): `jobs set-subscription` and the daily work inside the app under a lock."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading

import sqlalchemy as sa

from fakturowo_ui import jobs, scheduler
from fakturowo_ui.db import session_scope
from fakturowo_ui.models import JobLock, Subscription
from fakturowo_ui.services import clock, job_lock, subscriptions
from fakturowo_ui.settings import REPO_ROOT
from tests.unit.factories import make_user


def test_set_subscription_sets_the_paid_period(app_env, frozen_clock, capsys):
    user_id = make_user("abonent@example.com")
    assert jobs.main(["set-subscription", "--email", " ABONENT@example.com", "--until", "2027-12-31"]) == 0
    assert f"subscription of user ID {user_id}: paid until 2027-12-31" in capsys.readouterr().out
    with session_scope() as session:
        status = subscriptions.plan_status(session, user_id)
        paid = session.scalar(sa.select(Subscription.paid_until).where(Subscription.user_id == user_id))
    assert paid == dt.date(2027, 12, 31)
    assert (status.kind, status.last_day) == (subscriptions.ACTIVE, dt.date(2027, 12, 31))


def test_set_subscription_refuses_an_unknown_address(app_env, capsys):
    assert jobs.main(["set-subscription", "--email", "nikt@example.com", "--until", "2027-12-31"]) == 1
    err = capsys.readouterr().err
    assert "error: no account has the address given with --email" in err
    assert "nikt@example.com" not in err


def test_set_subscription_from_the_shell(app_env):
    command = [
        sys.executable,
        "-m",
        "fakturowo_ui.jobs",
        "set-subscription",
        "--email",
        "brak@example.com",
        "--until",
        "2027-01-01",
    ]
    result = subprocess.run(
        command, cwd=REPO_ROOT, env={**os.environ}, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1 and "no account" in result.stderr and "Traceback" not in result.stderr
    bad_date = subprocess.run(
        command[:-1] + ["31-12-2027"],
        cwd=REPO_ROOT,
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad_date.returncode == 2


def test_the_lock_has_one_holder_until_it_runs_out(app_env, frozen_clock):
    lease = dt.timedelta(hours=1)
    assert job_lock.acquire("daily", "a", lease)
    assert not job_lock.acquire("daily", "b", lease)
    frozen_clock.advance(minutes=61)  # a dead holder's lease ran out
    assert job_lock.acquire("daily", "b", lease)
    assert not job_lock.hold_until("daily", "a", clock.now() + lease)  # a lost it
    job_lock.release("daily", "b")
    assert job_lock.acquire("daily", "c", lease)


def test_many_workers_at_once_one_gets_the_lock(app_env, frozen_clock):
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def worker(name: str) -> None:
        barrier.wait()
        results.append(job_lock.acquire("race", name, dt.timedelta(hours=1)))

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]


def test_the_in_app_daily_work_runs_once_a_day_across_workers(app_env, frozen_clock, monkeypatch):
    runs: list[dt.date] = []
    monkeypatch.setattr(jobs, "run_daily", lambda day: runs.append(day) or [f"ran {day}"])
    assert scheduler.run_once("worker-1") == [f"ran {clock.today_warsaw()}"]
    assert scheduler.run_once("worker-2") is None
    assert scheduler.run_once("worker-1") is None
    with session_scope() as session:
        lock = session.get(JobLock, scheduler.LOCK_NAME)
    assert lock.expires_at == scheduler.next_warsaw_midnight(clock.today_warsaw())
    frozen_clock.advance(days=1)
    assert scheduler.run_once("worker-2") is not None
    assert runs == [clock.today_warsaw() - dt.timedelta(days=1), clock.today_warsaw()]


def test_a_failed_in_app_run_lets_the_next_check_try_again(app_env, frozen_clock, monkeypatch):
    def broken(day):
        raise RuntimeError("database gone")

    monkeypatch.setattr(jobs, "run_daily", broken)
    try:
        scheduler.run_once("worker-1")
    except RuntimeError:
        pass
    monkeypatch.setattr(jobs, "run_daily", lambda day: ["ok"])
    assert scheduler.run_once("worker-2") == ["ok"]


def test_next_warsaw_midnight():
    # Winter: UTC+1; summer: UTC+2.
    assert scheduler.next_warsaw_midnight(dt.date(2026, 11, 23)) == dt.datetime(2026, 11, 23, 23, 0)
    assert scheduler.next_warsaw_midnight(dt.date(2027, 7, 1)) == dt.datetime(2027, 7, 1, 22, 0)


def test_the_app_starts_the_daily_work_as_a_lifespan_task(app_env):
    from fakturowo_ui.fakturowo_ui import app

    assert scheduler.daily_work_loop in app.get_lifespan_tasks()


def test_the_lifespan_loop_runs_then_waits(app_env, monkeypatch):
    import asyncio

    calls: list[str] = []
    monkeypatch.setattr(scheduler, "run_once", lambda: calls.append("run"))
    monkeypatch.setattr(scheduler, "CHECK_EVERY_SECONDS", 0.05)

    async def run_briefly() -> None:
        task = asyncio.create_task(scheduler.daily_work_loop())
        await asyncio.sleep(0.18)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass

    asyncio.run(run_briefly())
    assert 2 <= len(calls) <= 5
