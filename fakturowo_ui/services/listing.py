"""What the user-data services share: cleaning typed text, one page of a searchable list, and
OwnedRows, the user's own rows of one kind (clients, products) with the steps of their list page
(/klienci, /produkty), each inside a private event's transaction."""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import sqlalchemy as sa
from sqlmodel import SQLModel, col

from fakturowo_ui.i18n import Phrase
from fakturowo_ui.services import polish, submissions
from fakturowo_ui.services.errors import DomainError

if TYPE_CHECKING:
    from sqlmodel import Session

    from fakturowo_ui.services.sessions import CurrentUser

PER_PAGE = 20
MAX_SEARCH = 100
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

T = TypeVar("T")
R = TypeVar("R", bound=SQLModel)  # a table of the user's own rows
F = TypeVar("F")  # the form a kind's rows are made from


def clean_text(
    raw: object, field: str | Phrase, max_length: int, *, required: bool = False, multiline: bool = False
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


def search_condition(query: str, folded: Any) -> sa.ColumnElement | None:
    """Rows whose folded search text (services/polish.py) contains the folded query: any letter
    case, with or without Polish diacritics ("zuraw" finds "Żurawiem"; % and _ taken literally)."""
    query = polish.fold((query or "").strip()[:MAX_SEARCH])
    if not query:
        return None
    return col(folded).contains(query, autoescape=True)


def derived(values: dict[str, Any], searched: Sequence[str]) -> dict[str, str]:
    """The columns a row derives from its values: the folded search text of `searched`, and the
    name's Polish sort key when it has a name."""
    found = {"search_text": polish.fold(" ".join(str(values.get(name) or "") for name in searched))}
    if "name" in values:
        found["sort_key"] = polish.sort_key(str(values["name"]))
    return found


def paged(
    session: Session, statement: sa.Select, count_statement: sa.Select, page: int, per_page: int = PER_PAGE
) -> Page:
    """Run a list query for one page (1-based; out-of-range pages are brought into range)."""
    total = session.scalar(count_statement) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, int(page or 1)), pages)
    rows = session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(rows=rows, page=page, per_page=per_page, total=total)


def _values_of(row: SQLModel, names: Sequence[str]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in (*names, "name") if hasattr(row, name)}


@dataclasses.dataclass(frozen=True)
class OwnedRows(Generic[R, F]):
    """The user's own rows of one model (with `user_id` and `name`): what clients and products
    share. Each kind gives its model, its `clean` (the form's checked values, or a DomainError),
    the message key for an ID that is not the user's own, and the columns its search looks in.

    The plain functions (get, create, update, delete, search, by_name) work inside the caller's
    transaction. The steps (*_for) are the work of one private event each: state/events.act runs
    them as `work(session, user, ...)` in the event's one transaction, after the session check.
    Every query is scoped by the user's ID; a row ID sent from the page that is not the user's
    own is refused by `get`.
    """

    model: type[R]
    clean: Callable[[F], dict[str, Any]]
    not_found_key: str
    searched: tuple[str, ...]

    def get(self, session: Session, user_id: int, row_id: object) -> R:
        """The user's own row; any other ID (another user's, unknown, not a number) is refused."""
        return owned_row(session, self.model, user_id, row_id, self.not_found_key)

    def create(self, session: Session, user_id: int, form: F) -> R:
        """Add a row from the form's checked values."""
        values = self.clean(form)
        row = self.model(user_id=user_id, **values, **derived(values, self.searched))
        session.add(row)
        session.flush()
        return row

    def update(self, session: Session, user_id: int, row_id: object, form: F) -> R:
        """Change the user's own row (the form is checked first; issued invoices keep their own
        copies of a buyer's details and of the lines)."""
        values = self.clean(form)
        row = self.get(session, user_id, row_id)
        for key, value in {
            **values,
            **derived({**_values_of(row, self.searched), **values}, self.searched),
        }.items():
            setattr(row, key, value)
        session.add(row)
        session.flush()
        return row

    def delete(self, session: Session, user_id: int, row_id: object) -> None:
        """Delete the user's own row (invoices issued to a client keep its details)."""
        session.delete(self.get(session, user_id, row_id))
        session.flush()

    def search(
        self, session: Session, user_id: int, query: str = "", page: int = 1, per_page: int = PER_PAGE
    ) -> Page[R]:
        """One page of the user's rows in Polish order of their names, matching the query in the
        searched columns (case and diacritics aside)."""
        model = self.model
        where = [col(model.user_id) == user_id]  # type: ignore[attr-defined]
        condition = search_condition(query, model.search_text)  # type: ignore[attr-defined]
        if condition is not None:
            where.append(condition)
        statement = sa.select(model).where(*where).order_by(*self._order())
        count = sa.select(sa.func.count()).select_from(model).where(*where)
        return paged(session, statement, count, page, per_page)

    def by_name(self, session: Session, user_id: int, limit: int = 500) -> list[R]:
        """The user's rows by name (the invoice form's lists)."""
        statement = (
            sa.select(self.model)
            .where(col(self.model.user_id) == user_id)  # type: ignore[attr-defined]
            .order_by(*self._order())
            .limit(limit)
        )
        return list(session.scalars(statement).all())

    def _order(self) -> tuple[sa.ColumnElement, ...]:
        model = self.model
        return (col(model.sort_key), col(model.id))  # type: ignore[attr-defined]

    # -- the steps of the list page: each the work of one private event ------------------------

    def page_for(self, session: Session, user: CurrentUser, query: str = "", page: int = 1) -> Page[R]:
        """One page of the user's rows matching the query."""
        return self.search(session, user.user_id, query, page)

    def get_for(self, session: Session, user: CurrentUser, row_id: object) -> R:
        """One of the user's own rows; any other ID is refused."""
        return self.get(session, user.user_id, row_id)

    def save_for(
        self,
        session: Session,
        user: CurrentUser,
        row_id: int,
        form: F,
        query: str = "",
        page: int = 1,
        submission: str = "",
    ) -> tuple[R, Page[R]]:
        """Add a row (row_id 0) or change the user's own one, then the list's page to show (run it
        with write=True: it reads, then writes). A new row's form key (services/submissions.py)
        makes it once: the same form sent again answers with the row it made."""
        user_id = user.user_id
        if row_id:
            row = self.update(session, user_id, row_id, form)
        else:
            key, kind = submissions.clean_key(submission), str(self.model.__tablename__)
            made = submissions.previous(session, user_id, key, kind)
            if made is not None:
                return self.get(session, user_id, made), self.search(session, user_id, query, page)
            row = self.create(session, user_id, form)
            submissions.remember(session, user_id, key, kind, row.id)  # type: ignore[attr-defined]
        return row, self.search(session, user_id, query, page)

    def delete_for(
        self, session: Session, user: CurrentUser, row_id: object, query: str = "", page: int = 1
    ) -> tuple[str, Page[R]]:
        """Delete the user's own row; its name and the list's page to show (run it with write=True)."""
        user_id = user.user_id
        name = self.get(session, user_id, row_id).name  # type: ignore[attr-defined]
        self.delete(session, user_id, row_id)
        return name, self.search(session, user_id, query, page)
