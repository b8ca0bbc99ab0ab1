"""/usun-konto/?token=…: the confirmation page the deletion e-mail links to."""

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.components.forms import field, password_field, posted_form
from fakturowo_ui.components.layout import loading, note, page, state_message, submit_button
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
                note(
                    t("deletion.confirm.retention"),
                    t("deletion.confirm.account_link"),
                    routes.ACCOUNT,
                    class_name="note-box",
                ),
                posted_form(
                    password_field(
                        t("field.password"),
                        "password",
                        autocomplete="current-password",
                        hint=t("deletion.confirm.password_hint"),
                        form_id="usun-",
                        # The link from the mail opens a page with one thing to do (issue 13).
                        auto_focus=True,
                    ),
                    # Two-step login on: the code too (issue 12).
                    rx.cond(
                        DeletionConfirmState.needs_code,
                        field(
                            t("two_step.code_label"),
                            "code",
                            form_id="usun-",
                            autocomplete="one-time-code",
                            max_length=64,
                            hint=t("two_step.code_hint"),
                        ),
                    ),
                    submit_button(
                        t("deletion.confirm.submit"),
                        DeletionConfirmState.busy,
                        class_name="button button-danger",
                    ),
                    on_submit=DeletionConfirmState.confirm,
                ),
                class_name="card",
            ),
        ),
        state_message(DeletionConfirmState),
        rx.cond(
            DeletionConfirmState.offer_login,
            rx.el.p(
                rx.el.a(
                    t("deletion.confirm.ask_again"),
                    href=routes.here(routes.login(routes.ACCOUNT)),
                    class_name="button",
                )
            ),
        ),
        title=t("deletion.confirm.title"),
    )
