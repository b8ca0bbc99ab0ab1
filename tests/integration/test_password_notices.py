"""The daily "Za 14 dni zmiana hasła" notice through `python -m fakturowo_ui.jobs daily`, with real SMTP."""

from __future__ import annotations

import asyncio
import datetime as dt

import sqlalchemy as sa

from fakturowo_ui import jobs
from fakturowo_ui.db import session_scope
from fakturowo_ui.i18n import formats
from fakturowo_ui.models import SentNotice, User
from fakturowo_ui.services import clock, password_change
from fakturowo_ui.services.notice_claims import NoticeKind
from tests.conftest import action_link, text_of
from tests.unit.factories import PASSWORD, make_user, set_periodic_change

BASE = "http://localhost:3000"
SUBJECT = "Za 14 dni zmiana hasła"


def daily(day: dt.date) -> int:
    return jobs.main(["daily", "--date", day.isoformat()])


def notices(smtp, email: str) -> list:
    return [m for m in smtp.mailbox.to(email) if m["Subject"] == SUBJECT]


def changed_on(user_id: int, moment: dt.datetime) -> None:
    with session_scope() as session:
        session.execute(sa.update(User).where(User.id == user_id).values(password_changed_at=moment))


def test_sent_14_days_before_once_per_cycle(smtp, frozen_clock, capsys):
    user_id = make_user("co-rok@example.com")
    set_periodic_change(user_id, True)
    due = clock.today_warsaw() + dt.timedelta(days=365)

    assert daily(due - dt.timedelta(days=15)) == 0
    assert notices(smtp, "co-rok@example.com") == []

    assert daily(due - dt.timedelta(days=14)) == 0
    assert "password-change notices: 1 sent" in capsys.readouterr().out
    letter = notices(smtp, "co-rok@example.com")[0]
    text = text_of(letter)
    assert formats.date(due) in text
    assert action_link(letter, BASE) == f"{BASE}/zmiana-hasla/"
    assert f"{BASE}/konto/" in text

    # Run twice the same day, then on the following days: still one notice for this cycle.
    for offset in (14, 13, 5, 1):
        daily(due - dt.timedelta(days=offset))
    assert len(notices(smtp, "co-rok@example.com")) == 1
    with session_scope() as session:
        keys = session.scalars(sa.select(SentNotice.period_key).where(SentNotice.user_id == user_id)).all()
    assert keys == [due.isoformat()]


def test_a_missed_run_still_sends_within_the_window(smtp, frozen_clock):
    user_id = make_user("spoznione@example.com")
    set_periodic_change(user_id, True)
    due = clock.today_warsaw() + dt.timedelta(days=365)
    daily(due - dt.timedelta(days=9))
    assert len(notices(smtp, "spoznione@example.com")) == 1
    daily(due)  # the day itself: the login forces the change, no notice any more
    assert len(notices(smtp, "spoznione@example.com")) == 1


def test_only_while_the_option_is_on_and_whatever_the_consents(smtp, frozen_clock):
    on = make_user("wlaczona@example.com")  # consents are off by default
    off = make_user("wylaczona@example.com")
    switched = make_user("przelaczona@example.com")
    set_periodic_change(on, True)
    set_periodic_change(switched, True)
    set_periodic_change(switched, False)
    daily(clock.today_warsaw() + dt.timedelta(days=365 - 14))
    assert len(notices(smtp, "wlaczona@example.com")) == 1
    assert notices(smtp, "wylaczona@example.com") == []
    assert notices(smtp, "przelaczona@example.com") == []
    assert off


def test_switching_off_and_on_does_not_send_it_again(smtp, frozen_clock):
    user_id = make_user("tam-i-z-powrotem@example.com")
    set_periodic_change(user_id, True)
    due = clock.today_warsaw() + dt.timedelta(days=365)
    daily(due - dt.timedelta(days=14))
    set_periodic_change(user_id, False)
    set_periodic_change(user_id, True)
    daily(due - dt.timedelta(days=13))
    assert len(notices(smtp, "tam-i-z-powrotem@example.com")) == 1


