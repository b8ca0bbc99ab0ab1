"""What every searchable, paged list state shares: its rows, the search box, paging, the delete question.

A state mixes this in and provides `_list_work()`, the service step `work(session, user, query,
page)` that reads one page for the logged-in user (the services scope every query by that ID),
and `_show_page(result)`, which fills rows, page, pages and total from it. Each event runs its
step through state/events.act: the session check and the step in one transaction, off the
event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import reflex as rx

from fakturowo_ui.i18n import t
from fakturowo_ui.state.common import text_field, whole_number
from fakturowo_ui.state.events import act


class PagedList(rx.State, mixin=True):
    """Rows of one page, the query that found them, and the row waiting for a delete answer."""

    loaded: bool = False
    rows: list[dict[str, str]] = []
    query: str = ""
    shown_query: str = ""
    page: int = 1
    pages: int = 1
    total: int = 0
    message: str = ""
    message_is_error: bool = False
    deleting_id: int = 0
    deleting_name: str = ""

    if TYPE_CHECKING:
        # Provided by UserBoundState, which every state mixing this in also is.
        def _update(self, **values: object) -> None: ...

    def _list_work(self) -> Callable[..., object]:  # pragma: no cover - provided by each list
        """The service step reading one page: work(session, user, query, page)."""
        raise NotImplementedError

    def _show_page(self, result) -> None:  # pragma: no cover - provided by each list
        raise NotImplementedError

    async def _show_list(self, query: str, page: int, *, what: str) -> rx.event.EventSpec | None:
        """Show `page` of the rows matching `query`; the redirect when the session has ended."""
        done = await act(self, self._list_work(), query, page, what=what)
        if done.redirect is not None:
            return done.redirect
        if not done.ok:
            self._update(message=done.error, message_is_error=True)
            return None
        self._update(query=query)
        self._show_page(done.value)
        return None

    @rx.var
    def page_text(self) -> str:
        """Where in the list we are."""
        return t("list.page", page=self.page, pages=self.pages, total=self.total)

    @rx.var
    def nothing_found_text(self) -> str:
        """The empty result of a search."""
        return t("list.nothing_found", query=self.shown_query)

    @rx.var
    def delete_question(self) -> str:
        """The question before deleting a row."""
        return t("list.confirm_delete", name=self.deleting_name)

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
    def cancel_delete(self):
        """Keep the row after all."""
        self.deleting_id, self.deleting_name = 0, ""
