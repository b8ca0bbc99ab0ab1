"""/zmiana-hasla: current password, the new one twice and "Zmień hasło" (also the forced change)."""

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.components.forms import new_password_fields, password_field, posted_form
from fakturowo_ui.components.layout import page, state_message, submit_button, when_loaded
from fakturowo_ui.i18n import t
from fakturowo_ui.state.password import PasswordChangeState


def _form() -> rx.Component:
    s = PasswordChangeState
    return posted_form(
        password_field(
            t("field.current_password"),
            "current_password",
            autocomplete="current-password",
            error=s.current_password_error,
        ),
        new_password_fields(s, "new_password", t("field.new_password"), t("field.new_password_repeat")),
        submit_button(t("password_change.submit"), s.busy),
        on_submit=s.submit,
    )


def password_change() -> rx.Component:
    """The change form; nothing is shown until the session is checked."""
    return page(
        when_loaded(
            PasswordChangeState.loaded,
            rx.cond(
                PasswordChangeState.forced,
                rx.el.p(t("password_change.forced"), role="alert", class_name="message message-error"),
            ),
            state_message(PasswordChangeState),
            rx.cond(
                PasswordChangeState.done,
                rx.el.p(
                    rx.el.a(
                        t("password_change.go_account"), href=routes.here(routes.ACCOUNT), class_name="button"
                    )
                ),
                rx.fragment(
                    rx.el.p(t("password_change.lead")),
                    _form(),
                    rx.el.p(rx.el.a(t("password_change.forgot"), href=routes.here(routes.PASSWORD_RESET))),
                ),
            ),
        ),
        title=t("password_change.title"),
        private=True,
    )
