"""What the user-data services share: cleaning typed text, one page of a searchable list, and the
steps of a list page of the user's own rows (/klienci, /produkty) inside a private event's
transaction."""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped

from fakturowo_ui.services.errors import DomainError

if TYPE_CHECKING:
    from sqlmodel import Session

    from fakturowo_ui.services.sessions import CurrentUser

PER_PAGE = 20
MAX_SEARCH = 100
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

T = TypeVar("T")
F = TypeVar("F")


def clean_text(
    raw: object, field: str, max_length: int, *, required: bool = False, multiline: bool = False
) -> str:
    """Trimmed text without control characters; refused when required and empty, or too long."""
    text = raw if isinstance(raw, str) else ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        text = text.replace("\n", " ")
    text = _CONTROL.sub("", text).strip()
    if multiline:
        text = "\n".join(line.strip() for line in text.split("\n") if line.strip())
    if required and not text:
        raise DomainError("text.required", field=field)
    if len(text) > max_length:
        raise DomainError("text.too_long", field=field, maximum=max_length)
    return text


def owned_row(session: Session, model: type[T], user_id: int, row_id: object, not_found_key: str) -> T:
    """The row `row_id` of `model` if it belongs to `user_id`; anything else (another user's row,
    an unknown ID, a value that is not an integer) is refused with `not_found_key`."""
    if not isinstance(row_id, int) or isinstance(row_id, bool):
        raise DomainError(not_found_key)
    row = session.scalars(
        sa.select(model).where(model.id == row_id, model.user_id == user_id)  # type: ignore[attr-defined]
    ).first()
    if row is None:
        raise DomainError(not_found_key)
    return row


@dataclasses.dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its rows, which page it is and how many rows match in all."""

    rows: Sequence[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def search_condition(query: str, *columns: sa.ColumnElement | Mapped[str]) -> sa.ColumnElement | None:
    """Rows whose columns contain the query, any letter case (% and _ taken literally)."""
    query = (query or "").strip()[:MAX_SEARCH].lower()
    if not query:
        return None
    return sa.or_(*(sa.func.lower(column).contains(query, autoescape=True) for column in columns))


def paged(
    session: Session, statement: sa.Select, count_statement: sa.Select, page: int, per_page: int = PER_PAGE
) -> Page:
    """Run a list query for one page (1-based; out-of-range pages are brought into range)."""
    total = session.scalar(count_statement) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, int(page or 1)), pages)
    rows = session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(rows=rows, page=page, per_page=per_page, total=total)


@dataclasses.dataclass(frozen=True)
class OwnedRows(Generic[T, F]):
    """The steps of a list page of the user's own rows (a model with `name`), each the work of one
    private event (state/events.act runs it as `work(session, user, ...)` in the event's one
    transaction, after the session check): what clients and products share.

    Every step is scoped by the logged-in user's ID; a row ID sent from the page that is not the
    user's own is refused by `get`.
    """

    get: Callable[[Session, int, object], T]
    create: Callable[[Session, int, F], T]
    update: Callable[[Session, int, object, F], T]
    delete: Callable[[Session, int, object], None]
    search: Callable[[Session, int, str, int], Page[T]]

    def page_for(self, session: Session, user: CurrentUser, query: str = "", page: int = 1) -> Page[T]:
        """One page of the user's rows matching the query."""
        return self.search(session, user.user_id, query, page)

    def get_for(self, session: Session, user: CurrentUser, row_id: object) -> T:
        """One of the user's own rows; any other ID is refused."""
        return self.get(session, user.user_id, row_id)

    def save_for(
        self, session: Session, user: CurrentUser, row_id: int, form: F, query: str = "", page: int = 1
    ) -> tuple[T, Page[T]]:
        """Add a row (row_id 0) or change the user's own one, then the list's page to show (run it
        with write=True: it reads, then writes)."""
        user_id = user.user_id
        row = self.update(session, user_id, row_id, form) if row_id else self.create(session, user_id, form)
        return row, self.search(session, user_id, query, page)

    def delete_for(
        self, session: Session, user: CurrentUser, row_id: object, query: str = "", page: int = 1
    ) -> tuple[str, Page[T]]:
        """Delete the user's own row; its name and the list's page to show (run it with write=True)."""
        user_id = user.user_id
        name = self.get(session, user_id, row_id).name  # type: ignore[attr-defined]
        self.delete(session, user_id, row_id)
        return name, self.search(session, user_id, query, page)
