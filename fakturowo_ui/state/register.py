"""Registration page state."""

from __future__ import annotations

import logging

import reflex as rx

from fakturowo_ui.i18n import t
from fakturowo_ui.services import accounts
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.state.auth import UserBoundState
from fakturowo_ui.state.common import client_ip, flag, text_field

log = logging.getLogger("fakturowo.state")


class RegisterState(UserBoundState):
    """The form's outcome: one error per field, or the confirmation notice."""

    email_error: str = ""
    password_error: str = ""
    password_repeat_error: str = ""
    message: str = ""
    message_is_error: bool = False
    done: bool = False
    busy: bool = False

    def _clear(self) -> None:
        self.email_error = self.password_error = self.password_repeat_error = ""
        self.message = ""
        self.message_is_error = False

    @rx.event
    def on_load(self):
        """A fresh form each time the page opens."""
        self.reset()

    @rx.event
    async def submit(self, form_data: dict):
        """Validate, create the account and mail the confirmation link."""
        if self.busy:
            return
        self._clear()
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
            email = await accounts.register(form, client_ip(self))
        except DomainError as error:
            errors = error.params.get("errors")
            if isinstance(errors, dict):
                self.email_error = errors.get("email", "")
                self.password_error = errors.get("password", "")
                self.password_repeat_error = errors.get("password_repeat", "")
                self.message = t("error.form", message=next(iter(errors.values())))
            else:
                self.message = error.message()
            self.message_is_error = True
        except Exception:  # noqa: BLE001 - never a traceback on screen
            log.exception("registration failed")
            self.message, self.message_is_error = t("common.unexpected"), True
        else:
            self.done = True
            self.message = t("register.done", email=email)
        finally:
            self.busy = False
