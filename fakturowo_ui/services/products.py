"""The user's products and services: name, unit, net price, VAT rate; always scoped to one user.

What is a product's own is its form and how it is checked (_clean, the VAT rates and units); the
rest is one OwnedRows (services/listing.py): STEPS, whose get, create, update, delete and search
work inside the caller's transaction and whose *_for steps are the work of /produkty's private
events (and /wystaw's "add a product"), run by state/events.act in the event's transaction.
Issued invoices keep their own copies of the lines.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlmodel import Session

from fakturowo_ui.i18n import N_, Phrase
from fakturowo_ui.models import Product
from fakturowo_ui.services import money
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.services.listing import OwnedRows, clean_text

# The Polish VAT rates an invoice may carry; "zw" is exempt (zwolniony), taxed at 0 but printed apart.
VAT_RATES = ("23", "8", "5", "0", "zw")
UNITS = ("szt.", "usł.", "godz.", "kg", "m", "m²", "l", "km", "kpl.", "mies.")


@dataclasses.dataclass(frozen=True)
class ProductForm:
    """What the product form sends."""

    name: str
    unit: str
    net_price: str
    vat_rate: str


def clean_vat_rate(raw: object) -> str:
    """One of VAT_RATES ("23%" and " 23 " are taken as "23")."""
    text = raw.strip().removesuffix("%").strip().lower() if isinstance(raw, str) else ""
    if text not in VAT_RATES:
        raise DomainError("vat.invalid")
    return text


def clean_unit(raw: object) -> str:
    """A unit of measure: short free text, "szt." when left empty."""
    return clean_text(raw, Phrase("field.unit"), 16) or "szt."


def _clean(form: ProductForm) -> dict[str, Any]:
    return {
        "name": clean_text(form.name, Phrase("field.name"), 200, required=True),
        "unit": clean_unit(form.unit),
        "net_price": money.parse_price(form.net_price),
        "vat_rate": clean_vat_rate(form.vat_rate),
    }


STEPS: OwnedRows[Product, ProductForm] = OwnedRows(
    Product, _clean, N_("product.not_found"), searched=("name", "unit")
)
get = STEPS.get
create = STEPS.create
update = STEPS.update
delete = STEPS.delete
search = STEPS.search


def all_for_choice(session: Session, user_id: int, limit: int = 500) -> list[Product]:
    """The user's products by name, for the invoice form's list."""
    return STEPS.by_name(session, user_id, limit)
