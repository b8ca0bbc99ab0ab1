"""The /konto region "Logowanie dwustopniowe" (CONTRACT.md region 6, "Account security")."""

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.components.forms import field, password_field, posted_form
from fakturowo_ui.components.layout import (
    action_button,
    help_link,
    region,
    state_message,
    submit_button,
)
from fakturowo_ui.i18n import t
from fakturowo_ui.state import two_step as stages
from fakturowo_ui.state.two_step import TwoStepState as State

FORM_ID = "dwustopniowe-"


def _code_field() -> rx.Component:
    return field(
        t("two_step.code_label"),
        "code",
        form_id=FORM_ID,
        autocomplete="one-time-code",
        max_length=64,
        hint=t("two_step.code_hint"),
    )


def _idle() -> rx.Component:
    return rx.cond(
        State.method == "",
        rx.el.div(
            rx.el.p(t("two_step.lead"), class_name="hint"),
            action_button(t("two_step.turn_on"), State.start_app),
        ),
        action_button(t("two_step.turn_off"), State.start_off, secondary=True),
    )


def _app_setup() -> rx.Component:
    return rx.el.div(
        rx.el.p(t("two_step.app_lead")),
        rx.el.img(src=State.qr, alt=t("two_step.qr_alt"), class_name="qr", width="210", height="210"),
        rx.el.p(
            rx.el.span(t("two_step.key_label"), class_name="key-label"),
            " ",
            rx.el.code(State.key_text, class_name="key", id="dwustopniowe-klucz"),
        ),
        posted_form(
            _code_field(),
            rx.el.div(
                submit_button(t("two_step.confirm"), State.busy),
                action_button(t("common.cancel"), State.cancel, secondary=True),
                class_name="button-row",
            ),
            on_submit=State.confirm_app,
        ),
        rx.el.p(
            rx.el.button(
                t("two_step.use_email"), type="button", on_click=State.start_email, class_name="link-button"
            )
        ),
    )


def _email_setup() -> rx.Component:
    return posted_form(
        rx.el.p(t("two_step.email_lead")),
        _code_field(),
        rx.el.div(
            submit_button(t("two_step.confirm"), State.busy),
            action_button(t("common.cancel"), State.cancel, secondary=True),
            class_name="button-row",
        ),
        on_submit=State.confirm_email,
    )


def _codes() -> rx.Component:
    return rx.el.div(
        rx.el.p(t("two_step.codes_lead")),
        rx.el.ul(
            rx.foreach(State.recovery_codes, lambda code: rx.el.li(rx.el.code(code))), class_name="codes"
        ),
        rx.el.div(
            rx.el.button(
                t("two_step.download_codes"),
                type="button",
                on_click=rx.download(data=State.codes_text, filename="fakturowo-kody-zapasowe.txt"),
                class_name="button",
            ),
            action_button(t("two_step.codes_kept"), State.codes_kept, secondary=True),
            class_name="button-row",
        ),
    )


def _off() -> rx.Component:
    return posted_form(
        rx.el.p(t("two_step.off_lead")),
        password_field(t("field.password"), "password", autocomplete="current-password", form_id=FORM_ID),
        _code_field(),
        rx.cond(
            State.method == "email",
            rx.el.p(
                rx.el.button(
                    t("two_step.send_code"),
                    type="button",
                    on_click=State.mail_off_code,
                    class_name="link-button",
                )
            ),
        ),
        rx.el.div(
            submit_button(t("two_step.turn_off"), State.busy, class_name="button button-danger"),
            action_button(t("common.cancel"), State.cancel, secondary=True),
            class_name="button-row",
        ),
        on_submit=State.turn_off,
    )


def two_step_region() -> rx.Component:
    """Whether two-step login is on and how; turning it on (app or e-mail) and off."""
    return region(
        t("two_step.heading"),
        "logowanie-dwustopniowe",
        rx.el.p(State.status_text, id="logowanie-dwustopniowe-stan"),
        rx.fragment(
            rx.match(
                State.stage,
                (stages.APP, _app_setup()),
                (stages.EMAIL, _email_setup()),
                (stages.CODES, _codes()),
                (stages.OFF, _off()),
                _idle(),
            )
        ),
        state_message(State),
        help_link("help.two_step.title", routes.HELP_TWO_STEP),
    )
