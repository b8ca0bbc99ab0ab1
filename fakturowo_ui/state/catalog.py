"""States of /klienci and /produkty: a searchable, paged list with a form to add, edit and delete.

Every handler looks up the logged-in user first and passes the user's ID to the services, which
scope every query by it: an ID sent from the page that is not the user's own is refused there.
Each event's database work is one service step, one transaction, in the database pool.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

import reflex as rx

from fakturowo_ui.i18n import t
from fakturowo_ui.services import blocking, clients, money, products
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.services.nip import format_nip
from fakturowo_ui.state.auth import (
    UserBoundState,
    login_redirect,
    require_user,
)
from fakturowo_ui.state.common import text_field, whole_number
from fakturowo_ui.state.lists import PagedList

log = logging.getLogger("fakturowo.state")


class _CatalogState(PagedList, mixin=True):
    """What both lists share beyond paging: the add/edit form and deleting."""

    editing_id: int = 0
    form_key: int = 0
    form: dict[str, str] = {}

    # -- per kind. The steps return the service call (one transaction) that blocking.db runs in
    # the database pool; whatever they need of the state is read here, on the event loop.
    def _page(self, user_id: int) -> Callable[[], object]:  # pragma: no cover - overridden
        """The list's page for self.query and self.page (service list_page)."""
        raise NotImplementedError

    def _row(self, record) -> dict[str, str]:  # pragma: no cover - overridden
        raise NotImplementedError

    def _get(self, user_id: int, record_id: int) -> Callable[[], object]:  # pragma: no cover - overridden
        """One of the user's own rows (service get_own)."""
        raise NotImplementedError

    def _empty_form(self) -> dict[str, str]:  # pragma: no cover - overridden
        raise NotImplementedError

    def _form_of(self, record) -> dict[str, str]:  # pragma: no cover - overridden
        raise NotImplementedError

    def _save(self, user_id: int, form_data: dict) -> Callable[[], tuple]:  # pragma: no cover - overridden
        """(saved row, the list's page) by the service's save_and_list."""
        raise NotImplementedError

    def _delete(self, user_id: int, record_id: int) -> Callable[[], tuple]:  # pragma: no cover - overridden
        """(deleted row's name, the list's page) by the service's delete_and_list."""
        raise NotImplementedError

    _kind: str = ""

    def _show_page(self, result) -> None:
        self.rows = [self._row(record) for record in result.rows]
        self.page, self.pages, self.total = result.page, result.pages, result.total
        self.shown_query = self.query
        self.loaded = True

    async def _reload(self, user_id: int) -> None:
        self._show_page(await blocking.db(self._page(user_id)))

    def _reset_form(self) -> None:
        self.editing_id = 0
        self.form = self._empty_form()
        self.form_key += 1

    @rx.event
    async def on_load(self):
        """Load the first page for the logged-in user."""
        user = await require_user(self)
        if user is None:
            return login_redirect(self)
        self.query, self.page = "", 1
        self.message, self.message_is_error = "", False
        self.deleting_id, self.deleting_name = 0, ""
        self._reset_form()
        await self._reload(user.user_id)
        return None

    @rx.event
    async def start_edit(self, record_id: int):
        """Fill the form with one of the user's own rows."""
        user = await require_user(self)
        if user is None:
            return login_redirect(self)
        self.message, self.message_is_error = "", False
        try:
            record = await blocking.db(self._get(user.user_id, whole_number(record_id)))
        except DomainError as error:
            self.message, self.message_is_error = error.message(), True
            return None
        self.form = self._form_of(record)
        self.editing_id = record.id
        self.form_key += 1
        return None

    @rx.event
    def cancel_edit(self):
        """Back to an empty "add" form."""
        self.message, self.message_is_error = "", False
        self._reset_form()

    @rx.event
    async def save(self, form_data: dict):
        """Add a row, or save the one being edited."""
        user = await require_user(self)
        if user is None:
            return login_redirect(self)
        self.message, self.message_is_error = "", False
        try:
            record, result = await blocking.db(self._save(user.user_id, form_data))
            name = record.name
        except DomainError as error:
            # Keep what was typed, so the user corrects it instead of typing it all again.
            self.form = {key: text_field(form_data, key, 600) for key in self._empty_form()}
            self.message, self.message_is_error = error.message(), True
            return None
        except Exception:  # noqa: BLE001 - never a traceback on screen
            log.exception("saving a %s failed", self._kind)
            self.message, self.message_is_error = t("common.unexpected"), True
            return None
        self.message = t(f"{self._kind}.{'updated' if self.editing_id else 'added'}", name=name)
        self._reset_form()
        self._show_page(result)
        return None

    @rx.event
    async def ask_delete(self, record_id: int):
        """Ask before deleting one of the user's own rows."""
        user = await require_user(self)
        if user is None:
            return login_redirect(self)
        try:
            record = await blocking.db(self._get(user.user_id, whole_number(record_id)))
        except DomainError as error:
            self.message, self.message_is_error = error.message(), True
            return None
        self.deleting_id, self.deleting_name = record.id, record.name
        return None

    @rx.event
    async def delete(self, record_id: int):
        """Delete one of the user's own rows (refused, changing nothing, for any other ID)."""
        user = await require_user(self)
        if user is None:
            return login_redirect(self)
        try:
            name, result = await blocking.db(self._delete(user.user_id, whole_number(record_id)))
        except DomainError as error:
            self.message, self.message_is_error = error.message(), True
            return None
        self.deleting_id, self.deleting_name = 0, ""
        if self.editing_id == whole_number(record_id):
            self._reset_form()
        self.message, self.message_is_error = t(f"{self._kind}.deleted", name=name), False
        self._show_page(result)
        return None


