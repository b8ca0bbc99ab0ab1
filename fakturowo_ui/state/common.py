"""Small helpers shared by states: the client's address, the link's token, form values, the plan's
sentence."""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping

import reflex as rx

from fakturowo_ui.i18n import t, tn
from fakturowo_ui.services import security_log, subscriptions
from fakturowo_ui.services.client_address import client_address
from fakturowo_ui.settings import get_settings
from fakturowo_ui.state import router

log = logging.getLogger("fakturowo.state")

# Reflex stores the websocket's socket peer (the ASGI scope's client) among the connection's
# headers under this name, overwriting any header of that name the client sent.
SOCKET_PEER_HEADER = "asgi-scope-client"


def client_ip(state: rx.State) -> str:
    """The client's address: the socket's peer, or X-Forwarded-For's client when that peer is one
    of FAKTUROWO_TRUSTED_PROXIES (services/client_address.py).

    Reflex's own `router.session.client_ip` is not used: with REFLEX_TRUSTED_PROXY_HOPS set it
    takes X-Forwarded-For from anyone who reaches the backend directly.
    """
    return _client_ip(router.headers(state).raw_headers)


def _client_ip(headers: Mapping) -> str:
    return _client_address(
        headers.get(SOCKET_PEER_HEADER),
        headers.get("x-forwarded-for"),
        get_settings().trusted_proxies,
    )


# A connection sends the same headers with every event: its address is worked out once. At most
# 1,024 kept: a header is at most some kilobytes, so a client inventing new ones costs little.
_client_address = functools.lru_cache(maxsize=1024)(client_address)


def origin(state: rx.State) -> security_log.Origin:
    """Where this tab's event comes from, as the security history keeps it (issue 12)."""
    headers = router.headers(state).raw_headers
    user_agent = headers.get("user-agent", "")
    return security_log.Origin(
        ip=_client_ip(headers), user_agent=user_agent if isinstance(user_agent, str) else ""
    )


def link_token(state: rx.State) -> str:
    """The `token` of the e-mailed link this page was opened with, read at each event from the
    page's URL. Never kept in a state var: the state store (Redis) would hold a live secret."""
    return text_field(router.url(state).query_parameters, "token", 200)


def text_field(form_data: Mapping | None, name: str, max_length: int = 10_000) -> str:
    """A string from a submitted form; anything else (lists, numbers, None) counts as empty.

    Overlong input is cut at max_length + 1, so length rules still see it is too long without
    the service handling megabytes.
    """
    value = form_data.get(name, "") if isinstance(form_data, Mapping) else ""
    if not isinstance(value, str):
        return ""
    return value[: max_length + 1]


def flag(form_data: Mapping | None, name: str) -> bool:
    """A checkbox from a submitted form."""
    value = form_data.get(name) if isinstance(form_data, Mapping) else None
    return value is True or (isinstance(value, str) and value in ("on", "true", "1"))


def whole_number(value: object, default: int = 0) -> int:
    """An integer argument of an event (a row ID, a page); anything else becomes `default`."""
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default


def documents_left_text(plan: subscriptions.PlanStatus) -> str:
    """This month's documents left, as /konto, /dokumenty and /wystaw say it."""
    if plan.documents_left is None:
        return t("account.subscription.unlimited")
    limit = plan.documents_limit or 0
    return tn("account.subscription.left", limit, left=plan.documents_left, limit=limit)
