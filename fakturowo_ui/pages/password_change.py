"""/zmiana-hasla: current password, the new one twice and "Zmień hasło" (also the forced change)."""

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.components.layout import field, loading, message, page, submit_button
from fakturowo_ui.i18n import t
from fakturowo_ui.state.password import PasswordChangeState


def _form() -> rx.Component:
    return rx.el.form(
        field(
            t("field.current_password"),
            "current_password",
            input_type="password",
            autocomplete="current-password",
            error=PasswordChangeState.current_password_error,
            max_length=256,
        ),
        field(
            t("field.new_password"),
            "new_password",
            input_type="password",
            autocomplete="new-password",
            error=PasswordChangeState.new_password_error,
            hint=t("register.password_hint"),
            max_length=256,
        ),
        field(
            t("field.new_password_repeat"),
            "new_password_repeat",
            input_type="password",
            autocomplete="new-password",
            error=PasswordChangeState.new_password_repeat_error,
            max_length=256,
        ),
        submit_button(t("password_change.submit"), PasswordChangeState.busy),
        on_submit=PasswordChangeState.submit,
        # A submit before the page is hydrated must not put a password into the URL.
        method="post",
        class_name="form",
        no_validate=True,
    )


def password_change() -> rx.Component:
    """The change form; nothing is shown until the session is checked."""
    return page(
        rx.cond(
            PasswordChangeState.loaded,
            rx.fragment(
                rx.cond(
                    PasswordChangeState.forced,
                    rx.el.p(t("password_change.forced"), role="alert", class_name="message message-error"),
                ),
                message(PasswordChangeState.message, alert=PasswordChangeState.message_is_error),
                rx.cond(
                    PasswordChangeState.done,
                    rx.el.p(
                        rx.el.a(t("password_change.go_account"), href=routes.ACCOUNT, class_name="button")
                    ),
                    rx.fragment(
                        rx.el.p(t("password_change.lead")),
                        _form(),
                        rx.el.p(rx.el.a(t("password_change.forgot"), href=routes.PASSWORD_RESET)),
                    ),
                ),
            ),
            loading(),
        ),
        title=t("password_change.title"),
        private=True,
    )