def test_a_new_password_starts_a_new_cycle(smtp, frozen_clock):
    user_id = make_user("nowy-cykl@example.com")
    set_periodic_change(user_id, True)
    first_due = clock.today_warsaw() + dt.timedelta(days=365)
    daily(first_due - dt.timedelta(days=14))
    frozen_clock.advance(days=360)
    asyncio.run(
        password_change.change_password(
            user_id, PASSWORD, "nowe haslo na wiosne 2027", "nowe haslo na wiosne 2027"
        )
    )
    second_due = clock.today_warsaw() + dt.timedelta(days=365)
    daily(second_due - dt.timedelta(days=14))
    dates = [text_of(m) for m in notices(smtp, "nowy-cykl@example.com")]
    assert len(dates) == 2
    assert formats.date(first_due) in dates[0] and formats.date(second_due) in dates[1]


def test_a_failed_send_is_retried_by_the_next_run(smtp, frozen_clock, capsys):
    user_id = make_user("awaria@example.com")
    set_periodic_change(user_id, True)
    due = clock.today_warsaw() + dt.timedelta(days=365)
    smtp.mailbox.refuse = True
    daily(due - dt.timedelta(days=14))
    assert "1 failed" in capsys.readouterr().out
    with session_scope() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(SentNotice)) == 0
    smtp.mailbox.refuse = False
    daily(due - dt.timedelta(days=13))
    assert len(notices(smtp, "awaria@example.com")) == 1


def test_a_change_at_23_30_warsaw_counts_on_that_day(smtp, frozen_clock):
    user_id = make_user("wieczorem@example.com")
    set_periodic_change(user_id, True)
    late = clock.to_utc_naive(dt.datetime(2026, 7, 15, 23, 30, tzinfo=clock.WARSAW))
    changed_on(user_id, late)
    due = dt.date(2027, 7, 15)
    daily(due - dt.timedelta(days=15))
    assert notices(smtp, "wieczorem@example.com") == []
    daily(due - dt.timedelta(days=14))
    assert formats.date(due) in text_of(notices(smtp, "wieczorem@example.com")[0])


def test_unconfirmed_accounts_get_none(smtp, frozen_clock):
    user_id = make_user("bez-potwierdzenia@example.com", confirmed=False)
    set_periodic_change(user_id, True)
    daily(clock.today_warsaw() + dt.timedelta(days=365 - 14))
    assert notices(smtp, "bez-potwierdzenia@example.com") == []


def test_a_sent_notice_is_confirmed_and_an_abandoned_claim_is_taken_over(smtp, frozen_clock):
    sent_user = make_user("potwierdzona@example.com")
    crashed_user = make_user("porzucona@example.com")
    for user_id in (sent_user, crashed_user):
        set_periodic_change(user_id, True)
    due = clock.today_warsaw() + dt.timedelta(days=365)
    frozen_clock.advance(days=365 - 14)
    # A run that died mid-send a moment ago left an unconfirmed claim for the second user.
    with session_scope() as session:
        session.add(
            SentNotice(
                user_id=crashed_user,
                kind=NoticeKind.PASSWORD_CHANGE,
                period_key=due.isoformat(),
                sent_at=clock.now(),
            )
        )
    daily(clock.today_warsaw())
    assert len(notices(smtp, "potwierdzona@example.com")) == 1
    assert notices(smtp, "porzucona@example.com") == []  # the claim may still be sending
    frozen_clock.advance(hours=2)
    daily(clock.today_warsaw())
    assert len(notices(smtp, "porzucona@example.com")) == 1
    assert len(notices(smtp, "potwierdzona@example.com")) == 1
    with session_scope() as session:
        rows = session.scalars(
            sa.select(SentNotice).where(SentNotice.kind == NoticeKind.PASSWORD_CHANGE)
        ).all()
    assert len(rows) == 2 and all(row.confirmed_at is not None for row in rows)


def test_security_notices_are_not_gated(smtp, frozen_clock):
    """A user with both consents withdrawn still gets the password-change notice."""
    user_id = make_user("bezpieczenstwo@example.com")
    set_periodic_change(user_id, True)
    daily(clock.today_warsaw() + dt.timedelta(days=365 - 14))
    letter = smtp.mailbox.last("bezpieczenstwo@example.com", "Za 14 dni zmiana hasła")
    assert letter["List-Unsubscribe"] is None
