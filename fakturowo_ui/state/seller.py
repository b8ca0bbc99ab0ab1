"""State of /ustawienia: the seller's details printed on every invoice."""

from __future__ import annotations

import logging

import reflex as rx

from fakturowo_ui.i18n import t
from fakturowo_ui.services import blocking, seller
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.state.auth import (
    UserBoundState,
    login_redirect,
    require_user,
)
from fakturowo_ui.state.common import text_field

log = logging.getLogger("fakturowo.state")

_FIELDS = ("company_name", "nip", "address", "bank_account")


class SellerState(UserBoundState):
    """The form's values and its outcome. No row ID ever comes from the page: it is always the
    logged-in user's own profile that is read and written."""

    loaded: bool = False
    form: dict[str, str] = {}
    form_key: int = 0
    message: str = ""
    message_is_error: bool = False

    def _fill(self, profile) -> None:
        self.form = {name: (getattr(profile, name) if profile else "") for name in _FIELDS}
        self.form_key += 1
        self.loaded = True

    @rx.event
    async def on_load(self):
        """Show the saved details of the logged-in user."""
        user = await require_user(self)
        if user is None:
            return login_redirect(self)
        self.message, self.message_is_error = "", False
        self._fill(await blocking.db(seller.profile_of, user.user_id))
        return None

    @rx.event
    async def save(self, form_data: dict):
        """Save the details (only fields of the form are read; anything else sent is ignored)."""
        user = await require_user(self)
        if user is None:
            return login_redirect(self)
        values = {name: text_field(form_data, name, 600) for name in _FIELDS}
        try:
            profile = await blocking.db(seller.save_profile, user.user_id, seller.SellerForm(**values))
        except DomainError as error:
            self.form = values
            self.message, self.message_is_error = error.message(), True
            return None
        except Exception:  # noqa: BLE001 - never a traceback on screen
            log.exception("saving seller details failed")
            self.message, self.message_is_error = t("common.unexpected"), True
            return None
        self._fill(profile)
        self.message, self.message_is_error = t("settings.seller.saved"), False
        return None
