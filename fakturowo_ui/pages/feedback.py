"""/opinia: "Podziel się opinią", the page the review mail's button opens (issue 13)."""

from __future__ import annotations

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.components.forms import field, keyed_form
from fakturowo_ui.components.layout import page, region, state_message, submit_button, when_loaded
from fakturowo_ui.i18n import N_, t
from fakturowo_ui.state.feedback import MAX_TEXT, RATINGS, FeedbackState

# The words of each rating, best first (state/feedback.RATINGS).
RATING_LABELS = {
    "5": N_("feedback.rating.5"),
    "4": N_("feedback.rating.4"),
    "3": N_("feedback.rating.3"),
    "2": N_("feedback.rating.2"),
    "1": N_("feedback.rating.1"),
}


def feedback_page() -> rx.Component:
    s = FeedbackState
    return page(
        when_loaded(
            s.loaded,
            region(
                t("feedback.heading"),
                "opinia",
                rx.cond(
                    s.sent,
                    rx.el.p(
                        rx.el.a(t("feedback.back"), href=routes.here(routes.ACCOUNT), class_name="button")
                    ),
                    rx.el.div(
                        rx.el.p(t("feedback.lead"), class_name="hint"),
                        keyed_form(
                            s,
                            rx.el.input(type="hidden", name="submission", value=s.submission_key),
                            field(
                                t("feedback.field.rating"),
                                "rating",
                                form_id="opinia-",
                                default="",
                                options=[(value, t(RATING_LABELS[value])) for value in RATINGS],
                                placeholder=t("feedback.rating.none"),
                                error=s.rating_error,
                            ),
                            field(
                                t("feedback.field.text"),
                                "text",
                                form_id="opinia-",
                                default="",
                                multiline=True,
                                max_length=MAX_TEXT,
                                hint=t("feedback.hint", maximum=MAX_TEXT),
                                error=s.text_error,
                            ),
                            submit_button(t("feedback.submit"), s.busy),
                            on_submit=s.submit,
                        ),
                    ),
                ),
                # One live region for the refusal and the thanks, there before either fills it.
                state_message(s),
            ),
        ),
        title=t("feedback.title"),
        private=True,
    )
