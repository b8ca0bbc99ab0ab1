"""The one way through the event path (issue 9, item 1), driven on the real state tree and database.

- A private event is ONE transaction: the session check and the service call together.
- The session's last-activity time is written at most once per sessions.TOUCH_INTERVAL.
- A DomainError becomes the page's message; anything else is logged and shown as "unexpected";
  no session, or a forged one, sends the tab to log in and forgets its user data.
- A save sends back only what changed, and renews its message every time.
- The consents' change times come from the user row, however long the history.
"""

from __future__ import annotations

import asyncio
import logging

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from fakturowo_ui import db
from fakturowo_ui.models import AuthSession, ConsentRecord
from fakturowo_ui.services import as_user, consents, sessions
from fakturowo_ui.services.consents import Consent
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.state import events
from tests.integration.test_states_off_loop import _drive, _tab
from tests.unit.factories import make_user

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture(scope="module")
def account_state():
    import fakturowo_ui.fakturowo_ui  # noqa: F401
    from fakturowo_ui.state.account import AccountState

    return AccountState


def _consents_of(account_tab):
    """The consents region's state in the same tab (AccountState.on_load fills it)."""
    from fakturowo_ui.state.account import ConsentsState

    root = account_tab._get_root_state()
    return root.get_substate(ConsentsState.get_full_name().split(".")[1:])


@pytest.fixture
def logged_in(app_env, frozen_clock):
    user_id = make_user("sciezka@example.com")
    with db.session_scope() as session:
        token = sessions.create(session, user_id)
    return user_id, token


class _Statements:
    """Counts transactions (BEGIN) and statements on the engine while active."""

    def __init__(self) -> None:
        self.begins = 0
        self.statements: list[str] = []

    def __enter__(self):
        engine = db.get_engine()
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "before_cursor_execute", self._statement)
        return self

    def __exit__(self, *exc):
        engine = db.get_engine()
        event.remove(engine, "begin", self._begin)
        event.remove(engine, "before_cursor_execute", self._statement)

    def _begin(self, _conn):
        self.begins += 1

    def _statement(self, _conn, _cursor, statement, *_rest):
        self.statements.append(statement)


def test_a_save_is_one_transaction(account_state, logged_in):
    _user_id, token = logged_in
    tab = _tab(account_state, token)
    asyncio.run(_drive(tab, "on_load"))
    region = _consents_of(tab)
    with _Statements() as seen:
        asyncio.run(_drive(region, "save_consents", {"reminder_consent": "on"}))
    assert region.consents_message.startswith("Zapisano zgody")
    assert seen.begins == 1, seen.statements
    # Nothing of the overview (plan, counts) is read again on a save.
    assert not any("count(" in s.lower() for s in seen.statements), seen.statements


def test_the_last_activity_is_written_at_most_once_per_interval(account_state, logged_in, frozen_clock):
    _user_id, token = logged_in
    tab = _tab(account_state, token)

    def updates_of_sessions(statements):
        return [s for s in statements if s.lstrip().upper().startswith("UPDATE") and "auth_session" in s]

    with _Statements() as seen:
        for _ in range(5):
            asyncio.run(_drive(tab, "on_load"))
    assert updates_of_sessions(seen.statements) == []
    frozen_clock.advance(seconds=sessions.TOUCH_INTERVAL.total_seconds() + 1)
    with _Statements() as seen:
        for _ in range(5):
            asyncio.run(_drive(tab, "on_load"))
    assert len(updates_of_sessions(seen.statements)) == 1
    with db.session_scope() as session:
        assert session.scalar(sa.select(AuthSession.last_seen_at)) == frozen_clock.now()


def test_domain_errors_become_the_message_and_others_the_unexpected_one(account_state, logged_in, caplog):
    _user_id, token = logged_in
    tab = _tab(account_state, token)

    def refuse(session, user):
        raise DomainError("export.busy")

    def break_down(session, user):
        raise RuntimeError("boom with a secret 1234")

    refused = asyncio.run(events.act(tab, refuse, what="refusing"))
    assert refused.error.startswith("Teraz przygotowujemy") and refused.user is not None
    assert refused.error_key == "export.busy"
    with caplog.at_level(logging.ERROR, logger="fakturowo.state"):
        broken = asyncio.run(events.act(tab, break_down, what="breaking"))
    assert (
        broken.error == "Coś poszło nie tak. Spróbuj ponownie za chwilę."
        or broken.error_key == "common.unexpected"
    )
    assert "breaking failed" in caplog.text


def test_a_write_that_fails_changes_nothing(account_state, logged_in):
    user_id, token = logged_in
    tab = _tab(account_state, token)

    def write_then_fail(session, user):
        consents.save(session, user.user_id, reminders=True, info=True, source="account")
        raise RuntimeError("after the write")

    outcome = asyncio.run(events.act(tab, write_then_fail, write=True))
    assert outcome.error_key == "common.unexpected"
    with db.session_scope() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(ConsentRecord)) == 0


