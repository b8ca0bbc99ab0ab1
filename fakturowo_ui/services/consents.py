"""The two e-mail consents: current values on the user, every change in an append-only record."""

from __future__ import annotations

import datetime as dt
import enum

from sqlmodel import Session

from fakturowo_ui.i18n import N_
from fakturowo_ui.models import ConsentRecord, User
from fakturowo_ui.services import clock, security_log


class Consent(enum.StrEnum):
    """A consent; its value is what consent_record.consent and the unsubscribe tokens hold."""

    REMINDERS = "reminders"
    INFO = "info"

    @property
    def column(self) -> str:
        """The User column holding the consent's current value."""
        return _COLUMNS[self][0]

    @property
    def changed_at_column(self) -> str:
        """The User column holding when the consent last changed."""
        return _COLUMNS[self][1]


_COLUMNS = {
    Consent.REMINDERS: ("reminder_consent", "reminder_consent_changed_at"),
    Consent.INFO: ("info_consent", "info_consent_changed_at"),
}


# Each consent's name in a sentence ("... z {consent}"), by Consent or its value.
CONSENT_NAMES: dict[str, str] = {
    Consent.REMINDERS: N_("unsubscribe.consent.reminders"),
    Consent.INFO: N_("unsubscribe.consent.info"),
}


class ConsentSource(enum.StrEnum):
    """Where a consent change was made (consent_record.source)."""

    REGISTRATION = "registration"
    ACCOUNT = "account"
    UNSUBSCRIBE = "unsubscribe"


def save(
    session: Session,
    user_id: int,
    *,
    reminders: bool,
    info: bool,
    source: str,
    origin: security_log.Origin = security_log.NOWHERE,
) -> bool:
    """Set both consents; appends a record per consent that changed, and an event to the
    security history when anything changed. True if anything changed."""
    try:
        source = ConsentSource(source)
    except ValueError:
        raise ValueError(f"unknown consent source {source!r}") from None
    user = session.get(User, user_id)
    if user is None:
        return False
    now = clock.now()
    changed = False
    for consent, wanted in ((Consent.REMINDERS, bool(reminders)), (Consent.INFO, bool(info))):
        if getattr(user, consent.column) != wanted:
            setattr(user, consent.column, wanted)
            setattr(user, consent.changed_at_column, now)
            session.add(ConsentRecord(user_id=user_id, consent=consent, given=wanted, at=now, source=source))
            changed = True
    if changed:
        session.add(user)
        detail = f"reminders={'on' if user.reminder_consent else 'off'} info={'on' if user.info_consent else 'off'}"
        security_log.record(session, user_id, security_log.EventKind.CONSENTS_CHANGED, origin, detail=detail)
    return changed


def last_changes(session: Session, user_id: int) -> dict[str, dt.datetime]:
    """When each consent last changed (consents never changed are absent): one row's columns,
    however long the history."""
    user = session.get(User, user_id)
    return changes_of(user) if user is not None else {}


def changes_of(user: User) -> dict[str, dt.datetime]:
    """The change times kept on the user row."""
    return {consent: at for consent in Consent if (at := getattr(user, consent.changed_at_column))}
