"""/reset-hasla: "Adres email" and "Wyślij link"; with ?token=… the form "Nowe hasło" and "Ustaw hasło"."""

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.components.forms import email_field, new_password_fields, posted_form
from fakturowo_ui.components.layout import loading, page, state_message, submit_button
from fakturowo_ui.i18n import t
from fakturowo_ui.state.password_reset import PasswordResetState


def _request_form() -> rx.Component:
    return rx.fragment(
        rx.cond(
            PasswordResetState.link_failed,
            rx.el.p(t("reset.request_again")),
            rx.el.p(t("reset.lead")),
        ),
        posted_form(
            email_field(autocomplete="username", error=PasswordResetState.email_error),
            submit_button(t("reset.submit"), PasswordResetState.busy),
            on_submit=PasswordResetState.request_link,
        ),
    )


def _set_form() -> rx.Component:
    return rx.fragment(
        rx.el.p(PasswordResetState.lead),
        posted_form(
            new_password_fields(
                PasswordResetState, "new_password", t("field.new_password"), t("field.new_password_repeat")
            ),
            submit_button(t("reset.set_submit"), PasswordResetState.busy),
            on_submit=PasswordResetState.set_password,
        ),
    )


def password_reset() -> rx.Component:
    """Opening the link changes nothing; "Ustaw hasło" does."""
    return page(
        state_message(PasswordResetState),
        rx.cond(
            PasswordResetState.checked,
            rx.cond(
                PasswordResetState.can_set,
                _set_form(),
                rx.cond(
                    PasswordResetState.done,
                    rx.el.p(
                        rx.el.a(t("reset.go_login"), href=routes.here(routes.LOGIN), class_name="button")
                    ),
                    _request_form(),
                ),
            ),
            loading(),
        ),
        title=t("reset.title"),
    )
