"""What every searchable, paged list state shares: its rows, the search box, paging, and deleting a
row after a question.

A state mixes this in and provides the service steps of its rows, each the work of one private
event (the services scope every query by the logged-in user's ID):
- `_list_work()`: `work(session, user, query, page)` reads one page;
- `_get_work()`: `work(session, user, row_id)` reads one of the user's own rows;
- `_delete_work()`: `work(session, user, row_id, query, page)` deletes one, returning what the
  page calls it and the page to show;
and how they look: `_fill_page(result)` fills rows, page, pages and total; `_row_name(row)` is
what the delete question calls a row; `_deleted_text(name)` says it is gone. Each event runs its
step through state/events.act: the session check and the step in one transaction, off the
event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import reflex as rx

from fakturowo_ui.i18n import t
from fakturowo_ui.state.common import text_field, whole_number
from fakturowo_ui.state.events import act
from fakturowo_ui.state.messages import PageMessage


class PagedList(PageMessage, mixin=True):
    """Rows of one page, the query that found them, and the row waiting for a delete answer."""

    loaded: bool = False
    rows: list[dict[str, str]] = []
    query: str = ""
    shown_query: str = ""
    page: int = 1
    pages: int = 1
    total: int = 0
    deleting_id: int = 0
    deleting_name: str = ""
    page_text: str = ""  # where in the list we are
    nothing_found_text: str = ""  # the empty result of a search
    delete_question: str = ""  # the question before deleting a row

    if TYPE_CHECKING:
        # Provided by UserBoundState, which every state mixing this in also is.
        def _update(self, **values: object) -> None: ...

    def _list_work(self) -> Callable[..., object]:  # pragma: no cover - provided by each list
        """The service step reading one page: work(session, user, query, page)."""
        raise NotImplementedError

    def _get_work(self) -> Callable[..., Any]:  # pragma: no cover - provided by each list
        """The service step reading one of the user's own rows: work(session, user, row_id)."""
        raise NotImplementedError

    def _delete_work(self) -> Callable[..., Any]:  # pragma: no cover - provided by each list
        """The service step deleting one: work(session, user, row_id, query, page) -> (name, page)."""
        raise NotImplementedError

    def _fill_page(self, result) -> None:  # pragma: no cover - provided by each list
        raise NotImplementedError

    def _show_page(self, result) -> None:
        """Show one page the service read: its rows, page, pages and total (`_fill_page`), and
        the list's sentences made again from them."""
        self._fill_page(result)
        self._words()

    def _row_name(self, row) -> str:  # pragma: no cover - provided by each list
        raise NotImplementedError

    def _deleted_text(self, name: str) -> str:  # pragma: no cover - provided by each list
        raise NotImplementedError

    def _after_delete(self, row_id: int) -> None:
        """What else a list forgets of a row it deleted (nothing, unless it says so)."""

    async def _show_list(self, query: str, page: int, *, what: str) -> rx.event.EventSpec | None:
        """Show `page` of the rows matching `query`; the redirect when the session has ended."""
        done = await act(self, self._list_work(), query, page, what=what)
        if not done.ok:
            return self._refused(done)
        self._update(query=query)
        self._show_page(done.value)
        return None

    async def _open_row(self, row_id: object):
        """One of the user's own rows, through act (an ID that is not theirs is refused)."""
        return await act(
            self, self._get_work(), whole_number(row_id), what=f"opening a row of {type(self).__name__}"
        )

    def _words(self) -> None:
        """The list's sentences in the page language, made whenever their parts change (plain
        vars, not uncached computed ones, which Reflex would recompute and load at every event of
        the tab)."""
        self._update(
            page_text=t("list.page", page=self.page, pages=self.pages, total=self.total),
            nothing_found_text=t("list.nothing_found", query=self.shown_query),
            delete_question=t("list.confirm_delete", name=self.deleting_name),
        )

    @rx.event
    async def search(self, form_data: dict):
        """Show the first page of rows matching the query."""
        query = text_field(form_data, "q", 100).strip()
        return await self._show_list(query, 1, what=f"searching {type(self).__name__}")

    @rx.event
    async def go_to_page(self, page: int):
        """Show another page of the list."""
        return await self._show_list(self.query, whole_number(page, 1), what=f"paging {type(self).__name__}")

    @rx.event
    async def ask_delete(self, record_id: int):
        """Ask before deleting one of the user's own rows."""
        done = await self._open_row(record_id)
        if not done.ok:
            return self._refused(done)
        self._update(deleting_id=done.value.id, deleting_name=self._row_name(done.value))
        self._words()
        return None

    @rx.event
    async def delete(self, record_id: int):
        """Delete one of the user's own rows (refused, changing nothing, for any other ID)."""
        row_id = whole_number(record_id)
        done = await act(
            self,
            self._delete_work(),
            row_id,
            self.query,
            self.page,
            write=True,
            what=f"deleting a row of {type(self).__name__}",
        )
        if not done.ok:
            return self._refused(done)
        name, result = done.value
        self._update(deleting_id=0, deleting_name="")
        self._after_delete(row_id)
        self._say(self._deleted_text(name))
        self._show_page(result)
        return None

    @rx.event
    def cancel_delete(self):
        """Keep the row after all."""
        self._update(deleting_id=0, deleting_name="")
        self._words()
