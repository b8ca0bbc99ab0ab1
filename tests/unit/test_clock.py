"""services/clock.py: moments are stored as naive UTC and shown in Warsaw time, with summer time;
"today" is Warsaw's calendar day; the app's clock can be swapped for a frozen one. (How moments
are written for people: tests/unit/test_formats.py.)"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from fakturowo_ui.services import clock

WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.mark.parametrize(
    "utc, day",
    [
        (dt.datetime(2026, 11, 23, 22, 59), dt.date(2026, 11, 23)),  # 23:59 CET
        (dt.datetime(2026, 11, 23, 23, 0), dt.date(2026, 11, 24)),  # midnight CET (UTC+1)
        (dt.datetime(2026, 7, 1, 21, 59), dt.date(2026, 7, 1)),  # 23:59 CEST
        (dt.datetime(2026, 7, 1, 22, 0), dt.date(2026, 7, 2)),  # midnight CEST (UTC+2)
        (dt.datetime(2026, 12, 31, 23, 30), dt.date(2027, 1, 1)),  # a new year in Warsaw first
    ],
)
def test_the_warsaw_date_of_a_stored_moment(utc, day):
    assert clock.warsaw_date(utc) == day


def test_an_aware_moment_is_stored_as_naive_utc_and_comes_back_as_the_same_moment():
    local = dt.datetime(2026, 7, 1, 8, 30, tzinfo=WARSAW)
    stored = clock.to_utc_naive(local)
    assert stored == dt.datetime(2026, 7, 1, 6, 30) and stored.tzinfo is None
    assert clock.warsaw(stored) == local and clock.warsaw(stored).utcoffset() == dt.timedelta(hours=2)


def test_the_real_clock_is_naive_utc_now():
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    moment = clock.Clock().now()
    after = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert moment.tzinfo is None and before <= moment <= after


def test_a_frozen_clock_stands_still_moves_when_told_and_is_put_back():
    frozen = clock.FrozenClock(dt.datetime(2026, 11, 23, 22, 30))
    previous = clock.set_clock(frozen)
    try:
        assert clock.get_clock() is frozen
        assert clock.now() == dt.datetime(2026, 11, 23, 22, 30) == clock.now()
        assert clock.today_warsaw() == dt.date(2026, 11, 23)
        frozen.advance(minutes=30)
        assert clock.now() == dt.datetime(2026, 11, 23, 23, 0)
        assert clock.today_warsaw() == dt.date(2026, 11, 24)  # midnight in Warsaw
    finally:
        assert clock.set_clock(previous) is frozen
    assert clock.get_clock() is previous