@pytest.mark.parametrize("cookie", ["", "x" * 43, "not a token at all"])
def test_no_or_a_forged_session_redirects_and_forgets(account_state, logged_in, cookie):
    _user_id, token = logged_in
    tab = _tab(account_state, token)
    asyncio.run(_drive(tab, "on_load"))
    assert tab.email == "sciezka@example.com"
    forged = _tab(account_state, cookie)
    forged.email = "resztki@example.com"
    ran = []
    outcome = asyncio.run(events.act(forged, lambda session, user: ran.append(user)))
    assert outcome.redirect is not None and outcome.user is None and not ran
    assert forged.email == ""


def test_a_session_that_must_change_its_password_runs_nothing(account_state, logged_in):
    _user_id, token = logged_in
    with db.session_scope() as session:
        session.execute(sa.update(AuthSession).values(must_change_password=True))
    tab = _tab(account_state, token)
    ran = []
    outcome = asyncio.run(events.act(tab, lambda session, user: ran.append(user)))
    assert outcome.redirect is not None and not ran
    assert "zmiana-hasla" in str(outcome.redirect)
    allowed = asyncio.run(events.act(tab, lambda session, user: "ok", allow_pending_change=True))
    assert allowed.value == "ok"


def test_a_save_sends_only_what_changed_and_renews_its_message(account_state, logged_in, frozen_clock):
    _user_id, token = logged_in
    tab = _tab(account_state, token)
    asyncio.run(_drive(tab, "on_load"))
    region = _consents_of(tab)
    bound = region.parent_state
    tab._clean()
    region._clean()
    bound._clean()
    asyncio.run(_drive(region, "save_consents", {"reminder_consent": "on"}))
    first = region.consents_message
    sent = set(region.dirty_vars)
    assert {"reminders_changed", "consents_message", "consents_message_serial"} <= sent
    # The rest of /konto (plan, counts, who is logged in) is another state: not touched at all,
    # nor is the session its data was loaded under (the same as before).
    assert not tab.dirty_vars, tab.dirty_vars
    assert not bound.dirty_vars, bound.dirty_vars
    region._clean()
    frozen_clock.advance(seconds=3)
    asyncio.run(_drive(region, "save_consents", {"reminder_consent": "on"}))  # same again: a new message
    assert region.consents_message != first and "Nic się nie zmieniło" in region.consents_message
    assert "consents_message_serial" in region.dirty_vars


def test_change_times_come_from_the_user_row_however_long_the_history(logged_in, frozen_clock):
    user_id, _token = logged_in
    for i in range(50):
        frozen_clock.advance(minutes=1)
        with db.session_scope() as session:
            consents.save(session, user_id, reminders=i % 2 == 0, info=False, source="account")
    with _Statements() as seen, db.session_scope() as session:
        changes = consents.last_changes(session, user_id)
    assert changes[Consent.REMINDERS] == frozen_clock.now()
    assert Consent.INFO not in changes
    assert not any("consent_record" in s for s in seen.statements)


def test_as_user_run_without_work_only_checks(logged_in):
    user_id, token = logged_in
    assert as_user.run(token, None).user.user_id == user_id
    assert as_user.run(None, None).user is None


def _state_classes(root):
    yield root
    for substate in root.get_substates():
        yield from _state_classes(substate)


def test_no_event_recomputes_or_loads_a_state_it_does_not_touch(account_state):
    """An uncached computed var (or one depending on the root's router) makes Reflex recompute
    it, and the Redis state manager load its whole state, at EVERY event of the tab, whatever
    state the event is for. The app's states have none: their sentences are made where their
    parts change."""
    import reflex as rx

    root = rx.State
    assert root._always_dirty_substates == set()
    assert root._potentially_dirty_states == set()
    uncached = {
        cls.get_full_name(): cls._always_dirty_computed_vars
        for cls in _state_classes(root)
        if cls._always_dirty_computed_vars
    }
    assert uncached == {}
    # Each state's computed vars depend only on its own vars.
    for cls in _state_classes(root):
        assert cls._potentially_dirty_states <= {cls.get_full_name()}, cls.get_full_name()


def test_account_sentences_follow_the_page_language(account_state, logged_in):
    """The sentences are plain vars made at load: the English page makes them in English."""
    from fakturowo_ui.i18n import set_language

    user_id, token = logged_in
    tab = _tab(account_state, token)
    set_language("pl")
    asyncio.run(_drive(tab, "on_load"))
    polish = (tab.signed_in_text, tab.counts_text, tab.deletion_text)
    set_language("en")
    try:
        asyncio.run(_drive(tab, "on_load"))
        english = (tab.signed_in_text, tab.counts_text, tab.deletion_text)
    finally:
        set_language("pl")
    assert all(str(user_id) in text for text in (polish[0], english[0]))
    assert all(p != e and e for p, e in zip(polish, english, strict=True))
