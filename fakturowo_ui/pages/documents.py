"""/dokumenty (the list and one document) and /wystaw (a new invoice)."""

from __future__ import annotations

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.components.forms import delete_confirmation, pager, search_box, select_input, text_input
from fakturowo_ui.components.layout import loading, message, page, region
from fakturowo_ui.i18n import t
from fakturowo_ui.state.catalog import VAT_OPTIONS
from fakturowo_ui.state.documents import DocumentsState, IssueState


def _party(heading: str, name, address, nip) -> rx.Component:
    return rx.el.div(
        rx.el.h3(heading),
        rx.el.p(name, class_name="party-name"),
        rx.el.p(address, class_name="pre-line"),
        rx.cond(nip != "", rx.el.p("NIP: ", nip)),
        class_name="party",
    )


def _view() -> rx.Component:
    s = DocumentsState
    v = s.view
    return region(
        v["heading"],
        "dokument",
        rx.el.p(
            t("field.issue_date"), ": ", v["issue_date"], " · ", t("field.sale_date"), ": ", v["sale_date"]
        ),
        rx.el.div(
            _party(t("documents.seller"), v["seller_name"], v["seller_address"], v["seller_nip"]),
            _party(t("documents.buyer"), v["buyer_name"], v["buyer_address"], v["buyer_nip"]),
            class_name="parties",
        ),
        rx.el.div(
            rx.el.table(
                rx.el.thead(
                    rx.el.tr(
                        *[
                            rx.el.th(h, scope="col")
                            for h in (
                                t("documents.position"),
                                t("field.name"),
                                t("field.quantity"),
                                t("field.unit"),
                                t("field.net_price"),
                                t("documents.net_value"),
                                t("field.vat_rate"),
                            )
                        ]
                    )
                ),
                rx.el.tbody(
                    rx.foreach(
                        s.view_items,
                        lambda i: rx.el.tr(
                            rx.el.td(i["position"]),
                            rx.el.td(i["name"]),
                            rx.el.td(i["quantity"], class_name="num"),
                            rx.el.td(i["unit"]),
                            rx.el.td(i["net_price"], class_name="num"),
                            rx.el.td(i["net_value"], class_name="num"),
                            rx.el.td(i["vat_rate"]),
                        ),
                    )
                ),
                class_name="data-table",
            ),
            class_name="table-wrap",
        ),
        rx.el.h3(t("documents.totals")),
        rx.el.div(
            rx.el.table(
                rx.el.thead(
                    rx.el.tr(
                        *[
                            rx.el.th(h, scope="col")
                            for h in (
                                t("field.vat_rate"),
                                t("documents.net_value"),
                                t("documents.vat_amount"),
                                t("documents.gross_value"),
                            )
                        ]
                    )
                ),
                rx.el.tbody(
                    rx.foreach(
                        s.view_rates,
                        lambda r: rx.el.tr(
                            rx.el.td(r["rate"]),
                            rx.el.td(r["net"], class_name="num"),
                            rx.el.td(r["vat"], class_name="num"),
                            rx.el.td(r["gross"], class_name="num"),
                        ),
                    )
                ),
                class_name="data-table",
            ),
            class_name="table-wrap",
        ),
        rx.el.p(v["to_pay"], class_name="to-pay"),
        rx.cond(v["seller_bank_account"] != "", rx.el.p("Numer konta: ", v["seller_bank_account"])),
        rx.el.div(
            # A plain link would be taken over by the page router; rx.download fetches the file.
            rx.el.button(
                t("documents.pdf"),
                type="button",
                on_click=rx.download(url=v["pdf"], filename=v["pdf_name"]),
                class_name="button",
            ),
            rx.el.a(t("documents.back"), href=routes.DOCUMENTS, class_name="button button-secondary"),
            class_name="actions",
        ),
    )


def _list() -> rx.Component:
    s = DocumentsState
    headers = (t("documents.number"), t("documents.buyer"), t("documents.issue_date"), t("documents.gross"))
    table = rx.el.table(
        rx.el.thead(
            rx.el.tr(*[rx.el.th(h, scope="col") for h in headers], rx.el.th(t("list.actions"), scope="col"))
        ),
        rx.el.tbody(
            rx.foreach(
                s.rows,
                lambda row: rx.el.tr(
                    rx.el.td(rx.el.a(row["number"], href=row["href"])),
                    rx.el.td(row["buyer"]),
                    rx.el.td(row["issue_date"]),
                    rx.el.td(row["gross"], class_name="num"),
                    rx.el.td(
                        rx.el.button(
                            t("documents.pdf"),
                            type="button",
                            on_click=rx.download(url=row["pdf"]),
                            aria_label=t("documents.pdf") + " " + row["number"],
                            class_name="link-button",
                        ),
                        rx.el.button(
                            t("list.delete"),
                            type="button",
                            on_click=s.ask_delete(row["id"].to(int)),
                            aria_label=t("list.delete") + " " + row["number"],
                            class_name="link-button danger",
                        ),
                        class_name="row-actions",
                    ),
                ),
            )
        ),
        class_name="data-table",
    )
    return region(
        t("documents.heading.list"),
        "lista-dokumentow",
        rx.el.p(rx.el.a(t("documents.new"), href=routes.ISSUE_INVOICE, class_name="button")),
        search_box(s, "dokumenty-szukaj"),
        delete_confirmation(s),
        rx.cond(
            s.total > 0,
            rx.fragment(rx.el.div(table, class_name="table-wrap"), pager(s)),
            rx.cond(
                s.shown_query != "",
                rx.el.p(s.nothing_found_text, role="status", class_name="empty-state"),
                rx.el.p(t("documents.empty"), class_name="empty-state"),
            ),
        ),
    )


