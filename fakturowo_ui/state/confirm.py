"""Address confirmation page state: opening the link changes nothing; the button confirms."""

from __future__ import annotations

import reflex as rx

from fakturowo_ui.i18n import t
from fakturowo_ui.services import accounts, blocking
from fakturowo_ui.services.onetime import LinkState
from fakturowo_ui.state.auth import UserBoundState
from fakturowo_ui.state.common import link_token


class ConfirmState(UserBoundState):
    """What the confirmation link can do and the outcome of pressing the button."""

    checked: bool = False
    can_confirm: bool = False
    email: str = ""
    lead: str = ""
    message: str = ""
    message_is_error: bool = False
    confirmed: bool = False

    @rx.event
    async def on_load(self):
        """Look at the link without using it."""
        self.reset()
        state, email = await blocking.db(accounts.inspect_confirmation, link_token(self))
        self.checked = True
        if state is LinkState.VALID:
            self.can_confirm, self.email = True, email or ""
            self.lead = t("confirm.lead", email=self.email)
        else:
            self.message, self.message_is_error = t(state.message_key), True

    @rx.event
    async def confirm(self):
        """Use the link: the address is confirmed and the account can log in."""
        if not self.can_confirm:
            return
        state = await blocking.db(accounts.confirm_email, link_token(self))
        self.can_confirm = False
        if state is LinkState.VALID:
            self.confirmed = True
            self.message, self.message_is_error = t("confirm.done"), False
        else:
            self.message, self.message_is_error = t(state.message_key), True
