"""The two e-mail consents: current values on the user, every change in an append-only record."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from fakturowo_ui.models import ConsentRecord, User
from fakturowo_ui.services import clock

REMINDERS = "reminders"
INFO = "info"
SOURCES = ("registration", "account", "unsubscribe")
# The User column holding when each consent last changed.
CHANGED_AT = {REMINDERS: "reminder_consent_changed_at", INFO: "info_consent_changed_at"}


def save(session: Session, user_id: int, *, reminders: bool, info: bool, source: str) -> bool:
    """Set both consents; appends a record per consent that changed. True if anything changed."""
    if source not in SOURCES:
        raise ValueError(f"unknown consent source {source!r}")
    user = session.get(User, user_id)
    if user is None:
        return False
    now = clock.now()
    changed = False
    for consent, attribute, wanted in (
        (REMINDERS, "reminder_consent", bool(reminders)),
        (INFO, "info_consent", bool(info)),
    ):
        if getattr(user, attribute) != wanted:
            setattr(user, attribute, wanted)
            setattr(user, CHANGED_AT[consent], now)
            session.add(ConsentRecord(user_id=user_id, consent=consent, given=wanted, at=now, source=source))
            changed = True
    if changed:
        session.add(user)
    return changed


def last_changes(session: Session, user_id: int) -> dict[str, dt.datetime]:
    """When each consent last changed (consents never changed are absent): one row's columns,
    however long the history."""
    user = session.get(User, user_id)
    return changes_of(user) if user is not None else {}


def changes_of(user: User) -> dict[str, dt.datetime]:
    """The change times kept on the user row."""
    return {consent: at for consent, column in CHANGED_AT.items() if (at := getattr(user, column))}
