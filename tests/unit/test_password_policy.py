"""services/password_policy.py: the date rules of the periodic password change (Warsaw calendar days,
leap years, interval 0, the notice window) and the sentence /konto shows with the date."""

from __future__ import annotations

import datetime as dt

import pytest

from fakturowo_ui.models import User
from fakturowo_ui.services import clock, password_policy
from fakturowo_ui.state.password import how_often, periodic_sentence


def utc(*args) -> dt.datetime:
    """A naive UTC moment, as stored."""
    return dt.datetime(*args)


def warsaw_moment(*args) -> dt.datetime:
    """A Warsaw wall-clock time as the naive UTC moment the database keeps."""
    return clock.to_utc_naive(dt.datetime(*args, tzinfo=clock.WARSAW))


def user(changed_at: dt.datetime, enabled: bool = True) -> User:
    return User(
        email="a@example.com",
        password_hash="x",
        created_at=changed_at,
        password_changed_at=changed_at,
        periodic_password_change=enabled,
    )


def test_next_change_is_the_warsaw_day_plus_the_interval():
    assert password_policy.next_forced_change(utc(2024, 3, 6, 10, 0), 365) == dt.date(2025, 3, 6)
    assert password_policy.next_forced_change(utc(2025, 3, 6, 10, 0), 30) == dt.date(2025, 4, 5)


@pytest.mark.parametrize(
    ("changed", "interval", "expected"),
    [
        # 2024 is a leap year: 365 days after 1 January is 31 December of the same year.
        ((2024, 1, 1, 12), 365, dt.date(2024, 12, 31)),
        # From 29 February, 365 days land on 28 February of the next year...
        ((2024, 2, 29, 12), 365, dt.date(2025, 2, 28)),
        # ...and 366 days on 1 March.
        ((2024, 2, 29, 12), 366, dt.date(2025, 3, 1)),
        # Across 29 February 2028: one day fewer than a calendar year.
        ((2027, 3, 10, 12), 365, dt.date(2028, 3, 9)),
        # A common year: the same day of the next year.
        ((2025, 3, 10, 12), 365, dt.date(2026, 3, 10)),
    ],
)
def test_leap_years(changed, interval, expected):
    assert password_policy.next_forced_change(utc(*changed), interval) == expected


def test_a_change_at_23_30_warsaw_counts_on_that_warsaw_day():
    # Winter (UTC+1): 23:30 in Warsaw is 22:30 UTC, the same calendar day.
    winter = warsaw_moment(2025, 1, 15, 23, 30)
    assert winter == utc(2025, 1, 15, 22, 30)
    assert password_policy.next_forced_change(winter, 365) == dt.date(2026, 1, 15)
    # Summer (UTC+2): 23:30 in Warsaw is 21:30 UTC.
    summer = warsaw_moment(2025, 7, 15, 23, 30)
    assert password_policy.next_forced_change(summer, 365) == dt.date(2026, 7, 15)
    # 00:30 in Warsaw is still the previous day in UTC: the Warsaw day counts, not the UTC one.
    after_midnight = warsaw_moment(2025, 7, 16, 0, 30)
    assert after_midnight.date() == dt.date(2025, 7, 15)
    assert password_policy.next_forced_change(after_midnight, 365) == dt.date(2026, 7, 16)


def test_due_from_that_day_on_not_before():
    changed = warsaw_moment(2025, 3, 6, 9, 0)
    u = user(changed)
    assert not password_policy.change_is_due(u, dt.date(2026, 3, 5), 365)
    assert password_policy.change_is_due(u, dt.date(2026, 3, 6), 365)
    assert password_policy.change_is_due(u, dt.date(2027, 1, 1), 365)


def test_interval_zero_is_due_at_every_login():
    changed = warsaw_moment(2025, 3, 6, 23, 30)
    u = user(changed)
    assert password_policy.next_forced_change(changed, 0) == dt.date(2025, 3, 6)
    # Even on the very day of the change (the next login after it).
    assert password_policy.change_is_due(u, dt.date(2025, 3, 6), 0)
    assert password_policy.change_is_due(u, dt.date(2025, 3, 7), 0)


def test_never_due_while_the_option_is_off():
    u = user(utc(2020, 1, 1), enabled=False)
    assert not password_policy.change_is_due(u, dt.date(2030, 1, 1), 0)
    assert password_policy.notice_due(u, dt.date(2020, 12, 20), 365) is None


def test_notice_window_is_14_to_1_days_before():
    changed = warsaw_moment(2025, 3, 6, 9, 0)
    u = user(changed)
    due = dt.date(2026, 3, 6)
    assert password_policy.notice_due(u, due - dt.timedelta(days=15), 365) is None
    assert password_policy.notice_due(u, due - dt.timedelta(days=14), 365) == due
    assert password_policy.notice_due(u, due - dt.timedelta(days=1), 365) == due
    assert password_policy.notice_due(u, due, 365) is None
    # Interval 0: the change is due at every login, there is nothing to announce.
    assert password_policy.notice_due(u, dt.date(2025, 3, 6), 0) is None
    assert password_policy.notice_due(u, dt.date(2025, 3, 7), 0) is None


def test_the_seed_sentence_adapts_raz_na_rok():
    seed = (
        "Masz włączoną opcję okresowej zmiany hasła, zatem nasz system raz na rok (w dniu 06-03-2025) "
        "podczas logowania wymusi zmianę hasła do Twojego konta, więcej informacji w naszym dziale pomocy."
    )
    assert periodic_sentence(365, "06-03-2025") == seed
    assert "co 90 dni (w dniu 06-03-2025)" in periodic_sentence(90, "06-03-2025")
    assert "codziennie" in periodic_sentence(1, "06-03-2025")
    every = periodic_sentence(0, "06-03-2025")
    assert "przy każdym logowaniu" in every and "06-03-2025" in every and "raz na rok" not in every
    assert how_often(365) == "raz na rok"