def documents_page() -> rx.Component:
    s = DocumentsState
    return page(
        rx.cond(
            s.loaded,
            rx.fragment(
                message(s.message, alert=s.message_is_error),
                rx.el.p(s.left_text, id="dokumenty-limit"),
                rx.cond(s.view_id != 0, _view(), _list()),
            ),
            loading(),
        ),
        title=t("documents.title"),
        private=True,
    )


def _line(line, index) -> rx.Component:
    s = IssueState
    key = line["key"]
    number = (index + 1).to_string()

    def on(name: str):
        return lambda value: s.set_line_field(key, name, value)

    return rx.el.fieldset(
        rx.el.legend("Pozycja ", number),
        text_input(
            t("field.name"),
            "name-" + key,
            line["name"],
            form_id="",
            input_id="poz-name-" + key,
            max_length=200,
            on_change=on("name"),
        ),
        rx.el.div(
            text_input(
                t("field.quantity"),
                "quantity-" + key,
                line["quantity"],
                form_id="",
                input_id="poz-quantity-" + key,
                max_length=30,
                input_mode="decimal",
                on_change=on("quantity"),
            ),
            text_input(
                t("field.unit"),
                "unit-" + key,
                line["unit"],
                form_id="",
                input_id="poz-unit-" + key,
                max_length=16,
                on_change=on("unit"),
            ),
            text_input(
                t("field.net_price"),
                "net_price-" + key,
                line["net_price"],
                form_id="",
                input_id="poz-net_price-" + key,
                max_length=30,
                input_mode="decimal",
                on_change=on("net_price"),
            ),
            select_input(
                t("field.vat_rate"),
                "vat_rate-" + key,
                VAT_OPTIONS,
                line["vat_rate"],
                form_id="",
                input_id="poz-vat_rate-" + key,
                on_change=on("vat_rate"),
            ),
            class_name="line-fields",
        ),
        rx.el.button(
            "Usuń pozycję ",
            number,
            type="button",
            on_click=s.remove_line(key),
            class_name="link-button danger",
        ),
        key=key,
        class_name="line",
    )


def issue_page() -> rx.Component:
    s = IssueState
    return page(
        rx.cond(
            s.loaded,
            rx.fragment(
                rx.el.p(s.left_text, id="wystaw-limit"),
                rx.cond(
                    ~s.seller_ready,
                    rx.el.p(
                        t("issue.no_seller"),
                        " ",
                        rx.el.a(t("issue.go_settings"), href=routes.SELLER_SETTINGS),
                        class_name="note",
                    ),
                ),
                rx.cond(
                    s.client_options.length() == 0,
                    rx.el.p(
                        t("issue.no_clients"),
                        " ",
                        rx.el.a(t("issue.go_clients"), href=routes.CLIENTS),
                        class_name="note",
                    ),
                ),
                rx.el.form(
                    region(
                        t("issue.heading.buyer"),
                        "wystaw-nabywca",
                        select_input(
                            t("field.client"),
                            "client_id",
                            s.client_options,
                            "",
                            form_id="wystaw",
                            placeholder=t("issue.choose_client"),
                        ),
                        rx.el.div(
                            text_input(
                                t("field.issue_date"),
                                "issue_date",
                                s.today,
                                form_id="wystaw",
                                input_type="date",
                                max_length=10,
                            ),
                            text_input(
                                t("field.sale_date"),
                                "sale_date",
                                s.today,
                                form_id="wystaw",
                                input_type="date",
                                max_length=10,
                            ),
                            class_name="line-fields",
                        ),
                    ),
                    region(
                        t("issue.heading.items"),
                        "wystaw-pozycje",
                        rx.foreach(s.lines, _line),
                        rx.el.div(
                            rx.el.div(
                                select_input(
                                    t("issue.choose_product"),
                                    "product",
                                    s.product_options,
                                    "",
                                    form_id="wystaw",
                                    placeholder="—",
                                    on_change=s.add_product,
                                ),
                                key=s.product_key.to_string(),
                            ),
                            rx.el.button(
                                t("issue.add_line"),
                                type="button",
                                on_click=s.add_line,
                                class_name="button button-secondary",
                            ),
                            class_name="line-fields",
                        ),
                    ),
                    rx.el.button(
                        rx.cond(s.busy, t("common.working"), t("issue.submit")),
                        type="submit",
                        disabled=s.busy,
                        aria_label=t("issue.submit"),
                        class_name="button",
                    ),
                    message(s.message, alert=s.message_is_error),
                    key=s.form_key.to_string(),
                    on_submit=s.submit,
                    class_name="form wide-form",
                ),
            ),
            loading(),
        ),
        title=t("issue.title"),
        private=True,
    )
