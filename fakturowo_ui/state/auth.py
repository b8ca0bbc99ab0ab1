"""Who is logged in, found on the server from the HttpOnly cookie at every private event.

The cookie travels with the websocket's handshake; Reflex keeps those headers on the server and
never sends the cookie to the page. States call `require_user(self)` at the start of every
private handler, so a session ended elsewhere (logout, password change, deletion) stops the tab
at its next event.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import reflex as rx

from fakturowo_ui.db import session_scope
from fakturowo_ui.services import sessions
from fakturowo_ui.services.sessions import CurrentUser


def session_token(state: rx.State) -> str | None:
    """The session token from the connection's Cookie header."""
    return sessions.token_from_cookie_header(state.router.headers.raw_headers.get("cookie", ""))


def current_user(state: rx.State, *, allow_pending_change: bool = False) -> CurrentUser | None:
    """The logged-in user of this tab's connection, or None.

    A session that must change its password first is None here too, except for the
    password-change page (allow_pending_change=True); login_redirect then sends it there.
    """
    token = session_token(state)
    if token is None:
        return None
    with session_scope() as session:
        return sessions.resolve(session, token, allow_pending_change=allow_pending_change)


# Passwords (issue 4): where a session marked "must change password" is sent from every other page.
PASSWORD_CHANGE_PATH = "/zmiana-hasla/"


def login_redirect(state: rx.State) -> rx.event.EventSpec:
    """Send a visitor without a session to the login page, remembering where they were going.

    A session that must change its password first goes to the password-change page instead.
    """
    pending = current_user(state, allow_pending_change=True)
    if pending is not None and pending.must_change_password:
        return rx.redirect(PASSWORD_CHANGE_PATH)
    path = state.router.url.path or "/konto/"
    return rx.redirect(f"/logowanie/?next={quote(path, safe='/')}")


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
    """Parent of every state that holds one user's data; all its children are reset together."""


async def forget_user_data(state: rx.State) -> None:
    """Reset every user-bound state, so the next user of this tab sees nothing of the last one."""
    for substate in UserBoundState.get_substates():
        (await state.get_state(substate)).reset()


async def require_user(state: rx.State, *, allow_pending_change: bool = False) -> CurrentUser | None:
    """The logged-in user, or None after forgetting this tab's user data (then redirect)."""
    user = current_user(state, allow_pending_change=allow_pending_change)
    if user is None:
        await forget_user_data(state)
    return user


class LogoutState(rx.State):
    """The "Wyloguj" button."""

    @rx.event
    async def logout(self):
        """Forget this tab's user data, then end the session over HTTP (it clears the cookie)."""
        await forget_user_data(self)
        return post_form("/auth/logout", {})
