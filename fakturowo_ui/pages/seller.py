"""/ustawienia: the seller's details printed on every invoice."""

from __future__ import annotations

import reflex as rx

from fakturowo_ui.components.forms import fields_of, keyed_form
from fakturowo_ui.components.layout import page, region, state_message, when_loaded
from fakturowo_ui.i18n import t
from fakturowo_ui.state.seller import SellerState


def settings_page() -> rx.Component:
    s = SellerState
    seller = fields_of(s.form, "sprzedawca-")
    return page(
        when_loaded(
            s.loaded,
            region(
                t("settings.seller.heading"),
                "dane-sprzedawcy",
                rx.el.p(t("settings.seller.lead"), class_name="hint"),
                keyed_form(
                    s,
                    seller(t("field.company_name"), "company_name", max_length=200),
                    seller(t("field.nip"), "nip", max_length=20, hint=t("hint.nip")),
                    seller(t("field.address"), "address", multiline=True, max_length=500),
                    seller(
                        t("field.bank_account"), "bank_account", max_length=50, hint=t("hint.bank_account")
                    ),
                    rx.el.button(t("common.save"), type="submit", class_name="button"),
                    state_message(s),
                    on_submit=s.save,
                ),
            ),
        ),
        title=t("settings.title"),
        private=True,
    )
