"""The user's products and services: name, unit, net price, VAT rate; always scoped to one user.

Every function works inside the caller's transaction; STEPS (at the end) are the steps of
/produkty (and /wystaw's "add a product"), each the work of one private event, run by
state/events.act in the event's transaction.
"""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from sqlmodel import Session, col

from fakturowo_ui.models import Product
from fakturowo_ui.services import money
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
    return clean_text(raw, "Jednostka", 16) or "szt."


def _clean(form: ProductForm) -> dict:
    return {
        "name": clean_text(form.name, "Nazwa", 200, required=True),
        "unit": clean_unit(form.unit),
        "net_price": money.parse_price(form.net_price),
        "vat_rate": clean_vat_rate(form.vat_rate),
    }


def get(session: Session, user_id: int, product_id: object) -> Product:
    """The user's own product; any other ID is refused."""
    return owned_row(session, Product, user_id, product_id, "product.not_found")


def create(session: Session, user_id: int, form: ProductForm) -> Product:
    """Add a product."""
    product = Product(user_id=user_id, **_clean(form))
    session.add(product)
    session.flush()
    return product


def update(session: Session, user_id: int, product_id: object, form: ProductForm) -> Product:
    """Change the user's own product (issued invoices keep their own copies of the lines)."""
    values = _clean(form)
    product = get(session, user_id, product_id)
    for key, value in values.items():
        setattr(product, key, value)
    session.add(product)
    session.flush()
    return product


def delete(session: Session, user_id: int, product_id: object) -> None:
    """Delete the user's own product."""
    session.delete(get(session, user_id, product_id))
    session.flush()


def search(
    session: Session, user_id: int, query: str = "", page: int = 1, per_page: int = PER_PAGE
) -> Page[Product]:
    """One page of the user's products, by name, matching the query in name or unit."""
    where = [col(Product.user_id) == user_id]
    condition = search_condition(query, col(Product.name), col(Product.unit))
    if condition is not None:
        where.append(condition)
    statement = sa.select(Product).where(*where).order_by(sa.func.lower(col(Product.name)), col(Product.id))
    count = sa.select(sa.func.count()).select_from(Product).where(*where)
    return paged(session, statement, count, page, per_page)


def all_for_choice(session: Session, user_id: int, limit: int = 500) -> list[Product]:
    """The user's products for the invoice form's list."""
    return list(
        session.scalars(
            sa.select(Product)
            .where(col(Product.user_id) == user_id)
            .order_by(sa.func.lower(col(Product.name)), col(Product.id))
            .limit(limit)
        ).all()
    )


# -- the steps of /produkty: each the work of one private event (state/events.act) --------------

STEPS: OwnedRows[Product, ProductForm] = OwnedRows(get, create, update, delete, search)
