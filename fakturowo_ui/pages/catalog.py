"""/klienci and /produkty: a form to add or edit, and a searchable, paged list with an empty state."""

from __future__ import annotations

import reflex as rx

from fakturowo_ui.components.forms import delete_confirmation, pager, search_box, select_input, text_input
from fakturowo_ui.components.layout import loading, message, page, region
from fakturowo_ui.i18n import t
from fakturowo_ui.state.catalog import UNIT_EXAMPLES, VAT_OPTIONS, ClientsState, ProductsState


def _form(state, kind: str, fields: list[rx.Component]) -> rx.Component:
    return region(
        rx.cond(state.editing_id != 0, t(f"{kind}.heading.edit"), t(f"{kind}.heading.add")),
        f"{kind}-form",
        rx.el.form(
            *fields,
            rx.el.div(
                rx.el.button(
                    rx.cond(state.editing_id != 0, t("common.save"), t(f"{kind}.add")),
                    type="submit",
                    class_name="button",
                ),
                rx.cond(
                    state.editing_id != 0,
                    rx.el.button(
                        t("list.cancel"),
                        type="button",
                        on_click=state.cancel_edit,
                        class_name="button button-secondary",
                    ),
                ),
                class_name="actions",
            ),
            key=state.form_key.to_string(),
            on_submit=state.save,
            class_name="form",
        ),
    )


def _row_actions(state, row) -> rx.Component:
    return rx.el.td(
        rx.el.button(
            t("list.edit"),
            type="button",
            on_click=state.start_edit(row["id"].to(int)),
            aria_label=t("list.edit") + " " + row["name"],
            class_name="link-button",
        ),
        rx.el.button(
            t("list.delete"),
            type="button",
            on_click=state.ask_delete(row["id"].to(int)),
            aria_label=t("list.delete") + " " + row["name"],
            class_name="link-button danger",
        ),
        class_name="row-actions",
    )


def _list(state, kind: str, headers: list[str], cells) -> rx.Component:
    table = rx.el.table(
        rx.el.thead(
            rx.el.tr(*[rx.el.th(h, scope="col") for h in headers], rx.el.th(t("list.actions"), scope="col"))
        ),
        rx.el.tbody(rx.foreach(state.rows, lambda row: rx.el.tr(*cells(row), _row_actions(state, row)))),
        class_name="data-table",
    )
    return region(
        t(f"{kind}.heading.list"),
        f"{kind}-list",
        search_box(state, f"{kind}-search"),
        delete_confirmation(state),
        rx.cond(
            state.total > 0,
            rx.fragment(rx.el.div(table, class_name="table-wrap"), pager(state)),
            rx.cond(
                state.shown_query != "",
                rx.el.p(state.nothing_found_text, role="status", class_name="empty-state"),
                rx.el.p(t(f"{kind}.empty"), class_name="empty-state"),
            ),
        ),
    )


def clients_page() -> rx.Component:
    s = ClientsState
    fields = [
        text_input(t("field.name"), "name", s.form["name"], form_id="klient", max_length=200),
        text_input(
            t("field.nip"),
            "nip",
            s.form["nip"],
            form_id="klient",
            max_length=20,
            hint="10 cyfr, np. 526-025-02-74; można zostawić puste",
        ),
        text_input(
            t("field.address"), "address", s.form["address"], form_id="klient", multiline=True, max_length=500
        ),
        text_input(
            t("field.client_email"),
            "email",
            s.form["email"],
            form_id="klient",
            input_type="email",
            max_length=254,
        ),
    ]
    return page(
        rx.cond(
            s.loaded,
            rx.fragment(
                message(s.message, alert=s.message_is_error),
                _form(s, "clients", fields),
                _list(
                    s,
                    "clients",
                    [t("field.name"), t("field.nip"), t("field.address"), t("field.client_email")],
                    lambda row: [
                        rx.el.td(row["name"]),
                        rx.el.td(row["nip"]),
                        rx.el.td(row["address"]),
                        rx.el.td(row["email"]),
                    ],
                ),
            ),
            loading(),
        ),
        title=t("clients.title"),
        private=True,
    )


def products_page() -> rx.Component:
    s = ProductsState
    fields = [
        text_input(t("field.name"), "name", s.form["name"], form_id="produkt", max_length=200),
        text_input(
            t("field.unit"),
            "unit",
            s.form["unit"],
            form_id="produkt",
            max_length=16,
            hint="np. " + UNIT_EXAMPLES,
        ),
        text_input(
            t("field.net_price"),
            "net_price",
            s.form["net_price"],
            form_id="produkt",
            max_length=30,
            input_mode="decimal",
            hint="np. 1234,50",
        ),
        select_input(t("field.vat_rate"), "vat_rate", VAT_OPTIONS, s.form["vat_rate"], form_id="produkt"),
    ]
    return page(
        rx.cond(
            s.loaded,
            rx.fragment(
                message(s.message, alert=s.message_is_error),
                _form(s, "products", fields),
                _list(
                    s,
                    "products",
                    [t("field.name"), t("field.unit"), t("field.net_price"), t("field.vat_rate")],
                    lambda row: [
                        rx.el.td(row["name"]),
                        rx.el.td(row["unit"]),
                        rx.el.td(row["net_price"], class_name="num"),
                        rx.el.td(row["vat_rate"]),
                    ],
                ),
            ),
            loading(),
        ),
        title=t("products.title"),
        private=True,
    )
