"""The tab's connection headers and page address, read at each event without assembling Reflex's
whole RouterData.

Reflex 0.10 keeps each part of `state.router` in a var of its own (rx_router_headers,
rx_router_url, ...), and every read of `state.router` builds a new RouterData of all five: a few
per cent of a save's CPU, read three times an event (the session cookie, the security history's
origin, the page's language). These read the one part they need, and fall back to
`state.router` on a Reflex that keeps them otherwise.
"""

from __future__ import annotations

from typing import Any

import reflex as rx


def headers(state: rx.State) -> Any:
    """The connection's HeaderData (`.raw_headers`, `.accept_language`, ...), as state.router.headers.

    Read-only: the value itself, not the change-tracking proxy Reflex wraps it in (a proxy again
    around `.raw_headers` and each read from it, at three reads an event).
    """
    value = getattr(state, "rx_router_headers", None)
    if value is None:
        return state.router.headers
    return getattr(value, "__wrapped__", value)


def url(state: rx.State) -> Any:
    """The page's ReflexURL (`.path`, `.query_parameters`, ...), as state.router.url."""
    value = getattr(state, "rx_router_url", None)
    href = getattr(value, "href", None)
    return href if href is not None else state.router.url
