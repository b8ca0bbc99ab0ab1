"""The user's clients (buyers): add, edit, delete, list with search; always scoped to one user.

What is a client's own is its form and how it is checked (_clean); the rest is one OwnedRows
(services/listing.py): STEPS, whose get, create, update, delete and search work inside the
caller's transaction and whose *_for steps are the work of /klienci's private events (run by
state/events.act in the event's transaction). Deleting a client leaves its invoices as they
are: the buyer's details were copied into them.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlmodel import Session

from fakturowo_ui.i18n import N_, Phrase
from fakturowo_ui.models import Client
from fakturowo_ui.services import nip as nips
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.services.listing import OwnedRows, clean_text

_EMAIL_MAX = 254


@dataclasses.dataclass(frozen=True)
class ClientForm:
    """What the client form sends."""

    name: str
    nip: str = ""
    address: str = ""
    email: str = ""


def _clean(form: ClientForm) -> dict[str, Any]:
    email = clean_text(form.email, Phrase("field.email"), _EMAIL_MAX).lower()
    if email and ("@" not in email or " " in email or email.startswith("@") or email.endswith("@")):
        raise DomainError("client.email")
    return {
        "name": clean_text(form.name, Phrase("field.name"), 200, required=True),
        "nip": nips.clean(form.nip),
        "address": clean_text(form.address, Phrase("field.address"), 500, multiline=True),
        "email": email,
    }


STEPS: OwnedRows[Client, ClientForm] = OwnedRows(
    Client, _clean, N_("client.not_found"), searched=("name", "nip", "address", "email")
)
get = STEPS.get
create = STEPS.create
update = STEPS.update
delete = STEPS.delete
search = STEPS.search


def all_for_choice(session: Session, user_id: int, limit: int = 500) -> list[tuple[int, str]]:
    """(id, name) of the user's clients by name, for the invoice form's list."""
    return [(client.id, client.name) for client in STEPS.by_name(session, user_id, limit)]
