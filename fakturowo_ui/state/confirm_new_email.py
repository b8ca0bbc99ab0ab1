"""The page the link "Potwierdź nowy adres email" opens: opening changes nothing; the button swaps.

Public: the link, not a session, says which account; it works in any browser, logged in or not.
The token is read from the page's URL at each event (state/common.link_token), never kept.
"""

from __future__ import annotations

import logging

import reflex as rx

from fakturowo_ui.i18n import t
from fakturowo_ui.services import blocking, email_change
from fakturowo_ui.services.onetime import LinkState
from fakturowo_ui.state.auth import forget_user_data, session_token
from fakturowo_ui.state.common import link_token, origin

log = logging.getLogger("fakturowo.state")


class ConfirmNewEmailState(rx.State):
    """What the link can do, and the outcome of "Potwierdź nowy adres email"."""

    checked: bool = False
    can_confirm: bool = False
    busy: bool = False
    lead: str = ""
    message: str = ""
    message_is_error: bool = False
    changed: bool = False
    # After the change: whether this browser is still logged in as the account (else: log in).
    logged_in: bool = False

    def _cannot_act(self, state: LinkState) -> None:
        self.can_confirm = False
        self.message, self.message_is_error = t(state.message_key), True

    @rx.event
    async def on_load(self):
        """Look at the link without using it."""
        self.reset()
        try:
            link = await blocking.db(email_change.inspect_link, link_token(self))
        except Exception:  # noqa: BLE001 - never a traceback on screen
            log.exception("inspecting an address-change link failed")
            self.message, self.message_is_error = t("common.unexpected"), True
            self.checked = True
            return
        self.checked = True
        if link.state is not LinkState.VALID:
            self._cannot_act(link.state)
            return
        self.can_confirm = True
        self.lead = t("email_change.confirm.lead", email=link.new_email)

    @rx.event
    async def confirm(self):
        """Use the link: the account takes the new address; every other session ends."""
        if not self.can_confirm or self.busy:
            return
        self.busy = True
        yield
        try:
            result = await blocking.db(
                email_change.confirm_change, link_token(self), session_token(self), origin(self)
            )
        except Exception:  # noqa: BLE001 - never a traceback on screen
            log.exception("confirming an address change failed")
            self.message, self.message_is_error = t("common.unexpected"), True
            return
        finally:
            self.busy = False
        outcome = result.outcome
        if outcome is email_change.Outcome.CHANGED:
            self.can_confirm, self.changed, self.logged_in = False, True, result.kept_session
            self.message, self.message_is_error = (
                t("email_change.confirm.done", email=result.new_email),
                False,
            )
            if not result.kept_session:
                # This tab may show an account whose sessions just ended: drop what it held.
                await forget_user_data(self)
        elif outcome is email_change.Outcome.BLOCKED:
            self.can_confirm = False
            self.message, self.message_is_error = t("email_change.blocked"), True
        elif outcome is email_change.Outcome.TAKEN:
            self.can_confirm = False
            self.message, self.message_is_error = t("email_change.taken"), True
        else:
            self._cannot_act(result.link_state)
