"""Who is logged in, found on the server from the HttpOnly cookie at every private event.

The cookie travels with the websocket's handshake; Reflex keeps those headers on the server and
never sends the cookie to the page. Every private handler goes through state/events.act, which
checks the session in the same transaction as the handler's work, so a session ended elsewhere
(logout, password change, deletion) stops the tab at its next event; `require_user` remains for
the background export. This module holds what that needs: the token, the user-bound states and
forgetting them, the redirect to log in, and the middleware that checks a tab before its hydrate.
"""

from __future__ import annotations

import contextvars
import json

import reflex as rx
from reflex.middleware.middleware import Middleware

from fakturowo_ui import routes
from fakturowo_ui.services import blocking, sessions
from fakturowo_ui.services.sessions import CurrentUser
from fakturowo_ui.state import router


def session_token(state: rx.State) -> str | None:
    """The session token from the connection's Cookie header."""
    return sessions.token_from_cookie_header(router.headers(state).raw_headers.get("cookie", ""))


def current_user(state: rx.State, *, allow_pending_change: bool = False) -> CurrentUser | None:
    """The logged-in user of this tab's connection, or None (synchronous: for tests and tools;
    event handlers use `await resolve_user(...)`, which keeps the database off the event loop).

    A session that must change its password first is None here too, except for the
    password-change page (allow_pending_change=True); login_redirect then sends it there.
    """
    return sessions.resolve_token(session_token(state), allow_pending_change=allow_pending_change)


# What the last session check of this event found: a session that must change its password
# first (login_redirect sends it to /zmiana-hasla without asking the database again).
_pending_change: contextvars.ContextVar[bool | None] = contextvars.ContextVar(
    "fakturowo_pending_change", default=None
)


def note_pending_change(pending: bool) -> None:
    """Remember for login_redirect what this event's session check found."""
    _pending_change.set(pending)


async def resolve_user(state: rx.State, *, allow_pending_change: bool = False) -> CurrentUser | None:
    """current_user, with the database step in the database pool."""
    user = await blocking.db(sessions.resolve_token, session_token(state), allow_pending_change=True)
    _pending_change.set(user is not None and user.must_change_password)
    if user is not None and user.must_change_password and not allow_pending_change:
        return None
    return user


def login_redirect(state: rx.State) -> rx.event.EventSpec:
    """Send a visitor without a session to the login page, remembering where they were going.

    A session that must change its password first goes to the password-change page instead.
    """
    pending = _pending_change.get()
    if pending is None:  # no session check in this event yet
        user = current_user(state, allow_pending_change=True)
        pending = user is not None and user.must_change_password
    if pending:
        return rx.redirect(routes.here(routes.PASSWORD_CHANGE))
    # The page to come back to, without its language: the login page is in this page's language.
    back = routes.without_language(router.url(state).path or routes.ACCOUNT)
    return rx.redirect(routes.here(routes.login(back)))


def post_form(action: str, fields: dict[str, str]) -> rx.event.EventSpec:
    """Submit a hidden POST form: a full page load, so the socket reconnects with the new cookie."""
    inputs = "".join(
        f"var i=document.createElement('input');i.type='hidden';i.name={json.dumps(name)};"
        f"i.value={json.dumps(value)};f.appendChild(i);"
        for name, value in fields.items()
    )
    script = (
        "(function(){var f=document.createElement('form');f.method='post';"
        f"f.action={json.dumps(action)};{inputs}document.body.appendChild(f);f.submit();}})()"
    )
    return rx.call_script(script)


class UserBoundState(rx.State):
    """Parent of every state that holds one user's data; all its children are reset together.

    `_session_id` is the session this tab's user data was loaded under (0: none).
    """

    _session_id: int = 0

    def _update(self, **values: object) -> None:
        """Assign only the values that differ, so the delta sent to the page holds only what
        changed (Reflex sends every assigned var, equal or not)."""
        for name, value in values.items():
            if getattr(self, name) != value:
                setattr(self, name, value)


async def forget_user_data(state: rx.State, *, keep: type[rx.State] | None = None) -> None:
    """Reset every user-bound state, so the next user of this tab sees nothing of the last one
    (but `keep`, the state whose handler is showing its own outcome right now)."""
    for substate in UserBoundState.get_substates():
        if substate is not keep:
            (await state.get_state(substate)).reset()
    (await state.get_state(UserBoundState))._session_id = 0


async def require_user(state: rx.State, *, allow_pending_change: bool = False) -> CurrentUser | None:
    """The logged-in user, or None after forgetting this tab's user data (then redirect).

    Data loaded under another session (a logout and a new login in another tab) is forgotten
    too before the handler loads anything.
    """
    user = await resolve_user(state, allow_pending_change=allow_pending_change)
    bound = await state.get_state(UserBoundState)
    if user is None or bound._session_id not in (0, user.session_id):
        await forget_user_data(state)
    if user is not None:
        bound._session_id = user.session_id
    return user


class ForgetEndedSessions(Middleware):
    """Before a tab's state is sent in full (the hydrate that follows every page load and
    reconnect), drop the user data it holds unless its session is still the live one.

    Without this, reloading or restoring a tab after a logout elsewhere sent the previous user's
    data (e.g. the whole client list) in the hydrate frame before on_load could redirect.
    """

    async def preprocess(self, app, state: rx.State, event):  # noqa: ANN001 - Reflex's Middleware signature
        """Check the session on hydrate events only; never answers the event itself."""
        if not event.name.endswith((".hydrate", ".hydrate_and_load")):
            return None
        bound = await state.get_state(UserBoundState)
        if bound._session_id == 0:
            return None
        user = await resolve_user(state, allow_pending_change=True)
        if user is None or user.session_id != bound._session_id:
            await forget_user_data(state)
        return None


class LogoutState(rx.State):
    """The "Wyloguj" button."""

    @rx.event
    async def logout(self):
        """Forget this tab's user data, then end the session over HTTP (it clears the cookie)."""
        await forget_user_data(self)
        return post_form(routes.AUTH_LOGOUT, {})
