"""services/reminders.py: the due-date rules of the subscription reminders (30 to 6, then 5 to 1
days before the period's last day, in calendar days)."""

from __future__ import annotations

import datetime as dt

import pytest

from fakturowo_ui.services.notice_claims import NoticeKind
from fakturowo_ui.services.reminders import reminder_due

LAST = dt.date(2027, 3, 31)


@pytest.mark.parametrize(
    ("days_before", "expected"),
    [
        (45, None),
        (31, None),
        (30, NoticeKind.REMINDER_30),
        (29, NoticeKind.REMINDER_30),
        (20, NoticeKind.REMINDER_30),
        (7, NoticeKind.REMINDER_30),
        (6, NoticeKind.REMINDER_30),
        (5, NoticeKind.REMINDER_5),
        (4, NoticeKind.REMINDER_5),
        (2, NoticeKind.REMINDER_5),
        (1, NoticeKind.REMINDER_5),
        (0, None),
        (-1, None),
        (-30, None),
    ],
)
def test_reminder_windows(days_before, expected):
    assert reminder_due(LAST - dt.timedelta(days=days_before), LAST) == expected


def test_never_both_in_one_run_and_the_later_wins():
    for days_before in range(0, 40):
        due = reminder_due(LAST - dt.timedelta(days=days_before), LAST)
        assert due in (None, NoticeKind.REMINDER_30, NoticeKind.REMINDER_5)
    # A run that missed the whole 30-day window still sends the 5-day one, and only that.
    assert reminder_due(LAST - dt.timedelta(days=3), LAST) == NoticeKind.REMINDER_5


def test_windows_count_calendar_days_across_a_dst_change():
    # Europe/Warsaw moves the clock on 28-03-2027; the windows are whole calendar days anyway.
    assert reminder_due(dt.date(2027, 3, 26), LAST) == NoticeKind.REMINDER_5
    assert reminder_due(dt.date(2027, 3, 25), LAST) == NoticeKind.REMINDER_30
