"""/logowanie: address, password, "Zaloguj" and the link to reset a forgotten password."""

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.components.forms import email_field, password_field, posted_form
from fakturowo_ui.components.layout import action_button, message, page, submit_button
from fakturowo_ui.i18n import t
from fakturowo_ui.state.login import LoginState


def login() -> rx.Component:
    """The login form."""
    return page(
        message(LoginState.message, alert=LoginState.message_is_error, info=LoginState.message_is_info),
        rx.cond(
            LoginState.can_resend,
            action_button(t("login.resend"), LoginState.resend, secondary=True, disabled=LoginState.busy),
        ),
        posted_form(
            email_field(autocomplete="username"),
            password_field(t("field.password"), "password", autocomplete="current-password"),
            submit_button(t("login.submit"), LoginState.busy),
            on_submit=LoginState.submit,
        ),
        rx.el.p(rx.el.a(t("login.forgot"), href=routes.here(routes.PASSWORD_RESET))),
        rx.el.p(rx.el.a(t("login.no_account"), href=routes.here(routes.REGISTER))),
        title=t("login.title"),
    )
