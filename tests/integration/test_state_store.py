"""fakturowo_ui/state_store.py: what Redis would get of a tab's root state, and what comes back.

The pickles here are the ones the Redis state manager writes (`BaseState._serialize`); the
merge is the one Reflex does before every event (`State._update_router_vars`, as
`BaseStateEventProcessor._execute_event` calls it). The whole path with a real server, Redis and
two workers is in test_workers.py.
"""

from __future__ import annotations

import pickle

import pytest
import reflex as rx
from reflex.state import BaseState
from reflex_base.event.context import EventContext

from fakturowo_ui import state_store
from fakturowo_ui.services import sessions
from fakturowo_ui.state.auth import session_token

pytestmark = pytest.mark.filterwarnings("ignore")

TOKEN = "sesja-Zk3aQ9tL0pW2xR7vB5nM8cD1eF4gH6jK"
LINK_TOKEN = "link-BnMwZq1gfZ51Gq0Cmv3YhO0ObCRI7sCq"
CLIENT = "5e6f-tab-client-token"


@pytest.fixture(scope="module", autouse=True)
def installed():
    import fakturowo_ui.fakturowo_ui  # noqa: F401 - the app module installs the hook

    assert getattr(rx.State, "_fakturowo_keeps_secrets_in_memory", False)


def event_router_data(path: str = "/konto", as_path: str = "/konto/", query: dict | None = None) -> dict:
    """Router data as App.on_event builds it for an event from this tab's socket."""
    return {
        "pathname": path,
        "asPath": as_path,
        "query": query or {},
        "token": CLIENT,
        "sid": "sid-1",
        "ip": "127.0.0.1",
        "headers": {
            "host": "localhost:3000",
            "origin": "http://localhost:3000",
            "cookie": f"{sessions.COOKIE_NAME}={TOKEN}; other=1",
            "authorization": "Bearer api-key-123",
            "user-agent": "Chromium",
        },
    }


def tab(router_data: dict) -> rx.State:
    """A root state that has seen one event with `router_data`."""
    root = rx.State(_reflex_internal_init=True)
    root.router_data = root._update_router_vars(router_data, {})
    root._clean()
    return root


def secrets_in(payload: bytes) -> list[str]:
    return [s for s in (TOKEN, LINK_TOKEN, "api-key-123", "fakturowo_session") if s.encode() in payload]


def test_the_pickle_has_no_cookie_and_the_live_state_keeps_it():
    root = tab(event_router_data())
    payload = root._serialize()
    assert secrets_in(payload) == []
    assert b"Chromium" in payload and b"localhost:3000" in payload  # the rest is kept
    assert session_token(root) == TOKEN, "the worker's own copy is untouched"
    assert root.router_data["headers"]["cookie"].endswith("other=1")


def test_the_next_event_gets_the_cookie_back_from_its_socket():
    """Loaded elsewhere (no event running): Reflex's merge of the event's router data brings the
    cookie back, as on another worker."""
    loaded = BaseState._deserialize(data=tab(event_router_data())._serialize())
    assert session_token(loaded) is None
    previous = loaded.router_data
    merged = loaded._update_router_vars(event_router_data(), previous)
    assert merged != previous
    loaded.router_data = merged
    assert session_token(loaded) == TOKEN
    assert loaded.router.headers.raw_headers["authorization"] == "Bearer api-key-123"


def test_a_load_inside_the_tabs_event_restores_it_at_once():
    """A background task's `async with self` loads the state with no merge: restored from the
    event's context, nothing marked dirty."""
    payload = tab(event_router_data())._serialize()
    with EventContext(token=CLIENT, state_manager=None, enqueue_impl=None, router_data=event_router_data()):
        loaded = BaseState._deserialize(data=payload)
    assert session_token(loaded) == TOKEN
    assert loaded.dirty_vars == set()
    assert loaded.router_data == event_router_data()
    # and Reflex's merge then finds nothing to change
    assert loaded._update_router_vars(event_router_data(), loaded.router_data) == loaded.router_data


