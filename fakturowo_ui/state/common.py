"""Small helpers shared by states: the client's address and a guard for unexpected errors."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import reflex as rx

log = logging.getLogger("fakturowo.state")


def client_ip(state: rx.State) -> str:
    """The client's address as Reflex saw it (X-Forwarded-For only through trusted proxy hops)."""
    return state.router.session.client_ip or "unknown"


def text_field(form_data: dict, name: str, max_length: int = 10_000) -> str:
    """A string from a submitted form; anything else (lists, numbers, None) counts as empty.

    Overlong input is cut at max_length + 1, so length rules still see it is too long without
    the service handling megabytes.
    """
    value = form_data.get(name, "") if isinstance(form_data, Mapping) else ""
    if not isinstance(value, str):
        return ""
    return value[: max_length + 1]


def flag(form_data: dict, name: str) -> bool:
    """A checkbox from a submitted form."""
    value = form_data.get(name) if isinstance(form_data, Mapping) else None
    return value is True or (isinstance(value, str) and value in ("on", "true", "1"))


def whole_number(value: object, default: int = 0) -> int:
    """An integer argument of an event (a row ID, a page); anything else becomes `default`."""
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default
