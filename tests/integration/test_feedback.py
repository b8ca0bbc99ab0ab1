""" "Podziel się opinią" (issue 13): the review mail's button leads to a real form, whose opinion is
stored with the account (exported, deleted with it) and forwarded to FAKTUROWO_SUPPORT_EMAIL
through a real SMTP server on loopback. Through services/as_user.run, as a page event runs it."""

from __future__ import annotations

import asyncio
import json
import zipfile

import pytest
import sqlalchemy as sa

from fakturowo_ui.db import session_scope
from fakturowo_ui.models import Feedback, User
from fakturowo_ui.services import as_user, clock, deletion, export, feedback, reviews, sessions
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.settings import reset_settings_cache
from tests.conftest import action_link, text_of
from tests.unit.factories import make_user

EMAIL = "opinia@example.com"
SUPPORT = "pomoc@fakturowo.example"


@pytest.fixture
def user(smtp, monkeypatch, frozen_clock) -> tuple[int, str]:
    monkeypatch.setenv("FAKTUROWO_SUPPORT_EMAIL", SUPPORT)
    reset_settings_cache()
    user_id = make_user(EMAIL)
    with session_scope() as session:
        token = sessions.create(session, user_id)
    return user_id, token


def send(token: str, rating: object, text: object, submission: str = "") -> feedback.Sent:
    form = feedback.FeedbackForm(rating, text)  # type: ignore[arg-type]
    done = as_user.run(token, feedback.submit_for, form, submission, write=True)
    assert done.user is not None
    return done.value


def stored() -> list[Feedback]:
    with session_scope() as session:
        rows = list(session.scalars(sa.select(Feedback).order_by(Feedback.id)).all())
        session.expunge_all()
        return rows


def test_an_opinion_is_stored_and_forwarded_to_the_team_with_reply_to_the_user(user, smtp):
    user_id, token = user
    text = "Świetny serwis.\n<script>alert(1)</script> Brakuje mi faktur proforma."
    sent = send(token, "4", text, "klucz-formularza-1")
    asyncio.run(feedback.forward(sent))
    [row] = stored()
    assert (row.user_id, row.rating, row.text) == (user_id, 4, text)
    letter = smtp.mailbox.last(SUPPORT)
    assert letter["Reply-To"] == EMAIL
    assert f"nr {row.id}" in letter["Subject"]
    body = text_of(letter)
    assert EMAIL in body and "Ocena: 4 z 5" in body and "Brakuje mi faktur proforma." in body
    html = letter.get_body(preferencelist=("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_same_form_sent_twice_stores_one_opinion_and_forwards_it_once(user, smtp):
    _user_id, token = user
    first = send(token, "", "Raz.", "klucz-formularza-2")
    again = send(token, "", "Raz.", "klucz-formularza-2")
    assert again.feedback_id == first.feedback_id and again.forward is None
    assert len(stored()) == 1 and stored()[0].rating is None


@pytest.mark.parametrize(
    "rating, text, field",
    [
        ("5", "", "text"),
        ("5", "   \n  ", "text"),
        ("5", "x" * (feedback.MAX_TEXT + 1), "text"),
        ("6", "Dobre", "rating"),
        ("0", "Dobre", "rating"),
        (["5"], "Dobre", "rating"),
        ("5", ["Dobre"], "text"),
    ],
)
def test_bad_input_is_refused_by_field_and_stores_nothing(user, rating, text, field):
    _user_id, token = user
    form = feedback.FeedbackForm(rating, text)
    with pytest.raises(as_user.WorkFailed) as failed:
        as_user.run(token, feedback.submit_for, form, "", write=True)
    error = failed.value.error
    assert isinstance(error, DomainError) and field in error.params["errors"]
    assert stored() == []


def test_at_most_five_opinions_a_day(user):
    _user_id, token = user
    for n in range(feedback.FEEDBACK_PER_DAY.count):
        send(token, "3", f"Uwaga {n}")
    with pytest.raises(as_user.WorkFailed) as failed:
        as_user.run(token, feedback.submit_for, feedback.FeedbackForm("3", "Szósta"), "", write=True)
    assert isinstance(failed.value.error, DomainError)
    assert failed.value.error.key == "common.try_again_at"
    assert len(stored()) == feedback.FEEDBACK_PER_DAY.count


def test_opinions_are_in_the_export_and_go_with_the_account(user):
    user_id, token = user
    send(token, "5", "Polecam znajomym – Zażółć gęślą jaźń")
    archive = zipfile.ZipFile(export.export_path(user_id, export.build_export(user_id)))
    data = json.loads(archive.read("dane.json"))
    assert [(o["ocena"], o["tresc"]) for o in data["opinie"]] == [(5, "Polecam znajomym – Zażółć gęślą jaźń")]
    with session_scope() as session:
        deletion.erase_account(session, user_id, EMAIL, onetime_digest=None)
    assert stored() == []


def test_the_review_mail_button_opens_the_feedback_form(user, smtp, frozen_clock, monkeypatch):
    user_id, _token = user
    with session_scope() as session:
        row = session.get(User, user_id)
        assert row is not None
        row.info_consent = True
    frozen_clock.advance(days=reviews.REVIEW_AFTER_DAYS + 1)
    reviews.send_review_requests(clock.today_warsaw())
    letter = smtp.mailbox.last(EMAIL, "Podziel się opinią o Fakturowo")
    assert action_link(letter, "http://localhost:3000") == "http://localhost:3000/opinia/"
