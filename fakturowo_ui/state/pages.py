"""State of the start page."""

from __future__ import annotations

import reflex as rx

from fakturowo_ui.state.auth import current_user


class HomeState(rx.State):
    """The start page sends a logged-in user on to /konto."""

    @rx.event
    def on_load(self):
        """Go to the account page when logged in."""
        if current_user(self) is not None:
            return rx.redirect("/konto/")
        return None
