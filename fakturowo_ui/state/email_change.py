"""The /konto region "Adres email": the new address and the password, then the link to confirm it.

The request hashes the password and sends two mails, which no transaction may wait for: the
handler checks the session with act(self, None), then awaits the service through
state/outcomes.attempt (as the password change does).
"""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from fakturowo_ui.i18n import formats, t
from fakturowo_ui.services import email_change
from fakturowo_ui.state.auth import UserBoundState
from fakturowo_ui.state.common import origin, text_field
from fakturowo_ui.state.events import act
from fakturowo_ui.state.messages import FieldErrors
from fakturowo_ui.state.outcomes import attempt


class EmailChangeState(FieldErrors, UserBoundState):
    """ "Nowy adres email", "Hasło" and "Zmień adres email"; the outcome under them."""

    _error_fields: ClassVar[tuple[str, ...]] = ("new_email", "password")

    busy: bool = False
    new_email_error: str = ""
    password_error: str = ""
    # Renewed after a sent link, so the form starts empty again (no password left in it).
    form_key: int = 0

    @rx.event
    async def request(self, form_data: dict):
        """Send the link to the new address and the notice to the current one, or say why not."""
        if self.busy:
            return
        checked = await act(self, None, what="requesting an address change")
        if not checked.ok or checked.user is None:
            if (redirect := self._refused(checked)) is not None:
                yield redirect
            return
        self._clear_errors()
        self.busy = True
        yield
        try:
            done = await attempt(
                checked.user,
                email_change.request_change,
                checked.user.user_id,
                text_field(form_data, "new_email", 300),
                text_field(form_data, "password", email_change.PASSWORD_MAX),
                origin(self),
                what="address change request",
            )
        finally:
            self.busy = False
        if done.ok:
            self.form_key += 1
            self._say(
                t(
                    "email_change.sent",
                    email=done.value.new_email,
                    valid_until=formats.datetime(done.value.valid_until),
                )
            )
            return
        if done.domain_error is not None:
            self._show_refusal(done.domain_error)
        else:
            self._say(done.error, error=True)
