"""The daily operator job: runs every task for a date, cleans up what expired, and is safe twice."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest

from fakturowo_ui import jobs
from fakturowo_ui.db import session_scope
from fakturowo_ui.models import AuthSession, OneTimeToken, RateLimitHit
from fakturowo_ui.services import clock, onetime, ratelimit, sessions
from fakturowo_ui.settings import REPO_ROOT
from tests.unit.factories import count_rows, make_user


def _old_and_fresh_rows(user_id: int, frozen_clock) -> None:
    """Expired links, sessions and rate-limit hits from long ago, and live ones from now."""
    with session_scope() as session:
        onetime.issue(session, user_id, onetime.TokenPurpose.CONFIRM_EMAIL, dt.timedelta(hours=24))
        sessions.create(session, user_id)
        ratelimit.record(session, ratelimit.LOGIN_ATTEMPTS_PER_CLIENT, "198.51.100.1")
    frozen_clock.advance(days=10)
    with session_scope() as session:
        onetime.issue(session, user_id, onetime.TokenPurpose.CONFIRM_EMAIL, dt.timedelta(hours=24))
        sessions.create(session, user_id)
        ratelimit.record(session, ratelimit.LOGIN_ATTEMPTS_PER_CLIENT, "198.51.100.1")


def test_daily_runs_and_is_safe_twice(app_env, frozen_clock, capsys):
    user_id = make_user("codziennie@example.com")
    _old_and_fresh_rows(user_id, frozen_clock)
    day = clock.today_warsaw().isoformat()

    assert jobs.main(["daily", "--date", day]) == 0
    first = capsys.readouterr()
    assert "FAILED" not in first.out and "Traceback" not in first.err
    assert (
        "clean-up: 1 links, 1 sessions, 1 rate-limit entries, 0 security events older than 90 days removed"
        in first.out
    )
    assert count_rows(OneTimeToken) == count_rows(AuthSession) == count_rows(RateLimitHit) == 1

    assert jobs.main(["daily", "--date", day]) == 0
    second = capsys.readouterr()
    assert "FAILED" not in second.out
    assert (
        "clean-up: 0 links, 0 sessions, 0 rate-limit entries, 0 security events older than 90 days removed"
        in second.out
    )
    assert count_rows(OneTimeToken) == count_rows(AuthSession) == count_rows(RateLimitHit) == 1


def test_daily_without_a_date_uses_today(app_env, frozen_clock, monkeypatch, capsys):
    """Today in Warsaw by the app's clock: at 23:30 UTC on 23 November it is already the 24th
    there (CET, UTC+1), so neither the machine's own date nor the UTC one would do."""
    days: list[dt.date] = []

    def record(day: dt.date) -> str:
        days.append(day)
        return f"record: {day.isoformat()}"

    monkeypatch.setattr(jobs, "DAILY_TASKS", [record, *jobs.DAILY_TASKS])
    frozen_clock.moment = dt.datetime(2026, 11, 23, 23, 30)
    assert jobs.main(["daily"]) == 0
    out = capsys.readouterr().out
    assert days == [dt.date(2026, 11, 24)]
    assert "record: 2026-11-24" in out and "FAILED" not in out

    assert jobs.main(["daily", "--date", "2026-11-20"]) == 0  # a date given wins over today
    assert days == [dt.date(2026, 11, 24), dt.date(2026, 11, 20)]


@pytest.mark.parametrize(
    "argv", [["daily", "--date", "23-11-2026"], ["daily", "--date", "2026-02-30"], ["nope"], []]
)
def test_bad_usage_exits_2(app_env, argv, capsys):
    with pytest.raises(SystemExit) as stopped:
        jobs.main(argv)
    assert stopped.value.code == 2


def test_a_failing_task_does_not_stop_the_others(app_env, monkeypatch):
    def broken(day):
        raise RuntimeError("boom")

    monkeypatch.setattr(jobs, "DAILY_TASKS", [broken, jobs.clean_up_expired])
    summaries = jobs.run_daily(dt.date(2026, 11, 23))
    assert summaries[0] == "broken: FAILED (RuntimeError)"
    assert summaries[1].startswith("clean-up:")


def test_the_operator_command_runs_from_the_shell(app_env):
    result = subprocess.run(
        [sys.executable, "-m", "fakturowo_ui.jobs", "daily", "--date", "2026-11-23"],
        cwd=REPO_ROOT,
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "clean-up:" in result.stdout and "FAILED" not in result.stdout
