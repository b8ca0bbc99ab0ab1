"""state/router.py reads the same headers and address as Reflex's own `state.router`, on the root
state and on a page's substate, and falls back to `state.router` where the vars it reads are not."""

from __future__ import annotations

import pytest
from reflex.app import EventNamespace
from reflex.istate.data import RouterData

from fakturowo_ui import routes
from fakturowo_ui.state import router
from fakturowo_ui.state.auth import session_token
from fakturowo_ui.state.common import link_token, origin
from tests.integration.test_trusted_proxy import tab

pytestmark = pytest.mark.filterwarnings("ignore")

TOKEN = "k" * 43  # the shape of a session token (tokens.new_token)
HEADERS = {
    "cookie": f"fakturowo_session={TOKEN}; other=1",
    "user-agent": "Mozilla/5.0 (X11) Ąę-test",
    "accept-language": "en-GB,en;q=0.8",
}


def page_router(path: str, query: str = "") -> RouterData:
    """The router data Reflex gives a websocket connection sending HEADERS, on the page `path`."""
    environ = {
        "asgi.scope": {
            "type": "websocket",
            "client": ("198.51.100.7", 50000),
            "path": "/_event",
            "headers": [(name.encode(), value.encode()) for name, value in HEADERS.items()],
        }
    }
    router_data = EventNamespace._build_static_router_data(None, "sid-1", environ)
    router_data["pathname"] = path
    router_data["asPath"] = path + query
    return RouterData.from_router_data(router_data)


@pytest.fixture(scope="module")
def account_state():
    import fakturowo_ui.fakturowo_ui  # noqa: F401 - registers the app's states
    from fakturowo_ui.state.account import ConsentsState

    return ConsentsState


def test_the_parts_read_are_those_of_state_router(app_env, account_state):
    state = tab(account_state, page_router(routes.ACCOUNT, "?token=abc_DEF-123456789012345678"))
    root = state.parent_state
    assert root is not None
    for each in (state, root):
        assert router.headers(each).raw_headers == each.router.headers.raw_headers
        assert router.headers(each).raw_headers["cookie"] == HEADERS["cookie"]
        assert router.headers(each).accept_language == "en-GB,en;q=0.8"
        assert router.url(each).path == each.router.url.path == routes.ACCOUNT
    assert session_token(state) == TOKEN
    assert origin(state).user_agent == HEADERS["user-agent"]
    assert link_token(state) == "abc_DEF-123456789012345678"
    assert router.url(state).query_parameters == state.router.url.query_parameters


def test_a_state_without_the_per_field_vars_is_read_through_its_router(app_env):
    class Old:  # what a state of a Reflex that keeps the router otherwise offers
        class router:  # noqa: N801 - mimics the attribute
            headers = "the headers"
            url = "the address"

    assert router.headers(Old()) == "the headers"  # pyright: ignore[reportArgumentType]
    assert router.url(Old()) == "the address"  # pyright: ignore[reportArgumentType]
