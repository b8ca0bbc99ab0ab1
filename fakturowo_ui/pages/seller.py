"""/ustawienia: the seller's details printed on every invoice."""

from __future__ import annotations

import reflex as rx

from fakturowo_ui.components.forms import text_input
from fakturowo_ui.components.layout import loading, message, page, region
from fakturowo_ui.i18n import t
from fakturowo_ui.state.seller import SellerState


def settings_page() -> rx.Component:
    s = SellerState
    return page(
        rx.cond(
            s.loaded,
            region(
                t("settings.seller.heading"),
                "dane-sprzedawcy",
                rx.el.p(t("settings.seller.lead"), class_name="hint"),
                rx.el.form(
                    text_input(
                        t("field.company_name"),
                        "company_name",
                        s.form["company_name"],
                        form_id="sprzedawca",
                        max_length=200,
                    ),
                    text_input(
                        t("field.nip"),
                        "nip",
                        s.form["nip"],
                        form_id="sprzedawca",
                        max_length=20,
                        hint="10 cyfr, np. 526-025-02-74",
                    ),
                    text_input(
                        t("field.address"),
                        "address",
                        s.form["address"],
                        form_id="sprzedawca",
                        multiline=True,
                        max_length=500,
                    ),
                    text_input(
                        t("field.bank_account"),
                        "bank_account",
                        s.form["bank_account"],
                        form_id="sprzedawca",
                        max_length=50,
                        hint="opcjonalnie; 26 cyfr",
                    ),
                    rx.el.button(t("common.save"), type="submit", class_name="button"),
                    message(s.message, alert=s.message_is_error),
                    key=s.form_key.to_string(),
                    on_submit=s.save,
                    class_name="form",
                ),
            ),
            loading(),
        ),
        title=t("settings.title"),
        private=True,
    )
