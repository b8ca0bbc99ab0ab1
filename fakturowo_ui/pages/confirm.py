"""/potwierdz-email/?token=…: the page the confirmation mail links to; the button confirms."""

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.components.layout import link_action, page
from fakturowo_ui.i18n import t
from fakturowo_ui.state.confirm import ConfirmState


def confirm_email() -> rx.Component:
    """Opening the link changes nothing; "Potwierdź adres email" does."""
    s = ConfirmState
    return page(
        link_action(s, s.can_confirm, t("confirm.submit"), s.confirm),
        rx.cond(
            s.confirmed,
            rx.el.p(rx.el.a(t("confirm.go_login"), href=routes.here(routes.LOGIN), class_name="button")),
        ),
        title=t("confirm.title"),
    )
