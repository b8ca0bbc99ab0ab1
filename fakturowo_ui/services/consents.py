"""The two e-mail consents: current values on the user, every change in an append-only record."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools

import sqlalchemy as sa
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


@dataclasses.dataclass(frozen=True)
class Stored:
    """Both consents as they are after a save, and whether the save changed anything."""

    changed: bool
    reminders: bool
    info: bool
    changes: dict[str, dt.datetime]  # when each consent last changed (never changed: absent)


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
    stored = store(session, user_id, reminders=reminders, info=info, source=source, origin=origin)
    return stored is not None and stored.changed


# The user row's consent columns, read and written with SQL expressions rather than by loading
# the whole User: "Zapisz" is the page's most frequent write, and the ORM's unit of work took
# most of its time.
_USERS = User.__table__  # pyright: ignore[reportAttributeAccessIssue] - SQLModel tables are dynamic
_READ = sa.select(
    _USERS.c.reminder_consent,
    _USERS.c.reminder_consent_changed_at,
    _USERS.c.info_consent,
    _USERS.c.info_consent_changed_at,
).where(_USERS.c.id == sa.bindparam("user_id"))

_INSERT_RECORD = sa.insert(ConsentRecord.__table__)  # pyright: ignore[reportAttributeAccessIssue]


@functools.cache
def _update(columns: tuple[str, ...]) -> sa.Update:
    """UPDATE of these consent columns of one user (binds uid and new_<column>), built once per set
    of columns: a statement object made afresh at each save is coerced and cache-keyed again."""
    return (
        sa.update(_USERS)
        .where(_USERS.c.id == sa.bindparam("uid"))
        .values({column: sa.bindparam(f"new_{column}") for column in columns})
    )


def store(
    session: Session,
    user_id: int,
    *,
    reminders: bool,
    info: bool,
    source: str,
    origin: security_log.Origin = security_log.NOWHERE,
) -> Stored | None:
    """save(), returning both consents as stored and when each last changed (None: no such user)."""
    try:
        source = ConsentSource(source)
    except ValueError:
        raise ValueError(f"unknown consent source {source!r}") from None
    row = session.execute(_READ, {"user_id": user_id}).first()
    if row is None:
        return None
    now = clock.now()
    current = {
        Consent.REMINDERS: (bool(row.reminder_consent), row.reminder_consent_changed_at),
        Consent.INFO: (bool(row.info_consent), row.info_consent_changed_at),
    }
    values: dict[str, object] = {}
    for consent, wanted in ((Consent.REMINDERS, bool(reminders)), (Consent.INFO, bool(info))):
        if current[consent][0] != wanted:
            current[consent] = (wanted, now)
            values[consent.column] = wanted
            values[consent.changed_at_column] = now
            session.execute(
                _INSERT_RECORD,
                {
                    "user_id": user_id,
                    "consent": consent.value,
                    "given": wanted,
                    "at": now,
                    "source": source.value,
                },
            )
    if values:
        session.execute(
            _update(tuple(values)), {"uid": user_id, **{f"new_{k}": v for k, v in values.items()}}
        )
        loaded = session.identity_map.get(session.identity_key(User, user_id))
        if loaded is not None:  # a User this transaction holds must not show the old values
            session.expire(loaded, list(values))
        on = {consent: "on" if current[consent][0] else "off" for consent in Consent}
        detail = f"reminders={on[Consent.REMINDERS]} info={on[Consent.INFO]}"
        security_log.record(session, user_id, security_log.EventKind.CONSENTS_CHANGED, origin, detail=detail)
    return Stored(
        bool(values),
        current[Consent.REMINDERS][0],
        current[Consent.INFO][0],
        {consent: at for consent, (_given, at) in current.items() if at},
    )


def last_changes(session: Session, user_id: int) -> dict[str, dt.datetime]:
    """When each consent last changed (consents never changed are absent): one row's columns,
    however long the history."""
    user = session.get(User, user_id)
    return changes_of(user) if user is not None else {}


def changes_of(user: User) -> dict[str, dt.datetime]:
    """The change times kept on the user row."""
    return {consent: at for consent in Consent if (at := getattr(user, consent.changed_at_column))}
