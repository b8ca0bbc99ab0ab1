"""/usun-konto/?token=…: the confirmation page the deletion e-mail links to."""

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.components.layout import field, loading, message, page, submit_button
from fakturowo_ui.i18n import t
from fakturowo_ui.state.deletion import DeletionConfirmState


def confirm_deletion() -> rx.Component:
    """Account, counts, the 5-year reminder, "Hasło" and "Usuń konto bezpowrotnie"."""
    return page(
        rx.cond(DeletionConfirmState.checked, rx.fragment(), loading()),
        rx.cond(
            DeletionConfirmState.can_delete,
            rx.el.div(
                rx.el.p(DeletionConfirmState.lead, class_name="lead"),
                rx.el.p(DeletionConfirmState.counts_text),
                rx.el.p(
                    t("deletion.confirm.retention"),
                    " ",
                    rx.el.a(t("deletion.confirm.account_link"), href=routes.ACCOUNT),
                    class_name="note-box",
                ),
                rx.el.form(
                    field(
                        t("field.password"),
                        "password",
                        input_type="password",
                        autocomplete="current-password",
                        hint=t("deletion.confirm.password_hint"),
                        max_length=256,
                        form_id="usun-",
                    ),
                    submit_button(
                        t("deletion.confirm.submit"),
                        DeletionConfirmState.busy,
                        class_name="button button-danger",
                    ),
                    on_submit=DeletionConfirmState.confirm,
                    # A submit before the page's script runs must never put the password in a URL.
                    method="post",
                    class_name="form",
                    no_validate=True,
                ),
                class_name="card",
            ),
        ),
        message(DeletionConfirmState.message, alert=DeletionConfirmState.message_is_error),
        rx.cond(
            DeletionConfirmState.offer_login,
            rx.el.p(
                rx.el.a(
                    t("deletion.confirm.ask_again"), href=routes.login(routes.ACCOUNT), class_name="button"
                )
            ),
        ),
        title=t("deletion.confirm.title"),
    )