def test_another_clients_event_restores_nothing():
    payload = tab(event_router_data())._serialize()
    with EventContext(
        token="someone-else", state_manager=None, enqueue_impl=None, router_data=event_router_data()
    ):
        loaded = BaseState._deserialize(data=payload)
    assert session_token(loaded) is None


def test_a_link_token_in_the_url_stays_out_and_comes_back():
    data = event_router_data(
        "/usun-konto", f"/usun-konto/?token={LINK_TOKEN}&x=1", {"token": LINK_TOKEN, "x": "1"}
    )
    root = tab(data)
    assert root.router.url.query_parameters["token"] == LINK_TOKEN
    payload = root._serialize()
    assert secrets_in(payload) == []
    assert b"/usun-konto/?x=1" in payload
    loaded = BaseState._deserialize(data=payload)
    assert "token" not in loaded.router.url.query_parameters
    assert loaded.router.url.query_parameters["x"] == "1"
    loaded.router_data = loaded._update_router_vars(data, loaded.router_data)
    assert loaded.router.url.query_parameters["token"] == LINK_TOKEN
    assert loaded.router.page.params["token"] == LINK_TOKEN
    # inside the tab's event on the same page: back at once
    with EventContext(token=CLIENT, state_manager=None, enqueue_impl=None, router_data=data):
        again = BaseState._deserialize(data=payload)
    assert again.router.url.query_parameters["token"] == LINK_TOKEN
    # an event of another page does not lend its query to this one
    other = event_router_data("/konto", "/konto/?token=zzz", {"token": "zzz"})
    with EventContext(token=CLIENT, state_manager=None, enqueue_impl=None, router_data=other):
        elsewhere = BaseState._deserialize(data=payload)
    assert "token" not in elsewhere.router.url.query_parameters


def test_a_tab_built_from_router_data_only_in_its_vars():
    """Tests and tools set `state.router` without router_data: the header var is stripped too."""
    from reflex.istate.data import RouterData

    root = rx.State(_reflex_internal_init=True)
    root.router = RouterData.from_router_data({"headers": {"cookie": f"{sessions.COOKIE_NAME}={TOKEN}"}})
    assert secrets_in(root._serialize()) == []
    assert session_token(root) == TOKEN


def test_substates_are_pickled_as_before():
    from fakturowo_ui.state.account import AccountState

    root = tab(event_router_data())
    account = root.get_substate(AccountState.get_full_name().split(".")[1:])
    account.email = "ktos@example.com"
    assert pickle.loads(pickle.dumps(account)).email == "ktos@example.com"
    assert state_store.stripped(vars(account)) is vars(account)


def test_install_twice_wraps_once():
    getstate = rx.State.__getstate__
    state_store.install()
    assert rx.State.__getstate__ is getstate


def test_the_two_step_key_and_recovery_codes_never_reach_the_pickle():
    from fakturowo_ui.state.two_step import TwoStepState

    root = tab(event_router_data())
    region = root.get_substate(TwoStepState.get_full_name().split(".")[1:])
    key = "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP"
    region.key_text, region.qr = key, "data:image/svg+xml,QRQRQR"
    region.recovery_codes = ["abcd-efgh-ijkl-mnop", "qrst-uvwx-yz23-4567"]
    region.method, region.stage = "", "app"
    payload = pickle.dumps(region)
    for secret in (key, "QRQRQR", "abcd-efgh-ijkl-mnop", "qrst-uvwx-yz23-4567"):
        assert secret.encode() not in payload
    restored = pickle.loads(payload)
    assert (restored.key_text, restored.qr, restored.recovery_codes) == ("", "", [])
    assert restored.stage == "app"  # what is not secret is kept
    # The live state, which the page is being rendered from, still has them.
    assert region.key_text == key and len(region.recovery_codes) == 2
