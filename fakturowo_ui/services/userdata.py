"""What an account holds, counted (shown before deletion so the user knows what goes), and what
/konto shows of it: the plan, the counts and the consents, each step of the page the work of one
private event (state/events.act runs it in the event's one transaction)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import Session, col

from fakturowo_ui.db import session_scope
from fakturowo_ui.i18n import DEFAULT_LANGUAGE, LANGUAGES
from fakturowo_ui.models import Client, Document, Product, User
from fakturowo_ui.services import consents, security_log, subscriptions

if TYPE_CHECKING:
    from fakturowo_ui.services.sessions import CurrentUser


@dataclasses.dataclass(frozen=True)
class DataCounts:
    """How many documents, clients and products an account holds."""

    documents: int
    clients: int
    products: int


def counts(session: Session, user_id: int) -> DataCounts:
    """Count the user's documents, clients and products in one round trip."""

    def count(model: type[Document] | type[Client] | type[Product]) -> sa.ScalarSelect:
        return (
            sa.select(sa.func.count())
            .select_from(model)
            .where(col(model.user_id) == user_id)
            .scalar_subquery()
        )

    documents, clients, products = session.execute(
        sa.select(count(Document), count(Client), count(Product))
    ).one()
    return DataCounts(documents=documents, clients=clients, products=products)


@dataclasses.dataclass(frozen=True)
class AccountOverview:
    """Everything /konto shows of an account, read in one transaction."""

    plan: subscriptions.PlanStatus
    counts: DataCounts
    consent_changes: dict[str, dt.datetime]  # when each consent last changed (absent: never)
    reminder_consent: bool
    info_consent: bool


def _overview(session: Session, user_id: int) -> AccountOverview:
    plan = subscriptions.plan_status(session, user_id)
    held = counts(session, user_id)
    row = session.get_one(User, user_id)
    return AccountOverview(plan, held, consents.changes_of(row), row.reminder_consent, row.info_consent)


def overview_for(session: Session, user: CurrentUser) -> AccountOverview:
    """What /konto shows, inside a private event's transaction (services/as_user)."""
    return _overview(session, user.user_id)


@dataclasses.dataclass(frozen=True)
class ConsentsView:
    """The consents region after a save: whether anything changed, the values and their times."""

    changed: bool
    reminder_consent: bool
    info_consent: bool
    consent_changes: dict[str, dt.datetime]


def save_consents_for(
    session: Session,
    user: CurrentUser,
    *,
    reminders: bool,
    info: bool,
    origin: security_log.Origin = security_log.NOWHERE,
) -> ConsentsView:
    """ "Zapisz" in the consents region, inside a private event's write transaction: stores both
    consents (a record per change) and returns only what the region shows."""
    stored = consents.store(
        session,
        user.user_id,
        reminders=reminders,
        info=info,
        source=consents.ConsentSource.ACCOUNT,
        origin=origin,
    )
    if stored is None:  # the account is gone (the session check found it a moment ago)
        return ConsentsView(False, False, False, {})
    return ConsentsView(stored.changed, stored.reminders, stored.info, stored.changes)


def save_language_for(session: Session, user: CurrentUser, lang: str) -> str:
    """The footer's language switch, for a logged-in user: the account's pages and mails from now
    on are in `lang` (one of i18n.LANGUAGES; anything else leaves the account as it was)."""
    row = session.get_one(User, user.user_id)
    if lang in LANGUAGES and row.language != lang:
        row.language = lang
        session.add(row)
    return row.language


def language_of(session: Session, user_id: int) -> str:
    """The language of the account's pages and mails (Polish for an account that is gone)."""
    lang = session.scalar(sa.select(col(User.language)).where(col(User.id) == user_id))
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def language_of_account(user_id: int) -> str:
    """language_of in a read of its own: the language of a mail sent outside a transaction."""
    with session_scope() as session:
        return language_of(session, user_id)
