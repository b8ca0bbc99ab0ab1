"""State of /reset-hasla: ask for a link by address, and the form the e-mailed link opens.

Asking answers the same whatever the address (the mail goes out afterwards, in the background).
Opening the link only looks at it; "Ustaw hasło" uses it. Works logged in or not.
"""

from __future__ import annotations

import logging
from typing import ClassVar

import reflex as rx

from fakturowo_ui.i18n import Count, t
from fakturowo_ui.services import blocking, password_reset
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.services.onetime import LinkState
from fakturowo_ui.state.auth import UserBoundState, forget_user_data
from fakturowo_ui.state.common import client_ip, link_token, origin, text_field
from fakturowo_ui.state.messages import FieldErrors

log = logging.getLogger("fakturowo.state")


class PasswordResetState(FieldErrors, UserBoundState):
    """Which form the page shows, per-field errors and the outcome message."""

    _error_fields: ClassVar[tuple[str, ...]] = ("email", "new_password", "new_password_repeat")

    checked: bool = False
    can_set: bool = False
    link_failed: bool = False
    done: bool = False
    busy: bool = False
    lead: str = ""
    email_error: str = ""
    new_password_error: str = ""
    new_password_repeat_error: str = ""

    def _link_cannot_act(self, state: LinkState) -> None:
        self.can_set, self.link_failed = False, True
        self._say(t(state.message_key), error=True)

    @rx.event
    async def on_load(self):
        """Without a token: the request form. With one: look at the link without using it."""
        self.reset()
        if link_token(self):
            try:
                state, email = await blocking.db(password_reset.inspect_reset, link_token(self))
            except Exception:  # noqa: BLE001 - never a traceback on screen
                log.exception("inspecting a reset link failed")
                state, email = LinkState.INVALID, ""
            if state is LinkState.VALID:
                self.can_set = True
                self.lead = t("reset.form_lead", email=email)
            else:
                self._link_cannot_act(state)
        self.checked = True

    @rx.event
    async def request_link(self, form_data: dict):
        """Answer "Wyślij link" the same way for every address; the mail follows in the background."""
        if self.busy:
            return
        self._clear_errors()
        self.busy = True
        yield
        try:
            request = await password_reset.request_reset(
                text_field(form_data, "email", 1000), client_ip(self)
            )
        except DomainError as error:
            self._show_refusal(error)
        except Exception:  # noqa: BLE001
            log.exception("a reset request failed")
            self.message, self.message_is_error = t("common.unexpected"), True
        else:
            password_reset.deliver_in_background(request)
            self.message = t(
                "reset.sent",
                email=request.email,
                minutes=Count("count.minutes", int(password_reset.RESET_TTL.total_seconds() // 60)),
                per_hour=Count("count.such_messages", password_reset.RESET_MAILS_PER_ADDRESS.count),
            )
        finally:
            self.busy = False

    @rx.event
    async def set_password(self, form_data: dict):
        """Use the link: set the new password, end every session of the account."""
        if not self.can_set or self.busy:
            return
        self._clear_errors()
        self.busy = True
        yield
        try:
            await password_reset.complete_reset(
                link_token(self),
                text_field(form_data, "new_password", 1000),
                text_field(form_data, "new_password_repeat", 1000),
                origin(self),
            )
        except password_reset.LinkError as error:
            self._link_cannot_act(error.state)
        except DomainError as error:
            self._show_refusal(error)
        except Exception:  # noqa: BLE001
            log.exception("setting a password through a reset link failed")
            self.message, self.message_is_error = t("common.unexpected"), True
        else:
            self.can_set, self.done = False, True
            self.message = t("reset.done")
            # Every session of the account ended; whatever this tab held of it goes too.
            await forget_user_data(self, keep=type(self))
        finally:
            self.busy = False
