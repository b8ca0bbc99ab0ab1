"""/potwierdz-nowy-email/?token=…: the page the mail "Potwierdź nowy adres email" links to."""

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.components.layout import link_action, page
from fakturowo_ui.i18n import t
from fakturowo_ui.state.confirm_new_email import ConfirmNewEmailState


def confirm_new_email() -> rx.Component:
    """Opening the link changes nothing; "Potwierdź nowy adres email" does."""
    s = ConfirmNewEmailState
    return page(
        link_action(s, s.can_confirm, t("email_change.confirm.submit"), s.confirm),
        rx.cond(
            s.changed,
            rx.el.p(
                rx.cond(
                    s.logged_in,
                    rx.el.a(
                        t("email_change.confirm.go_account"),
                        href=routes.here(routes.ACCOUNT),
                        class_name="button",
                    ),
                    rx.el.a(
                        t("email_change.confirm.go_login"),
                        href=routes.here(routes.LOGIN),
                        class_name="button",
                    ),
                )
            ),
        ),
        title=t("email_change.confirm.title"),
    )
