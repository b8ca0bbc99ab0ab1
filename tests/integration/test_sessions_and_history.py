"""Live sessions and the security history against a real database (issue 12): listing and ending
sessions (own only, never by a forged ID), events written with the change they record, shortened
addresses, 90 days kept, gone with the account, in the data export."""

from __future__ import annotations

import datetime as dt
import json
import zipfile

import pytest
import sqlalchemy as sa

from fakturowo_ui.db import session_scope
from fakturowo_ui.models import AuthSession, SecurityEvent, User
from fakturowo_ui.services import consents, export, security_log, sessions
from fakturowo_ui.services.security_log import EventKind, Origin
from fakturowo_ui.services.sessions import CurrentUser
from tests.unit.factories import count_rows, make_user

CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"


@pytest.fixture
def two_users(app_env, frozen_clock) -> tuple[int, int]:
    return make_user("ja@example.com"), make_user("ktos@example.com")


def _session(user_id: int, agent: str, ip: str) -> CurrentUser:
    with session_scope() as session:
        token = sessions.create(session, user_id, origin=Origin(ip=ip, user_agent=agent))
    current = sessions.resolve_token(token)
    assert current is not None
    return current


def _alive(session_id: int) -> bool:
    return count_rows(AuthSession, AuthSession.id == session_id) == 1


def test_the_region_lists_live_sessions_with_browser_and_short_address(two_users, frozen_clock):
    me, _other = two_users
    here = _session(me, CHROME, "203.0.113.77")
    frozen_clock.advance(minutes=1)
    _session(me, IPHONE, "2001:db8:1234:5678::9")
    with session_scope() as session:
        live = sessions.live_for(session, here)
    assert [item.this_device for item in live] == [True, False]
    assert (live[0].browser, live[0].system, live[0].ip_prefix) == ("Chrome 131", "Linux", "203.0.113.0/24")
    assert (live[1].browser, live[1].system, live[1].ip_prefix) == (
        "Mobile Safari 17",
        "iOS 17",
        "2001:db8:1234::/48",
    )
    # Ended (idle) sessions are not listed.
    frozen_clock.advance(hours=9)
    with session_scope() as session:
        assert sessions.live_for(session, here) == []


def test_ending_a_session_takes_only_the_users_own_other_sessions(two_users):
    me, other = two_users
    here = _session(me, CHROME, "203.0.113.1")
    second = _session(me, IPHONE, "203.0.113.2")
    theirs = _session(other, CHROME, "198.51.100.1")
    for forged in (theirs.session_id, here.session_id, "abc", None, 10**12, True, [1], "1 OR 1=1"):
        with session_scope() as session:
            assert sessions.end_one_for(session, here, forged) is False
    assert count_rows(AuthSession) == 3
    with session_scope() as session:
        assert sessions.end_one_for(session, here, str(second.session_id), Origin(ip="203.0.113.1")) is True
    assert not _alive(second.session_id)
    assert count_rows(AuthSession, AuthSession.user_id == me) == 1
    with session_scope() as session:
        ended = session.scalars(sa.select(SecurityEvent).where(SecurityEvent.kind == "session_ended")).all()
    assert [(e.user_id, e.ip_prefix) for e in ended] == [(me, "203.0.113.0/24")]


def test_ending_all_other_sessions_keeps_this_one(two_users):
    me, other = two_users
    here = _session(me, CHROME, "203.0.113.1")
    for n in range(3):
        _session(me, IPHONE, f"203.0.113.{n + 10}")
    _session(other, CHROME, "198.51.100.1")
    with session_scope() as session:
        assert sessions.end_others_for(session, here) == 3
    assert count_rows(AuthSession, AuthSession.user_id == me) == 1
    assert count_rows(AuthSession, AuthSession.user_id == other) == 1
    assert _alive(here.session_id)


def test_an_event_is_written_with_its_change_and_rolled_back_with_it(two_users):
    me, _other = two_users
    with pytest.raises(RuntimeError), session_scope() as session:
        consents.save(session, me, reminders=True, info=False, source="account")
        raise RuntimeError("the change fails after the event was added")
    assert count_rows(SecurityEvent, SecurityEvent.user_id == me) == 0
    with session_scope() as session:
        assert consents.save(
            session, me, reminders=True, info=False, source="account", origin=Origin(ip="192.0.2.44")
        )
    with session_scope() as session:
        event = session.scalars(sa.select(SecurityEvent)).one()
    assert (event.kind, event.ip_prefix, event.detail) == (
        "consents_changed",
        "192.0.2.0/24",
        "reminders=on info=off",
    )
    # Nothing changed, nothing recorded.
    with session_scope() as session:
        assert not consents.save(session, me, reminders=True, info=False, source="account")
    assert count_rows(SecurityEvent, SecurityEvent.user_id == me) == 1


def test_only_a_shortened_address_is_kept(two_users):
    me, _other = two_users
    with session_scope() as session:
        for ip in ("203.0.113.77", "::ffff:10.1.2.3", "2001:db8:abcd:12::1", "nonsense", ""):
            security_log.record(session, me, EventKind.LOGIN, Origin(ip=ip, user_agent="x" * 5000))
    with session_scope() as session:
        rows = session.scalars(sa.select(SecurityEvent).order_by(SecurityEvent.id)).all()
    assert [r.ip_prefix for r in rows] == ["203.0.113.0/24", "10.1.2.0/24", "2001:db8:abcd::/48", "", ""]
    assert all(len(r.user_agent) == 300 for r in rows)


def test_the_history_keeps_90_days_newest_first_and_the_daily_job_removes_older(two_users, frozen_clock):
    me, _other = two_users
    with session_scope() as session:
        security_log.record(session, me, EventKind.LOGIN, at=frozen_clock.now() - dt.timedelta(days=91))
        security_log.record(session, me, EventKind.LOGOUT, at=frozen_clock.now() - dt.timedelta(days=89))
        security_log.record(session, me, EventKind.PASSWORD_CHANGED)
    with session_scope() as session:
        assert [e.kind for e in security_log.recent(session, me)] == ["password_changed", "logout"]
        assert security_log.purge_old(session) == 1
    assert count_rows(SecurityEvent) == 2


def test_the_history_goes_with_the_account_and_is_in_its_export(two_users):
    me, other = two_users
    with session_scope() as session:
        security_log.record(session, me, EventKind.LOGIN, Origin(ip="203.0.113.5", user_agent=CHROME))
        security_log.record(session, other, EventKind.LOGIN)
    token = export.build_export(me)
    path = export.export_path(me, token)
    assert path is not None
    with zipfile.ZipFile(path) as archive:
        data = json.loads(archive.read("dane.json"))
        history_csv = archive.read("historia_bezpieczenstwa.csv").decode("utf-8-sig")
    assert [e["zdarzenie"] for e in data["historia_bezpieczenstwa"]] == ["login"]
    assert data["historia_bezpieczenstwa"][0]["adres_ip"] == "203.0.113.0/24"
    assert "203.0.113.0/24" in history_csv and "203.0.113.5" not in history_csv
    with session_scope() as session:
        session.execute(sa.delete(User).where(User.id == me))
    assert count_rows(SecurityEvent, SecurityEvent.user_id == me) == 0
    assert count_rows(SecurityEvent, SecurityEvent.user_id == other) == 1
