"""States of /klienci and /produkty: a searchable, paged list with a form to add, edit and delete.

Every event runs one step of the kind's service (clients.STEPS, products.STEPS: the owned-rows
steps of services/listing.py) through state/events.act, in one transaction with the session
check, off the event loop. The steps scope every query by the logged-in user's ID: an ID sent
from the page that is not the user's own is refused there.
"""

from __future__ import annotations

import dataclasses

import reflex as rx

from fakturowo_ui.i18n import N_, formats, t
from fakturowo_ui.services import clients, products
from fakturowo_ui.services.listing import OwnedRows
from fakturowo_ui.services.nip import format_nip
from fakturowo_ui.services.submissions import new_key
from fakturowo_ui.state.auth import UserBoundState
from fakturowo_ui.state.common import text_field
from fakturowo_ui.state.events import act
from fakturowo_ui.state.lists import PagedList

# What the product and invoice forms offer, from the service's rules (pages take them from here).
VAT_OPTIONS = [(rate, "zw" if rate == "zw" else f"{rate}%") for rate in products.VAT_RATES]
UNIT_EXAMPLES = ", ".join(products.UNITS[:5])


@dataclasses.dataclass(frozen=True)
class Wording:
    """The catalogue keys of one kind's headings, button and messages, each spelled out (so
    `make i18n` finds them); the state and the page look them up by the kind."""

    heading_add: str
    heading_edit: str
    heading_list: str
    add: str
    empty: str
    added: str
    updated: str
    deleted: str


WORDING = {
    "clients": Wording(
        heading_add=N_("clients.heading.add"),
        heading_edit=N_("clients.heading.edit"),
        heading_list=N_("clients.heading.list"),
        add=N_("clients.add"),
        empty=N_("clients.empty"),
        added=N_("clients.added"),
        updated=N_("clients.updated"),
        deleted=N_("clients.deleted"),
    ),
    "products": Wording(
        heading_add=N_("products.heading.add"),
        heading_edit=N_("products.heading.edit"),
        heading_list=N_("products.heading.list"),
        add=N_("products.add"),
        empty=N_("products.empty"),
        added=N_("products.added"),
        updated=N_("products.updated"),
        deleted=N_("products.deleted"),
    ),
}


class _CatalogState(PagedList, mixin=True):
    """What both lists share beyond paging and deleting: the add/edit form."""

    editing_id: int = 0
    form_key: rx.Field[int] = rx.field(0)
    # The add form's key (services/submissions.py): a double click or a replayed submit adds once.
    submission_key: str = ""
    form: dict[str, str] = {}

    _kind: str = ""

    # -- per kind: the service's steps, and how its rows and forms look on the page.
    def _steps(self) -> OwnedRows:  # pragma: no cover - overridden
        raise NotImplementedError

    def _row(self, record) -> dict[str, str]:  # pragma: no cover - overridden
        raise NotImplementedError

    def _empty_form(self) -> dict[str, str]:  # pragma: no cover - overridden
        raise NotImplementedError

    def _form_of(self, record) -> dict[str, str]:  # pragma: no cover - overridden
        raise NotImplementedError

    def _service_form(self, form_data: dict) -> object:  # pragma: no cover - overridden
        """The service's form (ClientForm, ProductForm) from what the page sent."""
        raise NotImplementedError

    def _list_work(self):
        return self._steps().page_for

    def _get_work(self):
        return self._steps().get_for

    def _delete_work(self):
        return self._steps().delete_for

    def _row_name(self, row) -> str:
        return row.name

    def _deleted_text(self, name: str) -> str:
        return t(WORDING[self._kind].deleted, name=name)

    def _after_delete(self, row_id: int) -> None:
        if self.editing_id == row_id:
            self._reset_form()

    def _fill_page(self, result) -> None:
        self._update(
            rows=[self._row(record) for record in result.rows],
            page=result.page,
            pages=result.pages,
            total=result.total,
            shown_query=self.query,
            loaded=True,
        )

    def _reset_form(self) -> None:
        self._update(editing_id=0, form=self._empty_form())
        self.form_key += 1
        self.submission_key = new_key()

    @rx.event
    async def on_load(self):
        """Load the first page for the logged-in user."""
        done = await act(self, self._steps().page_for, "", 1, what=f"loading {self._kind}")
        if done.redirect is not None:
            return done.redirect
        self._update(query="", page=1, message="", message_is_error=False, deleting_id=0, deleting_name="")
        self._reset_form()
        if done.ok:
            self._show_page(done.value)
        else:
            self._say(done.error, error=True)
        return None

    @rx.event
    async def start_edit(self, record_id: int):
        """Fill the form with one of the user's own rows."""
        done = await self._open_row(record_id)
        if not done.ok:
            return self._refused(done)
        record = done.value
        self._update(message="", message_is_error=False, form=self._form_of(record), editing_id=record.id)
        self.form_key += 1
        return None

    @rx.event
    def cancel_edit(self):
        """Back to an empty "add" form."""
        self._say("")
        self._reset_form()

    @rx.event
    async def save(self, form_data: dict):
        """Add a row, or save the one being edited (the row and the list's page: one transaction)."""
        done = await act(
            self,
            self._steps().save_for,
            self.editing_id,
            self._service_form(form_data),
            self.query,
            self.page,
            text_field(form_data, "submission", 64),
            write=True,
            what=f"saving a row of {self._kind}",
        )
        if not done.ok:
            if done.domain_error is not None:
                # Keep what was typed, so the user corrects it instead of typing it all again.
                self._update(form={key: text_field(form_data, key, 600) for key in self._empty_form()})
            return self._refused(done)
        record, result = done.value
        wording = WORDING[self._kind]
        self._say(t(wording.updated if self.editing_id else wording.added, name=record.name))
        self._reset_form()
        self._show_page(result)
        return None


class ClientsState(_CatalogState, UserBoundState):
    """/klienci."""

    _kind: str = "clients"

    def _steps(self):
        return clients.STEPS

    def _row(self, c):
        return {
            "id": str(c.id),
            "name": c.name,
            "nip": format_nip(c.nip),
            "address": c.address,
            "email": c.email,
        }

    def _empty_form(self):
        return {"name": "", "nip": "", "address": "", "email": ""}

    def _form_of(self, c):
        return {"name": c.name, "nip": c.nip, "address": c.address, "email": c.email}

    def _service_form(self, form_data):
        return clients.ClientForm(
            name=text_field(form_data, "name", 300),
            nip=text_field(form_data, "nip", 40),
            address=text_field(form_data, "address", 600),
            email=text_field(form_data, "email", 300),
        )


class ProductsState(_CatalogState, UserBoundState):
    """/produkty."""

    _kind: str = "products"

    def _steps(self):
        return products.STEPS

    def _row(self, p):
        return {
            "id": str(p.id),
            "name": p.name,
            "unit": p.unit,
            "net_price": formats.amount(p.net_price),
            "vat_rate": "zw" if p.vat_rate == "zw" else f"{p.vat_rate}%",
        }

    def _empty_form(self):
        return {"name": "", "unit": "szt.", "net_price": "", "vat_rate": "23"}

    def _form_of(self, p):
        return {
            "name": p.name,
            "unit": p.unit,
            "net_price": formats.plain_amount(p.net_price),
            "vat_rate": p.vat_rate,
        }

    def _service_form(self, form_data):
        return products.ProductForm(
            name=text_field(form_data, "name", 300),
            unit=text_field(form_data, "unit", 40),
            net_price=text_field(form_data, "net_price", 60),
            vat_rate=text_field(form_data, "vat_rate", 10),
        )
