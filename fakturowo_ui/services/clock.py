"""The one clock of the app, injectable so tests move time instead of sleeping.

Stored times are naive UTC datetimes; calendar dates shown to people are days in Europe/Warsaw.
How a day or a moment is written for people, in each language: i18n/formats.py.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

WARSAW = ZoneInfo("Europe/Warsaw")


class Clock:
    """Real time."""

    def now(self) -> dt.datetime:
        """The current moment as a naive UTC datetime (the form stored in the database)."""
        return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class FrozenClock(Clock):
    """A clock that stands still until a test moves it."""

    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment.replace(tzinfo=None) if moment.tzinfo is None else to_utc_naive(moment)

    def now(self) -> dt.datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        """Move the clock forward, e.g. advance(minutes=61)."""
        self.moment += dt.timedelta(**delta)


_clock: Clock = Clock()


def get_clock() -> Clock:
    """The clock in use."""
    return _clock


def set_clock(clock: Clock) -> Clock:
    """Install another clock (tests); returns the previous one."""
    global _clock
    previous, _clock = _clock, clock
    return previous


def now() -> dt.datetime:
    """The current moment, naive UTC."""
    return _clock.now()


def to_utc_naive(moment: dt.datetime) -> dt.datetime:
    """An aware datetime as naive UTC."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def warsaw(moment: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) moment in Warsaw time."""
    return moment.replace(tzinfo=dt.UTC).astimezone(WARSAW)


def warsaw_date(moment: dt.datetime) -> dt.date:
    """The calendar day in Warsaw of a stored (naive UTC) moment."""
    return warsaw(moment).date()


def today_warsaw() -> dt.date:
    """Today's calendar day in Warsaw."""
    return warsaw_date(now())
