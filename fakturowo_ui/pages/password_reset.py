"""/reset-hasla: "Adres email" and "Wyślij link"; with ?token=… the form "Nowe hasło" and "Ustaw hasło"."""

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.components.layout import field, loading, message, page, submit_button
from fakturowo_ui.i18n import t
from fakturowo_ui.state.password_reset import PasswordResetState


def _request_form() -> rx.Component:
    return rx.fragment(
        rx.cond(
            PasswordResetState.link_failed,
            rx.el.p(t("reset.request_again")),
            rx.el.p(t("reset.lead")),
        ),
        rx.el.form(
            field(
                t("field.email"),
                "email",
                input_type="email",
                autocomplete="username",
                error=PasswordResetState.email_error,
                max_length=254,
            ),
            submit_button(t("reset.submit"), PasswordResetState.busy),
            on_submit=PasswordResetState.request_link,
            # A submit before the page is hydrated must not put a password into the URL.
            method="post",
            class_name="form",
            no_validate=True,
        ),
    )


def _set_form() -> rx.Component:
    return rx.fragment(
        rx.el.p(PasswordResetState.lead),
        rx.el.form(
            field(
                t("field.new_password"),
                "new_password",
                input_type="password",
                autocomplete="new-password",
                error=PasswordResetState.new_password_error,
                hint=t("register.password_hint"),
                max_length=256,
            ),
            field(
                t("field.new_password_repeat"),
                "new_password_repeat",
                input_type="password",
                autocomplete="new-password",
                error=PasswordResetState.new_password_repeat_error,
                max_length=256,
            ),
            submit_button(t("reset.set_submit"), PasswordResetState.busy),
            on_submit=PasswordResetState.set_password,
            # A submit before the page is hydrated must not put a password into the URL.
            method="post",
            class_name="form",
            no_validate=True,
        ),
    )


def password_reset() -> rx.Component:
    """Opening the link changes nothing; "Ustaw hasło" does."""
    return page(
        message(PasswordResetState.message, alert=PasswordResetState.message_is_error),
        rx.cond(
            PasswordResetState.checked,
            rx.cond(
                PasswordResetState.can_set,
                _set_form(),
                rx.cond(
                    PasswordResetState.done,
                    rx.el.p(rx.el.a(t("reset.go_login"), href=routes.LOGIN, class_name="button")),
                    _request_form(),
                ),
            ),
            loading(),
        ),
        title=t("reset.title"),
    )
