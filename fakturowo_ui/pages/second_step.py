"""/logowanie/weryfikacja/: the second step of a login with two-step login on."""

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.components.forms import field, posted_form
from fakturowo_ui.components.layout import loading, page, state_message, submit_button
from fakturowo_ui.i18n import t
from fakturowo_ui.state.two_step import SecondStepState as State


def second_step() -> rx.Component:
    """ "Kod weryfikacyjny" and "Zweryfikuj"; a recovery code goes in the same field."""
    return page(
        rx.cond(State.checked, rx.fragment(), loading()),
        rx.cond(
            State.live,
            posted_form(
                rx.el.p(
                    rx.cond(
                        State.method == "email",
                        t("login.second_step.lead_email"),
                        t("login.second_step.lead_app"),
                    )
                ),
                field(
                    t("two_step.code_label"),
                    "code",
                    form_id="weryfikacja-",
                    autocomplete="one-time-code",
                    max_length=64,
                    hint=t("login.second_step.hint"),
                ),
                submit_button(t("login.second_step.submit"), State.busy),
                rx.cond(
                    State.method == "email",
                    rx.el.p(
                        rx.el.button(
                            t("two_step.send_code"),
                            type="button",
                            on_click=State.resend,
                            class_name="link-button",
                        )
                    ),
                ),
                on_submit=State.submit,
            ),
        ),
        state_message(State),
        rx.cond(
            State.checked & ~State.live,
            rx.el.p(
                rx.el.a(t("login.second_step.again"), href=routes.here(routes.LOGIN), class_name="button")
            ),
        ),
        title=t("login.second_step.title"),
    )
