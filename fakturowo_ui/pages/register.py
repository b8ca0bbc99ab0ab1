"""/rejestracja: address, password twice and two unticked consent boxes."""

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.components.layout import checkbox, field, message, page, submit_button
from fakturowo_ui.i18n import t
from fakturowo_ui.state.register import RegisterState


def register() -> rx.Component:
    """The registration form, replaced by the confirmation notice once the account exists."""
    form = rx.el.form(
        field(
            t("field.email"),
            "email",
            input_type="email",
            autocomplete="email",
            error=RegisterState.email_error,
            max_length=254,
        ),
        field(
            t("field.password"),
            "password",
            input_type="password",
            autocomplete="new-password",
            error=RegisterState.password_error,
            hint=t("register.password_hint"),
            max_length=256,
        ),
        field(
            t("field.password_repeat"),
            "password_repeat",
            input_type="password",
            autocomplete="new-password",
            error=RegisterState.password_repeat_error,
            max_length=256,
        ),
        checkbox(t("register.consent_reminders"), "consent_reminders"),
        checkbox(t("register.consent_info"), "consent_info"),
        submit_button(t("register.submit"), RegisterState.busy),
        on_submit=RegisterState.submit,
        # A submit before the page is hydrated must not put the password into the URL.
        method="post",
        class_name="form",
        no_validate=True,
    )
    return page(
        message(RegisterState.message, alert=RegisterState.message_is_error),
        rx.cond(RegisterState.done, rx.fragment(), form),
        rx.el.p(rx.el.a(t("register.have_account"), href=routes.LOGIN)),
        title=t("register.title"),
    )
