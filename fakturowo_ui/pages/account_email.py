"""The /konto region "Adres email" (CONTRACT.md region 5, "Account security")."""

from typing import cast

import reflex as rx

from fakturowo_ui.components.forms import EMAIL_MAX, field, password_field
from fakturowo_ui.components.layout import region, state_message, submit_button
from fakturowo_ui.i18n import t
from fakturowo_ui.state.account import AccountState
from fakturowo_ui.state.email_change import EmailChangeState as State

FORM_ID = "adres-email-"


def email_region() -> rx.Component:
    """The current address; "Nowy adres email", "Hasło" and "Zmień adres email"; the outcome."""
    return region(
        t("email_change.heading"),
        "adres-email",
        rx.el.p(t("email_change.current"), " ", rx.el.strong(AccountState.email)),
        rx.el.p(t("email_change.lead"), class_name="hint"),
        # POST, never validated by the browser (its words are the services'), and renewed after
        # a sent link so that no password stays in the field (components/forms.posted_form).
        rx.el.form(
            field(
                t("email_change.new_email"),
                "new_email",
                form_id=FORM_ID,
                input_type="email",
                autocomplete="email",
                max_length=EMAIL_MAX,
                error=State.new_email_error,
            ),
            password_field(
                t("field.password"),
                "password",
                autocomplete="current-password",
                error=State.password_error,
                hint=t("email_change.password_hint"),
                form_id=FORM_ID,
            ),
            submit_button(t("email_change.submit"), State.busy),
            key=cast(rx.Var, State.form_key).to_string(),
            on_submit=State.request,
            method="post",
            class_name="form",
            no_validate=True,
        ),
        state_message(State),
    )
