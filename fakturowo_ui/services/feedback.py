""" "Podziel się opinią" (/opinia): where the review mail's button leads (issue 13).

A logged-in user leaves an optional rating (1-5) and a text. It is stored with the account (in its
data export, deleted with it) and, when FAKTUROWO_SUPPORT_EMAIL is set, forwarded there with the
user's address as Reply-To, so that someone reads it and can answer. One form, one opinion (the
form's key, services/submissions.py); at most FEEDBACK_PER_DAY a day per account.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import TYPE_CHECKING

from sqlmodel import Session

from fakturowo_ui.i18n import N_, Phrase
from fakturowo_ui.models import Feedback
from fakturowo_ui.services import clock, mail, ratelimit, submissions
from fakturowo_ui.services.errors import DomainError, field_error, form_error
from fakturowo_ui.services.listing import clean_text
from fakturowo_ui.settings import get_settings

if TYPE_CHECKING:
    from fakturowo_ui.services.sessions import CurrentUser

log = logging.getLogger("fakturowo.feedback")

MAX_TEXT = 4000
RATINGS = ("5", "4", "3", "2", "1")
FEEDBACK_PER_DAY = ratelimit.Limit("feedback", 5, dt.timedelta(days=1))
# The team reads the forwarded opinions in Polish, whatever the user's language.
TEAM_LANGUAGE = "pl"


@dataclasses.dataclass(frozen=True)
class FeedbackForm:
    """What the form sends: a rating ("" for none, "1".."5") and the text."""

    rating: str
    text: str


@dataclasses.dataclass(frozen=True)
class Sent:
    """A stored opinion, and the mail that forwards it to the team (None without a support address)."""

    feedback_id: int
    forward: mail.Mail | None


def check(form: FeedbackForm) -> tuple[int | None, str]:
    """The rating and the text, or a DomainError naming the field."""
    rating = form.rating if isinstance(form.rating, str) else None
    if rating not in ("", *RATINGS):
        raise field_error("rating", N_("feedback.bad_rating"))
    try:
        text = clean_text(form.text, Phrase("feedback.field.text"), MAX_TEXT, required=True, multiline=True)
    except DomainError as error:
        raise form_error({"text": error.message()}) from None
    return (int(rating) if rating else None), text


def submit_for(session: Session, user: CurrentUser, form: FeedbackForm, submission: str = "") -> Sent:
    """Store the user's opinion (run it with write=True); the same form sent twice stores one."""
    key = submissions.clean_key(submission)
    made = submissions.previous(session, user.user_id, key, "feedback")
    if made is not None:
        return Sent(made, None)  # already stored (and forwarded) by the first send
    rating, text = check(form)
    ratelimit.reserve(session, FEEDBACK_PER_DAY, str(user.user_id))
    row = Feedback(user_id=user.user_id, rating=rating, text=text, at=clock.now())
    session.add(row)
    session.flush()
    submissions.remember(session, user.user_id, key, "feedback", row.id)
    log.info("feedback received id=%s user_id=%s", row.id, user.user_id)
    return Sent(row.id, _forward(user, row))


def _forward(user: CurrentUser, row: Feedback) -> mail.Mail | None:
    support = get_settings().support_email
    if not support:
        return None
    return mail.render(
        "feedback_forward",
        to=support,
        lang=TEAM_LANGUAGE,
        headers={"Reply-To": user.email},
        email=user.email,
        rating=row.rating,
        text=row.text,
        feedback_id=row.id,
    )


async def forward(sent: Sent) -> None:
    """Mail the opinion to the team; a failure is logged (the opinion is stored all the same)."""
    if sent.forward is None:
        return
    try:
        await mail.send_async(sent.forward)
    except mail.MailError:
        log.warning("feedback id=%s stored but not forwarded", sent.feedback_id)
