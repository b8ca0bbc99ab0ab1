"""/klienci and /produkty: a form to add or edit, and a searchable, paged list with an empty state.

Each kind is described once, by its fields: the form shows them and the list has a column for each.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from fakturowo_ui.components.forms import data_table, fields_of, keyed_form, row_button, searchable_list
from fakturowo_ui.components.layout import action_button, page, region, state_message, when_loaded
from fakturowo_ui.i18n import t
from fakturowo_ui.state.catalog import UNIT_EXAMPLES, VAT_OPTIONS, WORDING, ClientsState, ProductsState

# A field of a kind: its label, its name (the form's and the row's key) and the field's settings.
Field = tuple[str, str, dict[str, Any]]


def _client_fields() -> list[Field]:
    return [
        (t("field.name"), "name", {"max_length": 200}),
        (
            t("field.nip"),
            "nip",
            {"max_length": 20, "hint": t("hint.nip_optional")},
        ),
        (t("field.address"), "address", {"multiline": True, "max_length": 500}),
        (t("field.client_email"), "email", {"input_type": "email", "max_length": 254}),
    ]


def _product_fields() -> list[Field]:
    return [
        (t("field.name"), "name", {"max_length": 200}),
        (t("field.unit"), "unit", {"max_length": 16, "hint": t("hint.unit", examples=UNIT_EXAMPLES)}),
        (
            t("field.net_price"),
            "net_price",
            {"max_length": 30, "input_mode": "decimal", "hint": t("hint.net_price")},
        ),
        (t("field.vat_rate"), "vat_rate", {"options": VAT_OPTIONS}),
    ]


def _form(state, kind: str, form_id: str, fields: list[Field]) -> rx.Component:
    editing = state.editing_id != 0
    one = fields_of(state.form, form_id)
    wording = WORDING[kind]
    return region(
        rx.cond(editing, t(wording.heading_edit), t(wording.heading_add)),
        f"{kind}-form",
        keyed_form(
            state,
            rx.el.input(type="hidden", name="submission", value=state.submission_key),
            *[one(label, name, **settings) for label, name, settings in fields],
            rx.el.div(
                rx.el.button(
                    rx.cond(editing, t("common.save"), t(wording.add)), type="submit", class_name="button"
                ),
                rx.cond(editing, action_button(t("list.cancel"), state.cancel_edit, secondary=True)),
                class_name="actions",
            ),
            on_submit=state.save,
        ),
    )


def _list(state, kind: str, fields: list[Field]) -> rx.Component:
    def row(record) -> rx.Component:
        record_id = record["id"].to(int)
        return rx.el.tr(
            # A decimal field is an amount: right-aligned.
            *[
                rx.el.td(record[name], class_name="num")
                if "input_mode" in settings
                else rx.el.td(record[name])
                for _, name, settings in fields
            ],
            rx.el.td(
                row_button(t("list.edit"), record["name"], state.start_edit(record_id)),
                row_button(t("list.delete"), record["name"], state.ask_delete(record_id), danger=True),
                class_name="row-actions",
            ),
        )

    table = data_table([label for label, _, _ in fields] + [t("list.actions")], state.rows, row)
    return region(
        t(WORDING[kind].heading_list),
        f"{kind}-list",
        searchable_list(state, f"{kind}-search", table, t(WORDING[kind].empty)),
    )


def _catalog(state, kind: str, form_id: str, fields: list[Field]) -> rx.Component:
    """The message, the form and the list of one kind of the user's rows."""
    return when_loaded(
        state.loaded,
        state_message(state),
        _form(state, kind, form_id, fields),
        _list(state, kind, fields),
    )


def clients_page() -> rx.Component:
    return page(
        _catalog(ClientsState, "clients", "klient-", _client_fields()), title=t("clients.title"), private=True
    )


def products_page() -> rx.Component:
    return page(
        _catalog(ProductsState, "products", "produkt-", _product_fields()),
        title=t("products.title"),
        private=True,
    )
