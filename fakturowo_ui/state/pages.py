"""State of the start page."""

from __future__ import annotations

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.state.auth import resolve_user


class HomeState(rx.State):
    """The start page sends a logged-in user on to /konto."""

    @rx.event
    async def on_load(self):
        """Go to the account page when logged in."""
        if await resolve_user(self) is not None:
            return rx.redirect(routes.here(routes.ACCOUNT))
        return None


class NavState(rx.State):
    """Whether the visitor of a public page (help, not found) is logged in: the menu follows it,
    so a logged-in user never thinks he was logged out there."""

    logged_in: bool = False

    @rx.event
    async def on_load(self):
        """Check the session (nothing private is shown; only the menu changes)."""
        self.logged_in = await resolve_user(self) is not None
