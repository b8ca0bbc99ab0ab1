"""services/ratelimit.py: at most `count` hits in a sliding `window` per limit and subject, the
subject stored only as a keyed digest; a reserved hit can be given back; switched off, nothing
is counted or refused."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from fakturowo_ui.db import session_scope
from fakturowo_ui.models import RateLimitHit
from fakturowo_ui.services import ratelimit
from fakturowo_ui.settings import reset_settings_cache
from tests.unit.factories import count_rows

THREE_A_MINUTE = ratelimit.Limit("test-three", 3, dt.timedelta(minutes=1))
OTHER = ratelimit.Limit("test-other", 3, dt.timedelta(minutes=1))


def _reserve(limit: ratelimit.Limit, subject: str) -> int | None:
    with session_scope(write_lock=True) as session:
        return ratelimit.reserve(session, limit, subject)


def test_the_hit_after_count_is_refused_until_the_oldest_leaves_the_window(app_env, frozen_clock):
    start = frozen_clock.now()
    for seconds in (0, 20, 40):
        frozen_clock.moment = start + dt.timedelta(seconds=seconds)
        _reserve(THREE_A_MINUTE, "198.51.100.7")
    with pytest.raises(ratelimit.RateLimited) as refused:
        _reserve(THREE_A_MINUTE, "198.51.100.7")
    assert refused.value.until == start + dt.timedelta(minutes=1)  # when the first hit expires
    assert refused.value.key == "common.try_again_at" and refused.value.params["minutes"] == 1
    assert count_rows(RateLimitHit) == 3  # a refused hit is not counted

    frozen_clock.moment = start + dt.timedelta(seconds=59, microseconds=999_999)
    with pytest.raises(ratelimit.RateLimited):
        _reserve(THREE_A_MINUTE, "198.51.100.7")
    frozen_clock.moment = start + dt.timedelta(minutes=1)
    _reserve(THREE_A_MINUTE, "198.51.100.7")  # sliding: the hit of second 0 no longer counts
    with pytest.raises(ratelimit.RateLimited) as again:
        _reserve(THREE_A_MINUTE, "198.51.100.7")
    assert again.value.until == start + dt.timedelta(seconds=80)


def test_subjects_and_limits_are_counted_apart(app_env, frozen_clock):
    for _ in range(3):
        _reserve(THREE_A_MINUTE, "a@example.com")
    _reserve(THREE_A_MINUTE, "b@example.com")
    _reserve(OTHER, "a@example.com")
    with session_scope() as session:
        assert ratelimit.retry_after(session, THREE_A_MINUTE, "a@example.com") is not None
        assert ratelimit.retry_after(session, THREE_A_MINUTE, "b@example.com") is None
        assert ratelimit.retry_after(session, OTHER, "a@example.com") is None


def test_the_subject_is_stored_only_as_a_keyed_digest(app_env, frozen_clock):
    _reserve(THREE_A_MINUTE, "jan.kowalski@example.com")
    with session_scope() as session:
        [hit] = session.scalars(sa.select(RateLimitHit)).all()
    assert "kowalski" not in hit.key and hit.key.startswith("test-three:")
    assert hit.key == ratelimit.limit_key(THREE_A_MINUTE, "jan.kowalski@example.com")
    assert hit.key != ratelimit.limit_key(THREE_A_MINUTE, "Jan.Kowalski@example.com")


def test_a_released_hit_no_longer_counts_and_clear_forgets_them_all(app_env, frozen_clock):
    hits = [_reserve(THREE_A_MINUTE, "x") for _ in range(3)]
    with session_scope(write_lock=True) as session:
        ratelimit.release(session, hits[-1], None)
    _reserve(THREE_A_MINUTE, "x")  # room for one again
    with session_scope() as session:
        with pytest.raises(ratelimit.RateLimited):
            ratelimit.ensure_allowed(session, THREE_A_MINUTE, "x")
        ratelimit.clear(session, THREE_A_MINUTE, "x")
    with session_scope() as session:
        ratelimit.ensure_allowed(session, THREE_A_MINUTE, "x")
    assert count_rows(RateLimitHit) == 0


def test_give_back_releases_in_a_transaction_of_its_own(app_env, frozen_clock):
    hits = [_reserve(THREE_A_MINUTE, "y") for _ in range(3)]
    ratelimit.give_back(hits[0], None, hits[1])
    assert count_rows(RateLimitHit) == 1
    _reserve(THREE_A_MINUTE, "y")
    _reserve(THREE_A_MINUTE, "y")
    with pytest.raises(ratelimit.RateLimited):
        _reserve(THREE_A_MINUTE, "y")


def test_purge_removes_only_hits_older_than_any_window(app_env, frozen_clock):
    _reserve(THREE_A_MINUTE, "old")
    frozen_clock.advance(hours=25)
    _reserve(THREE_A_MINUTE, "new")
    with session_scope() as session:
        assert ratelimit.purge_expired(session) == 1
    assert count_rows(RateLimitHit) == 1


def test_switched_off_nothing_is_counted_or_refused(app_env, frozen_clock, monkeypatch):
    monkeypatch.setenv("FAKTUROWO_RATE_LIMITS", "off")
    reset_settings_cache()
    assert [_reserve(THREE_A_MINUTE, "x") for _ in range(10)] == [None] * 10
    with session_scope() as session:
        ratelimit.record(session, THREE_A_MINUTE, "x")
        assert ratelimit.retry_after(session, THREE_A_MINUTE, "x") is None
    assert count_rows(RateLimitHit) == 0
