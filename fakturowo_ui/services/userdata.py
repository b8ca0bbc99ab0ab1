"""What an account holds, counted: shown before deletion so the user knows what goes."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from sqlmodel import Session

from fakturowo_ui.models import Client, Document, Product


@dataclasses.dataclass(frozen=True)
class DataCounts:
    """How many documents, clients and products an account holds."""

    documents: int
    clients: int
    products: int


def counts(session: Session, user_id: int) -> DataCounts:
    """Count the user's documents, clients and products in one round trip."""
    def count(model) -> sa.ScalarSelect:
        return sa.select(sa.func.count()).select_from(model).where(model.user_id == user_id).scalar_subquery()

    documents, clients, products = session.execute(
        sa.select(count(Document), count(Client), count(Product))
    ).one()
    return DataCounts(documents=documents, clients=clients, products=products)
