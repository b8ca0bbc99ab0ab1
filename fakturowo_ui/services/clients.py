"""The user's clients (buyers): add, edit, delete, list with search; always scoped to one user.

Every function works inside the caller's transaction; STEPS (at the end) are the steps of
/klienci, each the work of one private event, run by state/events.act in the event's transaction.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from fakturowo_ui.models import Client
from fakturowo_ui.services import nip as nips
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.services.listing import (
    PER_PAGE,
    OwnedRows,
    Page,
    clean_text,
    owned_row,
    paged,
    search_condition,
)

_EMAIL_MAX = 254


@dataclasses.dataclass(frozen=True)
class ClientForm:
    """What the client form sends."""

    name: str
    nip: str = ""
    address: str = ""
    email: str = ""


def _clean(form: ClientForm) -> dict[str, Any]:
    email = clean_text(form.email, "Adres email", _EMAIL_MAX).lower()
    if email and ("@" not in email or " " in email or email.startswith("@") or email.endswith("@")):
        raise DomainError("client.email")
    return {
        "name": clean_text(form.name, "Nazwa", 200, required=True),
        "nip": nips.clean(form.nip),
        "address": clean_text(form.address, "Adres", 500, multiline=True),
        "email": email,
    }


def get(session: Session, user_id: int, client_id: object) -> Client:
    """The user's own client; any other ID (another user's, unknown, not a number) is refused."""
    return owned_row(session, Client, user_id, client_id, "client.not_found")


def create(session: Session, user_id: int, form: ClientForm) -> Client:
    """Add a client."""
    client = Client(user_id=user_id, **_clean(form))
    session.add(client)
    session.flush()
    return client


def update(session: Session, user_id: int, client_id: object, form: ClientForm) -> Client:
    """Change the user's own client (issued invoices keep the buyer details they were issued with)."""
    values = _clean(form)
    client = get(session, user_id, client_id)
    for key, value in values.items():
        setattr(client, key, value)
    session.add(client)
    session.flush()
    return client


def delete(session: Session, user_id: int, client_id: object) -> None:
    """Delete the user's own client; its invoices stay, with the buyer details copied into them."""
    client = get(session, user_id, client_id)
    session.delete(client)
    session.flush()


def search(
    session: Session, user_id: int, query: str = "", page: int = 1, per_page: int = PER_PAGE
) -> Page[Client]:
    """One page of the user's clients, by name, matching the query in name, NIP, address or e-mail."""
    where = [col(Client.user_id) == user_id]
    condition = search_condition(
        query, col(Client.name), col(Client.nip), col(Client.address), col(Client.email)
    )
    if condition is not None:
        where.append(condition)
    statement = sa.select(Client).where(*where).order_by(sa.func.lower(col(Client.name)), col(Client.id))
    count = sa.select(sa.func.count()).select_from(Client).where(*where)
    return paged(session, statement, count, page, per_page)


def all_for_choice(session: Session, user_id: int, limit: int = 500) -> list[tuple[int, str]]:
    """(id, name) of the user's clients, for the invoice form's list."""
    rows = session.execute(
        sa.select(col(Client.id), col(Client.name))
        .where(col(Client.user_id) == user_id)
        .order_by(sa.func.lower(col(Client.name)), col(Client.id))
        .limit(limit)
    ).all()
    return [(row.id, row.name) for row in rows]


# -- the steps of /klienci: each the work of one private event (state/events.act) ---------------

STEPS: OwnedRows[Client, ClientForm] = OwnedRows(get, create, update, delete, search)
