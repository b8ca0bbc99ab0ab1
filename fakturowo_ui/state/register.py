"""Registration page state."""

from __future__ import annotations

import logging
from typing import ClassVar

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.i18n import current_language, t
from fakturowo_ui.services import accounts
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.state.auth import UserBoundState, resolve_user
from fakturowo_ui.state.common import client_ip, flag, text_field
from fakturowo_ui.state.messages import FieldErrors

log = logging.getLogger("fakturowo.state")


class RegisterState(FieldErrors, UserBoundState):
    """The form's outcome: one error per field, or the confirmation notice."""

    _error_fields: ClassVar[tuple[str, ...]] = ("email", "password", "password_repeat")

    email_error: str = ""
    password_error: str = ""
    password_repeat_error: str = ""
    done: bool = False
    busy: bool = False

    @rx.event
    async def on_load(self):
        """A fresh form each time the page opens; a logged-in user goes on to /konto."""
        self.reset()
        if await resolve_user(self) is not None:
            return rx.redirect(routes.here(routes.ACCOUNT))
        return None

    @rx.event
    async def submit(self, form_data: dict):
        """Validate, create the account and mail the confirmation link."""
        if self.busy:
            return
        self._clear_errors()
        form = accounts.RegistrationForm(
            email=text_field(form_data, "email", 1000),
            password=text_field(form_data, "password", 1000),
            password_repeat=text_field(form_data, "password_repeat", 1000),
            reminder_consent=flag(form_data, "consent_reminders"),
            info_consent=flag(form_data, "consent_info"),
        )
        self.busy = True
        yield
        try:
            # The page's language (/en/rejestracja/: English) becomes the account's.
            email = await accounts.register(form, client_ip(self), current_language())
        except DomainError as error:
            self._show_refusal(error)
        except Exception:  # noqa: BLE001 - never a traceback on screen
            log.exception("registration failed")
            self.message, self.message_is_error = t("common.unexpected"), True
        else:
            self.done = True
            self.message = t("register.done", email=email)
        finally:
            self.busy = False
