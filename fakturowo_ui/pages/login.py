"""/logowanie: address, password, "Zaloguj" and the link to reset a forgotten password."""

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.components.layout import field, message, page, submit_button
from fakturowo_ui.i18n import t
from fakturowo_ui.state.login import LoginState


def login() -> rx.Component:
    """The login form."""
    return page(
        message(LoginState.message, alert=LoginState.message_is_error),
        rx.cond(
            LoginState.can_resend,
            rx.el.button(
                t("login.resend"),
                type="button",
                on_click=LoginState.resend,
                disabled=LoginState.busy,
                class_name="button button-secondary",
            ),
        ),
        rx.el.form(
            field(t("field.email"), "email", input_type="email", autocomplete="username", max_length=254),
            field(
                t("field.password"),
                "password",
                input_type="password",
                autocomplete="current-password",
                max_length=256,
            ),
            submit_button(t("login.submit"), LoginState.busy),
            on_submit=LoginState.submit,
            # A submit before the page is hydrated must not put the password into the URL.
            method="post",
            class_name="form",
            no_validate=True,
        ),
        rx.el.p(rx.el.a(t("login.forgot"), href=routes.PASSWORD_RESET)),
        rx.el.p(rx.el.a(t("login.no_account"), href=routes.REGISTER)),
        title=t("login.title"),
    )
