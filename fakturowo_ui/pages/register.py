"""/rejestracja: address, password twice and two unticked consent boxes."""

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.components.forms import email_field, new_password_fields, posted_form
from fakturowo_ui.components.layout import checkbox, page, state_message, submit_button
from fakturowo_ui.i18n import t
from fakturowo_ui.state.register import RegisterState


def register() -> rx.Component:
    """The registration form, replaced by the confirmation notice once the account exists."""
    form = posted_form(
        email_field(autocomplete="email", error=RegisterState.email_error),
        new_password_fields(RegisterState, "password", t("field.password"), t("field.password_repeat")),
        checkbox(t("register.consent_reminders"), "consent_reminders"),
        checkbox(t("register.consent_info"), "consent_info"),
        submit_button(t("register.submit"), RegisterState.busy),
        on_submit=RegisterState.submit,
    )
    return page(
        state_message(RegisterState),
        rx.cond(RegisterState.done, rx.fragment(), form),
        rx.el.p(rx.el.a(t("register.have_account"), href=routes.here(routes.LOGIN))),
        title=t("register.title"),
    )
