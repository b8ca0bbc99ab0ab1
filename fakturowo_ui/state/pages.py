"""States of the simple pages: the start page and private pages not built yet."""

from __future__ import annotations

import reflex as rx

from fakturowo_ui.state.auth import current_user, forget_user_data, login_redirect


class HomeState(rx.State):
    """The start page sends a logged-in user on to /konto."""

    @rx.event
    def on_load(self):
        """Go to the account page when logged in."""
        if current_user(self) is not None:
            return rx.redirect("/konto/")
        return None


class PrivatePageState(rx.State):
    """Guard for private pages whose own state is not built yet."""

    allowed: bool = False

    @rx.event
    async def on_load(self):
        """Only a logged-in user sees the page."""
        self.allowed = current_user(self) is not None
        if not self.allowed:
            await forget_user_data(self)
            return login_redirect(self)
        return None
