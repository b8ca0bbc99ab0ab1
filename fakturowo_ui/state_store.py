"""No credential at rest in the state store: the Cookie header and link tokens never reach Redis.

Why: Reflex keeps the headers of each tab's websocket handshake on the root state, twice
(`router_data["headers"]` and the `rx_router_headers` var behind `state.router.headers`), and with
REFLEX_REDIS_URL the state manager pickles the root state into Redis after every event that
touches it (`BaseState._serialize` -> `pickle.dumps` -> `__getstate__`). The Cookie header carries
the session token (`fakturowo_session=<token>`), so without this module every logged-in tab's
session token would sit in Redis for as long as its state lives there (CONTRACT.md: no state
store keeps a secret at rest). The page's URL is kept there the same way (`router_data["asPath"]`
and `["query"]`, the `rx_router_url` and `rx_router_page` vars), and a link from a mail carries
its one-time token in it (`/usun-konto/?token=...`). The in-memory state manager (one worker)
never pickles; this hook costs it nothing.

How: `install()` wraps the root State's `__getstate__`, so the pickled copy has the credential
headers (`CREDENTIAL_HEADERS`: Cookie, Authorization and the proxies' token headers) and the
secret query parameters (`SECRET_QUERY_PARAMETERS`) removed; the live state in the worker's
memory is left untouched. Handlers still read both at event time
(`state.router.headers.raw_headers["cookie"]`, state/auth.py::session_token;
`state.router.url.query_parameters["token"]`) because they come back on every load:

- Every event's router data is built by the worker that receives it, from the socket's handshake
  headers (cached per socket in that worker's memory, `App._build_static_router_data`) and the
  page URL the browser sends with the event, and is merged into the loaded state before the
  handler runs (`BaseStateEventProcessor._execute_event` -> `State._update_router_vars`). A state
  saved without them differs from it, so they are rebuilt, whichever worker saved the state.
- A background task's `async with self` loads the state again with no such merge. The wrapped
  `__setstate__` therefore puts them back from the running event's context
  (`EventContext.router_data`, the same data) when the loaded state belongs to that event's
  client token (and, for the URL, is on that event's page); this also spares ordinary events the
  rebuild above.

Not covered here: a state that copies such a value into a var of its own (e.g. a `_token`
backend var set in on_load) is pickled with it; such states should read the token from
`self.router.url.query_parameters` when they need it instead.

What is left in Redis: the tabs' states (page data without the secrets above, form values,
messages, the user's own data while a page shows it), Reflex's locks and socket records
(client token -> worker instance).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from reflex.istate.data import HeaderData, PageData, URLData
from reflex.state import State
from reflex_base import constants
from reflex_base.event.context import EventContext

# The headers that carry a credential (the same list Reflex keeps out of the page's copy).
CREDENTIAL_HEADERS = frozenset(
    {
        "cookie",
        "authorization",
        "proxy-authorization",
        "cf-access-jwt-assertion",
        "x-auth-request-access-token",
        "x-forwarded-access-token",
        "x-amzn-oidc-accesstoken",
        "x-amzn-oidc-data",
        "x-goog-iap-jwt-assertion",
    }
)
# Query parameters that carry a one-time token: every link the app mails uses `?token=`.
SECRET_QUERY_PARAMETERS = frozenset({"token"})

_ROUTER_DATA = "router_data"
_HEADERS_VAR = "rx_router_headers"
_PAGE_VAR = "rx_router_page"
_URL_VAR = "rx_router_url"
_HEADERS = constants.RouteVar.HEADERS
_QUERY = constants.RouteVar.QUERY
_AS_PATH = constants.RouteVar.ORIGIN  # "asPath": the browser's path with its query string
_MARK = "_fakturowo_keeps_secrets_in_memory"


def _without_credentials(headers: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in headers.items() if key.lower() not in CREDENTIAL_HEADERS}


def _credentials(headers: Any) -> dict[str, Any]:
    if not isinstance(headers, dict):
        return {}
    return {key: value for key, value in headers.items() if key.lower() in CREDENTIAL_HEADERS}


def _strip_header_data(data: HeaderData) -> HeaderData:
    raw = data.raw_headers
    if not data.cookie and not _credentials(dict(raw)):
        return data
    return dataclasses.replace(data, cookie="", raw_headers=type(raw)(**_without_credentials(dict(raw))))


def _secret_query(router_data: dict[str, Any]) -> bool:
    query = router_data.get(_QUERY)
    as_path = router_data.get(_AS_PATH)
    return (isinstance(query, dict) and not SECRET_QUERY_PARAMETERS.isdisjoint(query)) or (
        isinstance(as_path, str)
        and "?" in as_path
        and any(name in SECRET_QUERY_PARAMETERS for name, _ in parse_qsl(urlsplit(as_path).query))
    )


def _without_secret_query(router_data: dict[str, Any]) -> dict[str, Any]:
    stripped = dict(router_data)
    query = router_data.get(_QUERY)
    if isinstance(query, dict):
        stripped[_QUERY] = {k: v for k, v in query.items() if k not in SECRET_QUERY_PARAMETERS}
    as_path = router_data.get(_AS_PATH)
    if isinstance(as_path, str) and "?" in as_path:
        parts = urlsplit(as_path)
        kept = [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if k not in SECRET_QUERY_PARAMETERS
        ]
        stripped[_AS_PATH] = urlunsplit(("", "", parts.path, urlencode(kept), parts.fragment))
    return stripped


def stripped(fields: dict[str, Any]) -> dict[str, Any]:
    """A copy of a state's pickled fields without credential headers and secret query
    parameters (the input, the live state's own dict, is left untouched)."""
    router_data = fields.get(_ROUTER_DATA)
    header_data = fields.get(_HEADERS_VAR)
    if not isinstance(router_data, dict) and not isinstance(header_data, HeaderData):
        return fields
    fields = dict(fields)
    if isinstance(router_data, dict):
        if _credentials(router_data.get(_HEADERS)):
            router_data = {**router_data, _HEADERS: _without_credentials(router_data[_HEADERS])}
        if _secret_query(router_data):
            router_data = _without_secret_query(router_data)
            fields[_PAGE_VAR] = PageData.from_router_data(router_data)
            fields[_URL_VAR] = URLData.from_router_data(router_data)
        fields[_ROUTER_DATA] = router_data
    if isinstance(header_data, HeaderData):
        fields[_HEADERS_VAR] = _strip_header_data(header_data)
    return fields


def _header_data(router_data: dict[str, Any]) -> HeaderData:
    """HeaderData.from_router_data: a socket sends the same headers with every event, and
    building it (a regular expression per header name) was a twentieth of an event's time with
    Redis. The few recent ones are kept in this worker's memory, as its live states are."""
    headers = router_data.get(_HEADERS)
    if isinstance(headers, dict):
        with contextlib.suppress(TypeError):  # a value that cannot be hashed: built as it is
            return _header_data_of(tuple(headers.items()))
    return HeaderData.from_router_data(router_data)


@functools.lru_cache(maxsize=256)
def _header_data_of(items: tuple[tuple[str, Any], ...]) -> HeaderData:
    return HeaderData.from_router_data({_HEADERS: dict(items)})


def restore_from_event(state: State) -> None:
    """Put the credential headers and the page's secret query parameters back from the running
    event, if this root state belongs to the event's client (a background task re-loading it)."""
    saved = vars(state).get(_ROUTER_DATA)
    if not isinstance(saved, dict) or not saved:
        return
    try:
        ctx = EventContext.get()
    except LookupError:
        return
    live = ctx.router_data or {}
    if not ctx.token or saved.get(constants.RouteVar.CLIENT_TOKEN) != ctx.token:
        return
    restored = saved
    live_credentials = _credentials(live.get(_HEADERS))
    if live_credentials and _credentials(saved.get(_HEADERS)) != live_credentials:
        restored = {**restored, _HEADERS: {**(saved.get(_HEADERS) or {}), **live_credentials}}
    same_page = live.get(constants.RouteVar.PATH) == saved.get(constants.RouteVar.PATH)
    url_back = same_page and _secret_query(live) and not _secret_query(saved)
    if url_back:
        restored = {**restored, _QUERY: live.get(_QUERY), _AS_PATH: live.get(_AS_PATH)}
    if restored is saved:
        return
    # Straight into the instance's dict, as pickle does: nothing is marked dirty or sent.
    values = vars(state)
    values[_ROUTER_DATA] = restored
    values[_HEADERS_VAR] = _header_data(restored)
    if url_back:
        values[_PAGE_VAR] = PageData.from_router_data(restored)
        values[_URL_VAR] = URLData.from_router_data(restored)


# A state class lists here the vars that show a secret on the page for a moment (the two-step
# key while it is set up, the recovery codes once): they are blanked in the pickled copy, so the
# state store never holds them; the page already has them, and no handler reads them back.
SHOWN_SECRETS_ATTRIBUTE = "_shown_secrets"


def without_shown_secrets(state_class: type, fields: dict[str, Any]) -> dict[str, Any]:
    """`fields` with the class's shown secrets blanked (the live state is left untouched)."""
    names = getattr(state_class, SHOWN_SECRETS_ATTRIBUTE, ())
    if not names:
        return fields
    fields = dict(fields)
    for name in names:
        if name in fields:
            fields[name] = type(fields[name])()
    return fields


def install() -> None:
    """Wrap the root State's pickling once per process (every backend worker imports the app)."""
    if getattr(State, _MARK, False):
        return
    original_getstate = State.__getstate__
    original_setstate = State.__setstate__

    def __getstate__(self):  # noqa: N807 - pickle's protocol name
        return without_shown_secrets(type(self), stripped(original_getstate(self)))

    def __setstate__(self, saved):  # noqa: N807
        original_setstate(self, saved)
        restore_from_event(self)

    # type.__setattr__: past Reflex's metaclass, which guards state classes' attributes.
    type.__setattr__(State, "__getstate__", __getstate__)
    type.__setattr__(State, "__setstate__", __setstate__)
    type.__setattr__(State, _MARK, True)
