"""Issue 14, point 10: the client's address behind (or without) a reverse proxy.

The websocket's router data is built by Reflex's own code from a fake ASGI scope, with
REFLEX_TRUSTED_PROXY_HOPS=1 as the README used to advise, and the states read it as they do in
production. The outbox is driven over HTTP with proxy headers.
"""

from __future__ import annotations

import asyncio
import inspect
import subprocess

import pytest
import reflex as rx
from reflex.app import EventNamespace
from reflex.istate.data import RouterData
from reflex_base.config import get_config

from fakturowo_ui import routes
from fakturowo_ui.models import User
from fakturowo_ui.settings import REPO_ROOT, reset_settings_cache
from fakturowo_ui.state.common import client_ip
from tests.integration.test_api import _mail_to_outbox, assert_security_headers, client_for
from tests.unit.factories import PASSWORD, count_rows

pytestmark = pytest.mark.filterwarnings("ignore")

PEER = "203.0.113.50"


@pytest.fixture
def proxy_hops(monkeypatch):
    """Reflex configured with REFLEX_TRUSTED_PROXY_HOPS=1."""
    monkeypatch.setattr(get_config(), "trusted_proxy_hops", 1)


def trust(monkeypatch, proxies: str) -> None:
    monkeypatch.setenv("FAKTUROWO_TRUSTED_PROXIES", proxies)
    reset_settings_cache()


def socket_router(peer: str, headers: dict[str, str], path: str = routes.REGISTER) -> RouterData:
    """The router data Reflex gives a websocket connection from `peer` sending `headers`."""
    environ = {
        "asgi.scope": {
            "type": "websocket",
            "client": (peer, 50000),
            "path": "/_event",
            "headers": [(name.encode(), value.encode()) for name, value in headers.items()],
        }
    }
    router_data = EventNamespace._build_static_router_data(None, "sid-1", environ)
    router_data["pathname"] = path
    return RouterData.from_router_data(router_data)


def tab(state_class, router: RouterData):
    root = rx.State(_reflex_internal_init=True)
    root.router = router
    return root.get_substate(state_class.get_full_name().split(".")[1:])


def run(state, handler_name: str, *args) -> None:
    result = getattr(type(state), handler_name).fn(state, *args)
    if inspect.isasyncgen(result):

        async def drain():
            async for _ in result:
                pass

        asyncio.run(drain())
    elif inspect.iscoroutine(result):
        asyncio.run(result)


@pytest.fixture(scope="module")
def register_state():
    import fakturowo_ui.fakturowo_ui  # noqa: F401 - registers the app's states
    from fakturowo_ui.state.register import RegisterState

    return RegisterState


def test_reflex_hops_make_its_own_client_ip_forgeable(app_env, proxy_hops):
    """Why client_ip does not use Reflex's value: with one hop it is whatever the client wrote."""
    router = socket_router(PEER, {"x-forwarded-for": "1.2.3.4"})
    assert router.session.client_ip == "1.2.3.4"


@pytest.mark.parametrize("hops", [0, 1, 2])
def test_a_forged_header_from_a_direct_client_is_ignored(app_env, monkeypatch, hops):
    monkeypatch.setattr(get_config(), "trusted_proxy_hops", hops)
    for forged in ("1.2.3.4", "9.9.9.9, 1.2.3.4", "127.0.0.1"):
        router = socket_router(PEER, {"x-forwarded-for": forged})
        assert client_ip(tab(rx.State, router)) == PEER


def test_the_socket_peer_header_cannot_be_sent_by_the_client(app_env, proxy_hops):
    router = socket_router(PEER, {"asgi-scope-client": "1.2.3.4", "x-forwarded-for": "5.6.7.8"})
    assert client_ip(tab(rx.State, router)) == PEER


def test_behind_a_trusted_proxy_the_headers_client_counts(app_env, monkeypatch, proxy_hops):
    trust(monkeypatch, "127.0.0.1")
    router = socket_router("127.0.0.1", {"x-forwarded-for": "1.1.1.1, 198.51.100.7"})
    assert client_ip(tab(rx.State, router)) == "198.51.100.7"
    # Someone reaching the backend directly, not through the proxy, is still their own peer.
    router = socket_router(PEER, {"x-forwarded-for": "198.51.100.7"})
    assert client_ip(tab(rx.State, router)) == PEER


def test_no_peer_known_is_unknown(app_env):
    root = rx.State(_reflex_internal_init=True)
    root.router = RouterData.from_router_data({"headers": {"x-forwarded-for": "1.2.3.4"}, "ip": "1.2.3.4"})
    assert client_ip(root) == "unknown"


def _register(register_state, n: int, forged_for: str) -> bool:
    state = tab(register_state, socket_router(PEER, {"x-forwarded-for": forged_for}))
    run(
        state,
        "submit",
        {
            "email": f"rejestracja{n}@example.com",
            "password": PASSWORD,
            "password_repeat": PASSWORD,
        },
    )
    return state.done


def test_a_forged_header_does_not_lift_the_registration_limit(
    app_env, frozen_clock, proxy_hops, register_state
):
    """The finding: 12 of 12 registrations from one machine, each with its own X-Forwarded-For."""
    outcomes = [_register(register_state, n, f"198.51.100.{n}") for n in range(12)]
    assert outcomes[:10] == [True] * 10
    assert outcomes[10:] == [False, False]
    assert count_rows(User) == 10


# The outbox: never behind a proxy.


@pytest.mark.parametrize(
    "headers",
    [
        {"x-forwarded-for": "127.0.0.1"},
        {"x-forwarded-for": ""},
        {"x-real-ip": "127.0.0.1"},
        {"forwarded": "for=127.0.0.1"},
        {"X-Forwarded-For": "203.0.113.5"},
    ],
    ids=["xff-loopback", "xff-empty", "x-real-ip", "forwarded", "xff-foreign"],
)
def test_the_outbox_refuses_a_request_with_a_proxy_header(app_env, headers):
    _mail_to_outbox()
    with client_for() as client:  # from 127.0.0.1
        assert client.get(routes.DEV_OUTBOX).status_code == 200
        response = client.get(routes.DEV_OUTBOX, headers=headers)
    assert response.status_code == 404
    assert "skrzynka@example.com" not in response.text and "token" not in response.text
    assert_security_headers(response)


def test_the_outbox_is_gone_once_a_proxy_is_configured(app_env, monkeypatch):
    _mail_to_outbox()
    trust(monkeypatch, "127.0.0.1")
    with client_for() as client, client_for(("::1", 1234)) as ipv6:
        assert client.get(routes.DEV_OUTBOX).status_code == 404
        assert ipv6.get(routes.DEV_OUTBOX).status_code == 404


def _make_run(env_extra: dict[str, str]) -> str:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(REPO_ROOT), **env_extra}
    out = subprocess.run(
        ["make", "-n", "run"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=True
    )
    [line] = [line for line in out.stdout.splitlines() if "reflex run" in line]
    # Reflex's own command, without the console filter its output is piped through.
    return line.split(" 2>&1", 1)[0]


def test_make_run_binds_to_loopback_when_a_proxy_is_configured():
    assert "--backend-host" not in _make_run({})
    assert "--backend-host" not in _make_run({"FAKTUROWO_TRUSTED_PROXIES": ""})
    assert _make_run({"FAKTUROWO_TRUSTED_PROXIES": "127.0.0.1"}).endswith("--backend-host 127.0.0.1")
