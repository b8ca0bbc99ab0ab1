"""The opt-in periodic password change: when the next forced change falls and whether it is due.

Dates are calendar days in Europe/Warsaw. The next forced change is the Warsaw day of the last
password change plus FAKTUROWO_PASSWORD_CHANGE_INTERVAL_DAYS, so turning the option off and on
never moves it; on that day or later the next login forces the change (an interval of 0: every
login). Pure functions, no database: the login, the account page and the daily job share them.
"""

from __future__ import annotations

import datetime as dt

from fakturowo_ui.models import User
from fakturowo_ui.services import clock
from fakturowo_ui.settings import get_settings

# The notice "Za 14 dni zmiana hasła" is due from this many days before the forced change...
NOTICE_DAYS_BEFORE = 14
# ...down to one day before, so a daily run missed on the exact day still sends it once.
NOTICE_LAST_DAY_BEFORE = 1


def interval_days() -> int:
    """The configured period of the forced change, in days (0: every login)."""
    return get_settings().password_change_interval_days


def next_forced_change(password_changed_at: dt.datetime, interval: int | None = None) -> dt.date:
    """The Warsaw calendar day from which login forces a new password."""
    interval = interval_days() if interval is None else interval
    return clock.warsaw_date(password_changed_at) + dt.timedelta(days=interval)


def change_is_due(user: User, today: dt.date | None = None, interval: int | None = None) -> bool:
    """Whether a login of this user today must change the password before anything else."""
    if not user.periodic_password_change:
        return False
    today = clock.today_warsaw() if today is None else today
    return today >= next_forced_change(user.password_changed_at, interval)


def notice_due(user: User, today: dt.date, interval: int | None = None) -> dt.date | None:
    """The forced-change day the 14-day notice is due for today, or None when none is due."""
    interval = interval_days() if interval is None else interval
    # With an interval of 0 every login forces the change: there is no day to announce.
    if not user.periodic_password_change or interval == 0:
        return None
    due_on = next_forced_change(user.password_changed_at, interval)
    days_left = (due_on - today).days
    if NOTICE_LAST_DAY_BEFORE <= days_left <= NOTICE_DAYS_BEFORE:
        return due_on
    return None
