"""/konto: the account page with its four regions (CONTRACT.md, "The account page")."""

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.components.forms import posted_form
from fakturowo_ui.components.layout import (
    checkbox,
    help_link,
    message,
    page,
    region,
    state_message,
    submit_button,
    when_loaded,
)
from fakturowo_ui.i18n import t
from fakturowo_ui.pages.account_email import email_region
from fakturowo_ui.pages.account_sessions import sessions_region
from fakturowo_ui.pages.account_two_step import two_step_region
from fakturowo_ui.state.account import AccountState, ConsentsState
from fakturowo_ui.state.deletion import DeletionRequestState
from fakturowo_ui.state.export import ExportState
from fakturowo_ui.state.password import PeriodicChangeState


def _periodic_change() -> rx.Component:
    # Passwords (issue 4): its own state, loaded by PeriodicChangeState.on_load with the page.
    state = PeriodicChangeState
    return region(
        t("account.periodic.heading"),
        "okresowa-zmiana-hasla",
        posted_form(
            checkbox(
                t("account.periodic.checkbox"),
                "periodic_password_change",
                checked=state.enabled,
                on_change=state.set_enabled,
                form_id="konto-",
            ),
            rx.cond(
                state.saved_enabled,
                rx.fragment(
                    rx.el.p(
                        state.sentence_before,
                        rx.el.span(state.sentence_date, class_name="nowrap"),
                        state.sentence_after,
                        id="okresowa-zmiana-hasla-termin",
                    ),
                    rx.cond(state.overdue, rx.el.p(t("account.periodic.overdue"), class_name="hint")),
                ),
                rx.el.p(state.explain, class_name="hint"),
            ),
            submit_button(t("common.save"), state.busy),
            state_message(state),
            on_submit=state.save,
        ),
        rx.el.p(rx.el.a(t("account.periodic.change_now"), href=routes.here(routes.PASSWORD_CHANGE))),
        help_link("help.periodic.title", routes.HELP_PERIODIC_CHANGE),
    )


def _consent(label: str, name: str, saved, changed) -> rx.Component:
    """One consent's box, starting as `saved`, and when it last changed."""
    return rx.fragment(
        checkbox(label, name, default_checked=saved, form_id="konto-"),
        rx.el.p(changed, class_name="hint"),
    )


def _consents() -> rx.Component:
    return region(
        t("account.consents.heading"),
        "zgody",
        posted_form(
            # Uncontrolled: the boxes travel with "Zapisz" (one event per save, none per click).
            _consent(
                t("account.consents.reminders"),
                "reminder_consent",
                ConsentsState.reminder_consent,
                ConsentsState.reminders_changed,
            ),
            _consent(
                t("account.consents.info"),
                "info_consent",
                ConsentsState.info_consent,
                ConsentsState.info_changed,
            ),
            rx.el.button(t("common.save"), type="submit", class_name="button"),
            message(
                ConsentsState.consents_message,
                alert=ConsentsState.consents_message_is_error,
                key=ConsentsState.consents_message_serial,
            ),
            on_submit=ConsentsState.save_consents,
        ),
        help_link("help.consents.title", routes.HELP_CONSENTS),
    )


def _subscription() -> rx.Component:
    return region(
        t("account.subscription.heading"),
        "abonament",
        rx.el.p(AccountState.plan_text),
        rx.el.p(AccountState.documents_text),
    )


def _export() -> rx.Component:
    # User data (issue 6): the ZIP is built in the background, then downloads by itself.
    state = ExportState
    return rx.el.div(
        rx.el.p(t("export.lead"), class_name="hint"),
        help_link("help.export.title", routes.HELP_DATA_EXPORT),
        rx.el.button(
            rx.cond(state.busy, t("common.working"), t("account.export.submit")),
            type="button",
            on_click=state.start,
            disabled=state.busy,
            aria_label=t("account.export.submit"),
            class_name="button button-secondary",
        ),
        rx.cond(
            state.busy,
            rx.el.p(state.progress_text, role="status", aria_live="polite", class_name="message message-ok"),
        ),
        state_message(state),
        rx.cond(
            state.download_url != "",
            rx.el.p(
                rx.el.button(
                    t("export.again"),
                    type="button",
                    on_click=rx.download(url=state.download_url),
                    class_name="link-button",
                )
            ),
        ),
        class_name="export",
    )


def _deletion() -> rx.Component:
    # The copy of the data comes first: the mails and the help say to download it before deleting.
    return region(
        t("account.deletion.heading"),
        "usuniecie-konta",
        _export(),
        posted_form(
            checkbox(AccountState.deletion_text, "confirm_deletion", form_id="konto-"),
            rx.el.p(AccountState.counts_text),
            submit_button(
                t("account.deletion.submit"), DeletionRequestState.busy, class_name="button button-danger"
            ),
            state_message(DeletionRequestState),
            on_submit=DeletionRequestState.request,
        ),
        help_link("help.title", routes.HELP_DELETE_ACCOUNT),
    )


def account() -> rx.Component:
    """The account page; nothing private is shown until the session is checked."""
    return page(
        when_loaded(
            AccountState.loaded,
            rx.el.p(AccountState.signed_in_text, class_name="signed-in"),
            _periodic_change(),
            _consents(),
            _subscription(),
            email_region(),
            two_step_region(),
            sessions_region(),
            _deletion(),
        ),
        title=t("account.title"),
        private=True,
    )