class ClientsState(_CatalogState, UserBoundState):
    """/klienci."""

    _kind: str = "clients"

    def _page(self, user_id):
        return functools.partial(clients.list_page, user_id, self.query, self.page)

    def _row(self, c):
        return {"id": str(c.id), "name": c.name, "nip": format_nip(c.nip), "address": c.address,
                "email": c.email}

    def _get(self, user_id, record_id):
        return functools.partial(clients.get_own, user_id, record_id)

    def _empty_form(self):
        return {"name": "", "nip": "", "address": "", "email": ""}

    def _form_of(self, c):
        return {"name": c.name, "nip": c.nip, "address": c.address, "email": c.email}

    def _save(self, user_id, form_data):
        form = clients.ClientForm(
            name=text_field(form_data, "name", 300), nip=text_field(form_data, "nip", 40),
            address=text_field(form_data, "address", 600), email=text_field(form_data, "email", 300),
        )
        return functools.partial(clients.save_and_list, user_id, self.editing_id, form, self.query, self.page)

    def _delete(self, user_id, record_id):
        return functools.partial(clients.delete_and_list, user_id, record_id, self.query, self.page)


class ProductsState(_CatalogState, UserBoundState):
    """/produkty."""

    _kind: str = "products"

    def _page(self, user_id):
        return functools.partial(products.list_page, user_id, self.query, self.page)

    def _row(self, p):
        return {"id": str(p.id), "name": p.name, "unit": p.unit,
                "net_price": money.format_amount(p.net_price),
                "vat_rate": "zw" if p.vat_rate == "zw" else f"{p.vat_rate}%"}

    def _get(self, user_id, record_id):
        return functools.partial(products.get_own, user_id, record_id)

    def _empty_form(self):
        return {"name": "", "unit": "szt.", "net_price": "", "vat_rate": "23"}

    def _form_of(self, p):
        return {"name": p.name, "unit": p.unit, "net_price": money.plain_amount(p.net_price),
                "vat_rate": p.vat_rate}

    def _save(self, user_id, form_data):
        form = products.ProductForm(
            name=text_field(form_data, "name", 300), unit=text_field(form_data, "unit", 40),
            net_price=text_field(form_data, "net_price", 60), vat_rate=text_field(form_data, "vat_rate", 10),
        )
        return functools.partial(products.save_and_list, user_id, self.editing_id, form, self.query, self.page)

    def _delete(self, user_id, record_id):
        return functools.partial(products.delete_and_list, user_id, record_id, self.query, self.page)
