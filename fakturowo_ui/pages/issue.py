"""/wystaw: a new invoice: the buyer, the dates and its lines."""

from __future__ import annotations

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.components.forms import field, keyed_form
from fakturowo_ui.components.layout import (
    action_button,
    note,
    page,
    region,
    state_message,
    submit_button,
    when_loaded,
)
from fakturowo_ui.i18n import N_, t
from fakturowo_ui.state.catalog import VAT_OPTIONS
from fakturowo_ui.state.issue import MAX_PLACE, PAYMENT_LABELS, IssueState


def _line(line, index) -> rx.Component:
    s = IssueState
    key = line["key"]
    number = (index + 1).to_string()

    def line_field(label: str, name: str, **props) -> rx.Component:
        # Named <field>-<key>, as the state reads the lines; what is typed is kept on every change.
        return field(
            label,
            f"{name}-" + key,
            form_id="poz-",
            default=line[name],
            on_change=lambda value: s.set_line_field(key, name, value),
            **props,
        )

    return rx.el.fieldset(
        rx.el.legend(t("issue.line", n=number)),
        line_field(t("field.name"), "name", max_length=200),
        rx.el.div(
            line_field(t("field.quantity"), "quantity", max_length=30, input_mode="decimal"),
            line_field(t("field.unit"), "unit", max_length=16),
            line_field(t("field.net_price"), "net_price", max_length=30, input_mode="decimal"),
            line_field(t("field.vat_rate"), "vat_rate", options=VAT_OPTIONS),
            class_name="line-fields",
        ),
        rx.el.button(
            t("issue.remove_line", n=number),
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
        when_loaded(
            s.loaded,
            rx.el.p(s.left_text, id="wystaw-limit"),
            rx.cond(
                ~s.seller_ready, note(t("issue.no_seller"), t("issue.go_settings"), routes.SELLER_SETTINGS)
            ),
            rx.cond(
                s.client_options.length() == 0,
                note(t("issue.no_clients"), t("issue.go_clients"), routes.CLIENTS),
            ),
            keyed_form(
                s,
                rx.el.input(type="hidden", name="submission", value=s.submission_key),
                region(
                    t("issue.heading.buyer"),
                    "wystaw-nabywca",
                    field(
                        t("field.client"),
                        "client_id",
                        form_id="wystaw-",
                        default="",
                        options=s.client_options,
                        placeholder=t("issue.choose_client"),
                        # A buyer chosen: "Wybierz nabywcę" no longer stands (issue 13).
                        on_change=s.buyer_chosen,
                    ),
                    rx.el.div(
                        *[
                            field(
                                t(label),
                                name,
                                form_id="wystaw-",
                                default=s.today,
                                input_type="date",
                                max_length=10,
                            )
                            for label, name in (
                                (N_("field.issue_date"), "issue_date"),
                                (N_("field.sale_date"), "sale_date"),
                            )
                        ],
                        field(
                            t("field.place_of_issue"),
                            "place_of_issue",
                            form_id="wystaw-",
                            default=s.place_default,
                            autocomplete="address-level2",
                            max_length=MAX_PLACE,
                        ),
                        class_name="line-fields",
                    ),
                ),
                region(
                    t("issue.heading.items"),
                    "wystaw-pozycje",
                    rx.foreach(s.lines, _line),
                    rx.el.div(
                        # Only the product list starts again from "—" after a product is added.
                        rx.el.div(
                            field(
                                t("issue.choose_product"),
                                "product",
                                form_id="wystaw-",
                                default="",
                                options=s.product_options,
                                placeholder="—",
                                on_change=s.add_product,
                            ),
                            key=s.product_key.to_string(),
                        ),
                        action_button(t("issue.add_line"), s.add_line, secondary=True),
                        class_name="line-fields",
                    ),
                ),
                region(
                    t("issue.heading.payment"),
                    "wystaw-platnosc",
                    rx.el.div(
                        field(
                            t("field.payment_method"),
                            "payment_method",
                            form_id="wystaw-",
                            default=s.method_default,
                            options=[(code, t(label)) for code, label in PAYMENT_LABELS.items()],
                        ),
                        field(
                            t("field.due_date"),
                            "due_date",
                            form_id="wystaw-",
                            default=s.due_default,
                            input_type="date",
                            max_length=10,
                        ),
                        class_name="line-fields",
                    ),
                ),
                submit_button(t("issue.submit"), s.busy),
                state_message(s),
                on_submit=s.submit,
                class_name="form wide-form",
            ),
        ),
        title=t("issue.title"),
        private=True,
    )
