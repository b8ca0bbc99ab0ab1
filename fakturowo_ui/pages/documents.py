"""/dokumenty: the list of the user's documents, and one document with ?pokaz=<id>."""

from __future__ import annotations

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.components.forms import data_table, row_button, searchable_list
from fakturowo_ui.components.layout import action_button, page, region, state_message, when_loaded
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
            t("field.issue_date"),
            ": ",
            v["issue_date"],
            " · ",
            t("field.sale_date"),
            ": ",
            v["sale_date"],
            rx.cond(
                v["place_of_issue"] != "",
                rx.fragment(" · ", t("field.place_of_issue"), ": ", v["place_of_issue"]),
            ),
        ),
        rx.el.div(
            _party(t("documents.seller"), v["seller_name"], v["seller_address"], v["seller_nip"]),
            _party(t("documents.buyer"), v["buyer_name"], v["buyer_address"], v["buyer_nip"]),
            class_name="parties",
        ),
        data_table(
            (
                t("documents.position"),
                t("field.name"),
                t("field.quantity"),
                t("field.unit"),
                t("field.net_price"),
                t("documents.net_value"),
                t("field.vat_rate"),
            ),
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
        ),
        rx.el.h3(t("documents.totals")),
        data_table(
            (
                t("field.vat_rate"),
                t("documents.net_value"),
                t("documents.vat_amount"),
                t("documents.gross_value"),
            ),
            s.view_rates,
            lambda r: rx.el.tr(
                rx.el.td(r["rate"]),
                rx.el.td(r["net"], class_name="num"),
                rx.el.td(r["vat"], class_name="num"),
                rx.el.td(r["gross"], class_name="num"),
            ),
        ),
        rx.el.p(v["to_pay"], class_name="to-pay"),
        rx.el.p(t("documents.in_words", words=v["in_words"])),
        rx.el.p(
            t("field.payment_method"),
            ": ",
            v["payment_method"],
            rx.cond(v["due_date"] != "", rx.fragment(" · ", t("field.due_date"), ": ", v["due_date"])),
        ),
        rx.cond(
            v["seller_bank_account"] != "",
            rx.el.p(t("documents.bank_account", account=v["seller_bank_account"])),
        ),
        rx.el.div(
            # A plain link would be taken over by the page router; rx.download fetches the file.
            action_button(t("documents.pdf"), rx.download(url=v["pdf"], filename=v["pdf_name"])),
            rx.el.a(
                t("documents.back"), href=routes.here(routes.DOCUMENTS), class_name="button button-secondary"
            ),
            class_name="actions",
        ),
    )


def _list() -> rx.Component:
    s = DocumentsState
    table = data_table(
        (
            t("documents.number"),
            t("documents.buyer"),
            t("documents.issue_date"),
            t("documents.gross"),
            t("list.actions"),
        ),
        s.rows,
        lambda row: rx.el.tr(
            rx.el.td(rx.el.a(row["number"], href=row["href"])),
            rx.el.td(row["buyer"]),
            rx.el.td(row["issue_date"]),
            rx.el.td(row["gross"], class_name="num"),
            rx.el.td(
                row_button(t("documents.pdf"), row["number"], rx.download(url=row["pdf"])),
                row_button(t("list.delete"), row["number"], s.ask_delete(row["id"].to(int)), danger=True),
                class_name="row-actions",
            ),
        ),
    )
    return region(
        t("documents.heading.list"),
        "lista-dokumentow",
        rx.el.p(rx.el.a(t("documents.new"), href=routes.here(routes.ISSUE_INVOICE), class_name="button")),
        searchable_list(s, "dokumenty-szukaj", table, t("documents.empty")),
    )


def documents_page() -> rx.Component:
    s = DocumentsState
    return page(
        when_loaded(
            s.loaded,
            state_message(s),
            rx.el.p(s.left_text, id="dokumenty-limit"),
            rx.cond(s.view_id != 0, _view(), _list()),
        ),
        title=t("documents.title"),
        private=True,
    )
