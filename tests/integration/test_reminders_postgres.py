"""Consents and reminders (issue 5) on the local PostgreSQL: the selections, claims, lock and unsubscribe."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
import sqlalchemy as sa

from fakturowo_ui import db
from fakturowo_ui.models import SentNotice, Subscription
from fakturowo_ui.services import clock, consents, job_lock, reminders, reviews, unsubscribe
from fakturowo_ui.settings import reset_settings_cache
from tests.integration.test_postgres_redis import postgres_url  # noqa: F401 - the fixture
from tests.unit.factories import count_rows, make_user


@pytest.mark.postgres
def test_reminders_reviews_and_lock_on_postgres(app_env, smtp, monkeypatch, postgres_url, frozen_clock):  # noqa: F811
    monkeypatch.setenv("REFLEX_DB_URL", postgres_url)
    reset_settings_cache()
    db.reset_engine()
    assert db.get_engine().dialect.name == "postgresql"
    today = clock.today_warsaw()
    suffix = uuid.uuid4().hex[:8]
    emails = [f"pg-przypomnienie{n}-{suffix}@example.com" for n in range(6)]
    ids = []
    for n, email in enumerate(emails):
        user_id = make_user(email)
        ids.append(user_id)
        with db.session_scope() as session:
            consents.save(session, user_id, reminders=True, info=True, source="account")
            last = today + dt.timedelta(days=20)
            values = {"paid_until": last} if n % 2 else {"trial_ends_on": last}
            session.execute(sa.update(Subscription).where(Subscription.user_id == user_id).values(**values))
    frozen_clock.advance(days=15)
    day = clock.today_warsaw()

    # Two runs at once (threads on one database): each reminder and review goes out once.
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        reminders.send_reminders(day)
        reviews.send_review_requests(day)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for email in emails:
        assert sorted(str(m["Subject"]) for m in smtp.mailbox.to(email)) == [
            "Podziel się opinią o Fakturowo",
            "Twój abonament kończy się za 5 dni",
        ]
    assert count_rows(SentNotice, SentNotice.user_id.in_(ids), SentNotice.confirmed_at.is_not(None)) == 12

    # The one-click withdrawal and the lock.
    assert unsubscribe.withdraw(unsubscribe.make_token(ids[0], "info"))[0] is unsubscribe.Outcome.WITHDRAWN
    name = f"pg-lock-{suffix}"
    assert job_lock.acquire(name, "a", dt.timedelta(hours=1))
    assert not job_lock.acquire(name, "b", dt.timedelta(hours=1))
