"""The subscription reminders (issue 5): the daily job against a real SMTP server on loopback.

Twice in a row, twice at once (two processes, as on two machines, with the review request too),
with the server down then up, and the consent gate at the moment of sending.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import sqlalchemy as sa

from fakturowo_ui import jobs
from fakturowo_ui.db import session_scope
from fakturowo_ui.i18n import formats
from fakturowo_ui.models import SentNotice, Subscription, User
from fakturowo_ui.services import clock, consents, mail, reminders, reviews, unsubscribe
from fakturowo_ui.services.consents import Consent
from fakturowo_ui.settings import REPO_ROOT
from tests.conftest import action_link, html_of, text_of
from tests.unit.factories import count_rows, make_user

BASE = "http://localhost:3000"
SUBJECT_30 = "Twój abonament kończy się za 30 dni"
SUBJECT_5 = "Twój abonament kończy się za 5 dni"
REVIEW = "Podziel się opinią o Fakturowo"


def daily(day: dt.date) -> int:
    return jobs.main(["daily", "--date", day.isoformat()])


def consenting_user(
    email: str, last_day: dt.date, *, reminders: bool = True, info: bool = False, paid: bool = False
) -> int:
    """A confirmed account with the given consents whose period (trial or paid) ends on last_day."""
    user_id = make_user(email)
    with session_scope() as session:
        consents.save(session, user_id, reminders=reminders, info=info, source="account")
        values = {"paid_until": last_day} if paid else {"trial_ends_on": last_day}
        session.execute(sa.update(Subscription).where(Subscription.user_id == user_id).values(**values))
    return user_id


def subjects(smtp, email: str) -> list[str]:
    return [str(m["Subject"]) for m in smtp.mailbox.to(email)]


def test_30_then_5_days_before_once_each(smtp, frozen_clock, capsys):
    last = clock.today_warsaw() + dt.timedelta(days=40)
    user_id = consenting_user("przypomnienia@example.com", last)

    daily(last - dt.timedelta(days=31))
    assert subjects(smtp, "przypomnienia@example.com") == []
    daily(last - dt.timedelta(days=30))
    assert "subscription reminders: 1 sent" in capsys.readouterr().out
    daily(last - dt.timedelta(days=30))  # twice in a row, the same day
    for offset in (29, 10, 6):
        daily(last - dt.timedelta(days=offset))
    assert subjects(smtp, "przypomnienia@example.com") == [SUBJECT_30]
    daily(last - dt.timedelta(days=5))
    for offset in (5, 4, 1, 0, -1):
        daily(last - dt.timedelta(days=offset))
    assert subjects(smtp, "przypomnienia@example.com") == [SUBJECT_30, SUBJECT_5]

    letter = smtp.mailbox.last("przypomnienia@example.com", SUBJECT_5)
    assert formats.date(last) in text_of(letter)
    assert action_link(letter, BASE) == f"{BASE}/konto/"
    url = unsubscribe.link(user_id, Consent.REMINDERS)
    assert letter["List-Unsubscribe"] == f"<{url}>"
    assert letter["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in text_of(letter).splitlines()
    assert url.replace("&", "&amp;") in html_of(letter)
    with session_scope() as session:
        rows = session.execute(
            sa.select(SentNotice.kind, SentNotice.period_key, SentNotice.confirmed_at)
            .where(SentNotice.user_id == user_id)
            .order_by(SentNotice.id)
        ).all()
    assert [(kind, key) for kind, key, _ in rows] == [
        ("reminder-30", last.isoformat()),
        ("reminder-5", last.isoformat()),
    ]
    assert all(confirmed is not None for *_, confirmed in rows)


def test_a_first_run_inside_the_5_day_window_sends_only_the_5_day_one(smtp, frozen_clock):
    last = clock.today_warsaw() + dt.timedelta(days=20)
    consenting_user("pozno@example.com", last)
    daily(last - dt.timedelta(days=3))
    daily(last - dt.timedelta(days=2))
    assert subjects(smtp, "pozno@example.com") == [SUBJECT_5]


def test_only_with_the_reminder_consent_and_a_confirmed_address(smtp, frozen_clock):
    last = clock.today_warsaw() + dt.timedelta(days=40)
    consenting_user("bez-zgody@example.com", last, reminders=False, info=True)
    unconfirmed = make_user("niepotwierdzony@example.com", confirmed=False)
    with session_scope() as session:
        consents.save(session, unconfirmed, reminders=True, info=False, source="registration")
        session.execute(
            sa.update(Subscription).where(Subscription.user_id == unconfirmed).values(trial_ends_on=last)
        )
    daily(last - dt.timedelta(days=30))
    assert subjects(smtp, "bez-zgody@example.com") == []
    assert subjects(smtp, "niepotwierdzony@example.com") == []


def test_a_paid_period_replaces_the_trial_and_starts_new_reminders(smtp, frozen_clock):
    trial_end = clock.today_warsaw() + dt.timedelta(days=30)
    consenting_user("oplacony@example.com", trial_end)
    daily(trial_end - dt.timedelta(days=30))
    paid_end = trial_end + dt.timedelta(days=365)
    assert (
        jobs.main(["set-subscription", "--email", "Oplacony@Example.com ", "--until", paid_end.isoformat()])
        == 0
    )
    daily(trial_end - dt.timedelta(days=5))  # the trial's 5-day one is no longer due
    assert subjects(smtp, "oplacony@example.com") == [SUBJECT_30]
    daily(paid_end - dt.timedelta(days=30))
    daily(paid_end - dt.timedelta(days=5))
    assert subjects(smtp, "oplacony@example.com") == [SUBJECT_30, SUBJECT_30, SUBJECT_5]
    assert formats.date(paid_end) in text_of(smtp.mailbox.last("oplacony@example.com", SUBJECT_5))


def test_the_consent_is_checked_at_the_moment_of_sending(smtp, frozen_clock, monkeypatch, capsys):
    last = clock.today_warsaw() + dt.timedelta(days=30)
    first = consenting_user("pierwszy@example.com", last)
    consenting_user("wycofal@example.com", last)
    real_send = mail.send

    def send_then_withdraw(letter, settings=None):
        real_send(letter, settings)
        # While the run is under way, the second user withdraws through the unsubscribe link.
        unsubscribe.withdraw(unsubscribe.make_token(first + 1, Consent.REMINDERS))

    monkeypatch.setattr(mail, "send", send_then_withdraw)
    daily(last - dt.timedelta(days=30))
    assert "1 sent, 1 skipped" in capsys.readouterr().out
    assert subjects(smtp, "pierwszy@example.com") == [SUBJECT_30]
    assert subjects(smtp, "wycofal@example.com") == []
    # Nothing is recorded for the skipped one: a consent given again later still gets it.
    assert count_rows(SentNotice, SentNotice.user_id == first + 1) == 0


def test_server_down_then_up_retries_the_failed_ones(smtp, frozen_clock, capsys):
    last = clock.today_warsaw() + dt.timedelta(days=30)
    for n in range(3):
        consenting_user(f"awaria{n}@example.com", last)
    smtp.stop()
    daily(last - dt.timedelta(days=30))
    assert "subscription reminders: 0 sent, 3 failed (retried next run)" in capsys.readouterr().out
    assert count_rows(SentNotice) == 0
    smtp.start()
    daily(last - dt.timedelta(days=29))
    assert "subscription reminders: 3 sent" in capsys.readouterr().out
    daily(last - dt.timedelta(days=28))
    for n in range(3):
        assert subjects(smtp, f"awaria{n}@example.com") == [SUBJECT_30]


def test_a_refused_mail_is_retried_and_then_sent_once(smtp, frozen_clock):
    last = clock.today_warsaw() + dt.timedelta(days=30)
    consenting_user("odmowa@example.com", last)
    smtp.mailbox.refuse = True
    daily(last - dt.timedelta(days=30))
    smtp.mailbox.refuse = False
    daily(last - dt.timedelta(days=30))
    daily(last - dt.timedelta(days=30))
    assert subjects(smtp, "odmowa@example.com") == [SUBJECT_30]


def test_a_claim_abandoned_by_a_crashed_run_is_taken_over(smtp, frozen_clock):
    last = clock.today_warsaw() + dt.timedelta(days=30)
    user_id = consenting_user("porzucone@example.com", last)
    with session_scope() as session:
        # What a run leaves when it dies between claiming and confirming.
        session.add(
            SentNotice(user_id=user_id, kind="reminder-30", period_key=last.isoformat(), sent_at=clock.now())
        )
    daily(last - dt.timedelta(days=30))
    assert subjects(smtp, "porzucone@example.com") == []  # it may still be sending: wait
    frozen_clock.advance(hours=2)
    daily(last - dt.timedelta(days=30))
    daily(last - dt.timedelta(days=30))
    assert subjects(smtp, "porzucone@example.com") == [SUBJECT_30]


def test_two_runs_at_once_send_each_reminder_once(smtp, app_env):
    """Two `jobs daily` processes started together on one database, as two machines would."""
    today = clock.today_warsaw()
    last = today + dt.timedelta(days=20)
    emails = [f"naraz{n}@example.com" for n in range(40)]
    for email in emails:
        consenting_user(email, last, info=True)
    with session_scope() as session:
        session.execute(sa.update(User).values(created_at=clock.now() - dt.timedelta(days=30)))
    env = {**os.environ}
    command = [sys.executable, "-m", "fakturowo_ui.jobs", "daily", "--date", today.isoformat()]
    runs = [
        subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    assert all("FAILED" not in out for out, _ in outputs), outputs
    for email in emails:
        assert sorted(subjects(smtp, email)) == sorted([SUBJECT_30, REVIEW]), email
    assert count_rows(SentNotice) == 2 * len(emails)


def test_due_selection_uses_the_indexes(app_env):
    """The selections are range scans of the 0002 indexes, never a scan of every subscription."""
    from sqlalchemy.dialects import sqlite

    day = dt.date(2026, 11, 23)
    plans = []
    with session_scope() as session:
        for _ in range(2):
            for kind, (first, last) in reminders.REMINDER_WINDOWS.items():
                statement = sa.select(Subscription.user_id).where(
                    Subscription.paid_until.is_(None),
                    Subscription.trial_ends_on.between(
                        day + dt.timedelta(days=last), day + dt.timedelta(days=first)
                    ),
                )
                sql = str(statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
                plans.append(" ".join(r[-1] for r in session.execute(sa.text("EXPLAIN QUERY PLAN " + sql))))
    assert all("ix_subscription_paid_until_trial_ends_on" in plan for plan in plans), plans
    assert reminders.due_reminders(day) == [] and reviews.due_reviews(day) == []
