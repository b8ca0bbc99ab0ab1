"""Login page state: checks the password, then hands a one-time code to the cookie endpoint."""

from __future__ import annotations

import logging

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.i18n import t
from fakturowo_ui.services import accounts
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.state import router
from fakturowo_ui.state.auth import forget_user_data, post_form, resolve_user
from fakturowo_ui.state.common import client_ip, origin, text_field

log = logging.getLogger("fakturowo.state")


class LoginState(rx.State):
    """Messages of the login form and the resend offer for an unconfirmed address."""

    message: str = ""
    message_is_error: bool = False
    # A notice, neither success nor error: why the visitor is here (sent from a private page).
    message_is_info: bool = False
    can_resend: bool = False
    busy: bool = False
    _unconfirmed_email: str = ""
    _next_path: str = ""

    @rx.event
    async def on_load(self):
        """Show why the visitor is here (logged out, sent from a private page); skip if logged in."""
        self.reset()
        params = router.url(self).query_parameters
        self._next_path = accounts.safe_next_path(params.get("next"))
        if params.get("wylogowano"):
            self.message = t("logout.done")
        elif params.get("blad"):
            self.message, self.message_is_error = t("login.code_invalid"), True
        elif params.get("next"):
            self.message, self.message_is_info = t("login.required"), True
        if await resolve_user(self) is not None:
            return rx.redirect(routes.here(self._next_path))
        return None

    @rx.event
    async def submit(self, form_data: dict):
        """Check the credentials; on success continue through POST /auth/session."""
        if self.busy:
            return
        self.message, self.message_is_error, self.can_resend = "", False, False
        self.message_is_info = False
        email = text_field(form_data, "email", 1000)
        password = text_field(form_data, "password", 1000)
        self.busy = True
        yield
        try:
            code = await accounts.log_in(email, password, client_ip(self), self._next_path, origin(self))
        except accounts.UnconfirmedAddress as error:
            self.message, self.message_is_error = error.message(), True
            self.can_resend = True
            self._unconfirmed_email = accounts.normalise_email(email)
        except DomainError as error:
            self.message, self.message_is_error = error.message(), True
        except Exception:  # noqa: BLE001 - never a traceback on screen
            log.exception("login failed unexpectedly")
            self.message, self.message_is_error = t("common.unexpected"), True
        else:
            # A new user in this tab starts from nothing the previous one left behind.
            await forget_user_data(self)
            yield post_form(routes.AUTH_SESSION, {"code": code})
            return
        finally:
            self.busy = False

    @rx.event
    async def resend(self):
        """Mail the confirmation link again (rate-limited per account)."""
        if not self._unconfirmed_email or self.busy:
            return
        self.busy = True
        yield
        try:
            email = await accounts.resend_confirmation(self._unconfirmed_email)
        except DomainError as error:
            self.message, self.message_is_error = error.message(), True
        except Exception:  # noqa: BLE001
            log.exception("resending the confirmation failed")
            self.message, self.message_is_error = t("common.unexpected"), True
        else:
            self.message, self.message_is_error = t("login.resent", email=email), False
            self.can_resend = False
        finally:
            self.busy = False
