"""/potwierdz-email/?token=…: the page the confirmation mail links to; the button confirms."""

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.components.layout import loading, message, page
from fakturowo_ui.i18n import t
from fakturowo_ui.state.confirm import ConfirmState


def confirm_email() -> rx.Component:
    """Opening the link changes nothing; "Potwierdź adres email" does."""
    return page(
        rx.cond(ConfirmState.checked, rx.fragment(), loading()),
        message(ConfirmState.message, alert=ConfirmState.message_is_error),
        rx.cond(
            ConfirmState.can_confirm,
            rx.el.div(
                rx.el.p(ConfirmState.lead),
                rx.el.button(
                    t("confirm.submit"), type="button", on_click=ConfirmState.confirm, class_name="button"
                ),
            ),
        ),
        rx.cond(
            ConfirmState.confirmed,
            rx.el.p(rx.el.a(t("confirm.go_login"), href=routes.LOGIN, class_name="button")),
        ),
        title=t("confirm.title"),
    )
