"""The two e-mail consents: current values on the user, every change in an append-only record."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Session

from fakturowo_ui.models import ConsentRecord, User
from fakturowo_ui.services import clock

REMINDERS = "reminders"
INFO = "info"
SOURCES = ("registration", "account", "unsubscribe")


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
            session.add(ConsentRecord(user_id=user_id, consent=consent, given=wanted, at=now, source=source))
            changed = True
    if changed:
        session.add(user)
    return changed


def last_changes(session: Session, user_id: int) -> dict[str, dt.datetime]:
    """When each consent last changed (consents never changed are absent)."""
    rows = session.execute(
        sa.select(ConsentRecord.consent, sa.func.max(ConsentRecord.at))
        .where(ConsentRecord.user_id == user_id)
        .group_by(ConsentRecord.consent)
    ).all()
    return {consent: at for consent, at in rows}
