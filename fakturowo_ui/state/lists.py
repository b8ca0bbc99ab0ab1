"""What every searchable, paged list state shares: its rows, the search box, paging, the delete question.

A state mixes this in and provides `async _reload(user_id)`, which fills rows, page, pages and total
for the logged-in user (the services scope every query by that ID), its database step run by
`blocking.db` in the database pool, never on the event loop.
"""

from __future__ import annotations

import reflex as rx

from fakturowo_ui.i18n import t
from fakturowo_ui.state.auth import login_redirect, require_user
from fakturowo_ui.state.common import text_field, whole_number


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

    async def _reload(self, user_id: int) -> None:  # pragma: no cover - provided by each list
        raise NotImplementedError

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
        user = await require_user(self)
        if user is None:
            return login_redirect(self)
        self.query = text_field(form_data, "q", 100).strip()
        self.page = 1
        await self._reload(user.user_id)
        return None

    @rx.event
    async def go_to_page(self, page: int):
        """Show another page of the list."""
        user = await require_user(self)
        if user is None:
            return login_redirect(self)
        self.page = whole_number(page, 1)
        await self._reload(user.user_id)
        return None

    @rx.event
    def cancel_delete(self):
        """Keep the row after all."""
        self.deleting_id, self.deleting_name = 0, ""
