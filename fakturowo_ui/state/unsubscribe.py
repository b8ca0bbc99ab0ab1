"""The unsubscribe page state: opening the link changes nothing; the button withdraws the consent."""

from __future__ import annotations

import logging

import reflex as rx

from fakturowo_ui.i18n import t
from fakturowo_ui.services import blocking, consents, unsubscribe
from fakturowo_ui.services.unsubscribe import Outcome
from fakturowo_ui.state.common import link_token

log = logging.getLogger("fakturowo.state")


def _consent_name(consent: str) -> str:
    return t(consents.CONSENT_NAMES[consent]) if consent else ""


def outcome_message(outcome: Outcome, consent: str) -> tuple[str, bool]:
    """(message, is_error) for a link that cannot act or has just acted."""
    if outcome is Outcome.WITHDRAWN:
        return t("unsubscribe.done", consent=_consent_name(consent)), False
    if outcome is Outcome.ALREADY_WITHDRAWN:
        return t("unsubscribe.already", consent=_consent_name(consent)), False
    if outcome is Outcome.ACCOUNT_GONE:
        return t("unsubscribe.account_gone"), True
    return t("unsubscribe.invalid"), True


class UnsubscribeState(rx.State):
    """What the link can do, and the outcome of "Wypisz mnie". Works without a session."""

    checked: bool = False
    can_withdraw: bool = False
    lead: str = ""
    message: str = ""
    message_is_error: bool = False

    @rx.event
    async def on_load(self):
        """Look at the link without using it."""
        self.reset()
        try:
            outcome, consent = await blocking.db(unsubscribe.inspect, link_token(self))
        except Exception:  # noqa: BLE001 - never a traceback on screen
            log.exception("inspecting an unsubscribe link failed")
            self.checked, self.message, self.message_is_error = True, t("common.unexpected"), True
            return
        self.checked = True
        if outcome is Outcome.ACTIVE:
            parsed = unsubscribe.parse_token(link_token(self))
            self.can_withdraw = True
            self.lead = t(
                "unsubscribe.lead", user_id=parsed[0] if parsed else "", consent=_consent_name(consent)
            )
        else:
            self.message, self.message_is_error = outcome_message(outcome, consent)

    @rx.event
    async def withdraw(self):
        """Withdraw the consent the link is for (a record with source "unsubscribe")."""
        if not self.can_withdraw:
            return
        try:
            outcome, consent = await blocking.db(unsubscribe.withdraw, link_token(self))
        except Exception:  # noqa: BLE001 - never a traceback on screen
            log.exception("withdrawing a consent by link failed")
            self.message, self.message_is_error = t("common.unexpected"), True
            return
        self.can_withdraw = False
        self.message, self.message_is_error = outcome_message(outcome, consent)
