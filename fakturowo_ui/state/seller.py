"""State of /ustawienia: the seller's details printed on every invoice.

Each event runs one step of services/seller.py through state/events.act: the session check and
the step in one transaction, off the event loop.
"""

from __future__ import annotations

import reflex as rx

from fakturowo_ui.i18n import t
from fakturowo_ui.services import seller
from fakturowo_ui.state.auth import UserBoundState
from fakturowo_ui.state.common import text_field
from fakturowo_ui.state.events import act
from fakturowo_ui.state.messages import PageMessage

_FIELDS = ("company_name", "nip", "address", "bank_account")


class SellerState(PageMessage, UserBoundState):
    """The form's values and its outcome. No row ID ever comes from the page: it is always the
    logged-in user's own profile that is read and written."""

    loaded: bool = False
    form: dict[str, str] = {}
    form_key: rx.Field[int] = rx.field(0)

    def _fill(self, profile) -> None:
        self._update(
            form={name: (getattr(profile, name) if profile else "") for name in _FIELDS}, loaded=True
        )
        self.form_key += 1

    @rx.event
    async def on_load(self):
        """Show the saved details of the logged-in user."""
        done = await act(self, seller.profile_for, what="loading the seller details")
        if not done.ok:
            return self._refused(done)
        self._say("")
        self._fill(done.value)
        return None

    @rx.event
    async def save(self, form_data: dict):
        """Save the details (only fields of the form are read; anything else sent is ignored)."""
        values = {name: text_field(form_data, name, 600) for name in _FIELDS}
        done = await act(
            self, seller.save_for, seller.SellerForm(**values), write=True, what="saving seller details"
        )
        if not done.ok:
            if done.domain_error is not None:
                self._update(form=values)  # what was typed, to correct
            return self._refused(done)
        self._fill(done.value)
        self._say(t("settings.seller.saved"))
        return None
