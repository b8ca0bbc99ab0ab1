"""/wystaw: a new invoice: the buyer, the dates and its lines."""

from __future__ import annotations

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.components.forms import select_input, text_input
from fakturowo_ui.components.layout import loading, message, page, region
from fakturowo_ui.i18n import t
from fakturowo_ui.state.catalog import VAT_OPTIONS
from fakturowo_ui.state.issue import IssueState


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
