"""State of /opinia: "Podziel się opinią", where the review mail's button leads (issue 13).

The opinion is stored by services/feedback.submit_for through state/events.act (the session check
and the insert in one transaction, off the event loop); forwarding it to the team's address
is a mail, which no transaction waits for, so it follows the event's work.
"""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from fakturowo_ui.i18n import t
from fakturowo_ui.services import feedback
from fakturowo_ui.services.submissions import new_key
from fakturowo_ui.state.auth import UserBoundState
from fakturowo_ui.state.common import text_field
from fakturowo_ui.state.events import act
from fakturowo_ui.state.messages import FieldErrors

# What the page offers (a page takes nothing from services/ itself).
RATINGS = feedback.RATINGS
MAX_TEXT = feedback.MAX_TEXT


class FeedbackState(FieldErrors, UserBoundState):
    """The form ("Ocena", "Twoja opinia", "Wyślij opinię") and, once sent, the thanks."""

    _error_fields: ClassVar[tuple[str, ...]] = ("rating", "text")

    loaded: bool = False
    busy: bool = False
    sent: bool = False
    rating_error: str = ""
    text_error: str = ""
    # This form's key (services/submissions.py): a double click or a replayed event stores once.
    submission_key: str = ""
    form_key: rx.Field[int] = rx.field(0)

    @rx.event
    async def on_load(self):
        """An empty form for the logged-in user."""
        done = await act(self, None, what="loading /opinia")
        if not done.ok:
            return self._refused(done)
        self._clear_errors()
        self._update(sent=False, busy=False, loaded=True, submission_key=new_key())
        self.form_key += 1
        return None

    @rx.event
    async def submit(self, form_data: dict):
        """Store the opinion and thank the user, or say what to correct (nothing is stored)."""
        if self.busy or self.sent:
            return
        form = feedback.FeedbackForm(
            rating=text_field(form_data, "rating", 2),
            text=text_field(form_data, "text", MAX_TEXT),
        )
        self._clear_errors()
        self.busy = True
        yield
        try:
            done = await act(
                self,
                feedback.submit_for,
                form,
                text_field(form_data, "submission", 64),
                write=True,
                what="storing feedback",
            )
        finally:
            self.busy = False
        if not done.ok:
            if done.domain_error is not None and done.domain_error.params.get("errors"):
                self._show_refusal(done.domain_error)
            elif (redirect := self._refused(done)) is not None:
                yield redirect
            return
        self.sent = True
        self._say(t("feedback.thanks"))
        yield  # the thanks are on screen before the mail to the team goes (a slow server waits alone)
        await feedback.forward(done.value)
