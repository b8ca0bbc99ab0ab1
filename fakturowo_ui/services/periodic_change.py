"""The opt-in periodic password change of /konto ("Okresowa zmiana hasła"): read and saved.

When it is on, the login after `password_policy.next_forced_change` demands a new password
(services/accounts.exchange_login_code marks the session); switching it off and on again does
not move that date, which only a new password does.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

import sqlalchemy as sa
from sqlmodel import Session, col

from fakturowo_ui.models import User
from fakturowo_ui.services import password_policy
from fakturowo_ui.services.sessions import CurrentUser

audit = logging.getLogger("fakturowo.audit")


@dataclasses.dataclass(frozen=True)
class PeriodicChange:
    """The option as /konto shows it."""

    enabled: bool
    next_change: dt.date
    due: bool


def _periodic_change_of(user: User | None) -> PeriodicChange | None:
    if user is None:
        return None
    return PeriodicChange(
        enabled=user.periodic_password_change,
        next_change=password_policy.next_forced_change(user.password_changed_at),
        due=password_policy.change_is_due(user),
    )


def periodic_change_for(session: Session, user: CurrentUser) -> PeriodicChange | None:
    """Whether the logged-in user turned the periodic change on, and when it next forces a new
    password; the work of a private event (state/events.act). None when the account is gone."""
    return _periodic_change_of(session.get(User, user.user_id))


def save_periodic_change_for(session: Session, user: CurrentUser, enabled: bool) -> PeriodicChange | None:
    """The /konto event "Zapisz" of the region "Okresowa zmiana hasła", inside the event's write
    transaction (run it with write=True): the option as stored, or None when the account is gone.
    The date stays where the last password change put it."""
    session.execute(
        sa.update(User).where(col(User.id) == user.user_id).values(periodic_password_change=bool(enabled))
    )
    option = _periodic_change_of(session.get(User, user.user_id))
    audit.info("periodic password change %s user_id=%s", "on" if enabled else "off", user.user_id)
    return option
