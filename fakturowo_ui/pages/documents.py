"""/dokumenty: the list of the user's documents, and one document with ?pokaz=<id>."""

from __future__ import annotations

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.components.forms import delete_confirmation, pager, search_box
from fakturowo_ui.components.layout import loading, message, page, region
from fakturowo_ui.i18n import t
from fakturowo_ui.state.documents import DocumentsState


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
