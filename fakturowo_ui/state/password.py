"""States of the logged-in password pages: /zmiana-hasla and the /konto region "Okresowa zmiana hasła".

/zmiana-hasla is the one page a session marked "must change password" may use, so it alone asks
require_user(..., allow_pending_change=True). A successful change ends every session of the
user; the tab then continues through POST /auth/rotate, which sets a fresh session cookie.
"""

from __future__ import annotations

import logging

import reflex as rx

from fakturowo_ui.i18n import t
from fakturowo_ui.services import blocking, clock, password_flows, password_policy
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.state.auth import (
    UserBoundState,
    forget_user_data,
    login_redirect,
    post_form,
    require_user,
    resolve_user,
)
from fakturowo_ui.state.common import flag, text_field

log = logging.getLogger("fakturowo.state")


def how_often(interval: int) -> str:
    """The seed's "raz na rok", adapted to the configured interval."""
    if interval == 0:
        return t("account.periodic.every_login")
    if interval == 1:
        return t("account.periodic.daily")
    if interval == 365:
        return t("account.periodic.once_a_year")
    return t("account.periodic.every_n_days", n=interval)


def periodic_sentence(interval: int, next_change_text: str) -> str:
    """The seed's sentence with the date of the next forced change (DD-MM-YYYY)."""
    if interval == 0:
        return t("account.periodic.sentence_every_login", date=next_change_text)
    return t("account.periodic.sentence", how_often=how_often(interval), date=next_change_text)


class PasswordChangeState(UserBoundState):
    """The form of /zmiana-hasla and the explanation when the change is forced."""

    loaded: bool = False
    forced: bool = False
    done: bool = False
    busy: bool = False
    message: str = ""
    message_is_error: bool = False
    current_password_error: str = ""
    new_password_error: str = ""
    new_password_repeat_error: str = ""

    def _clear_errors(self) -> None:
        self.message, self.message_is_error = "", False
        self.current_password_error = self.new_password_error = self.new_password_repeat_error = ""

    @rx.event
    async def on_load(self):
        """Open the form for the logged-in user (also while the periodic change is due)."""
        user = await require_user(self, allow_pending_change=True)
        if user is None:
            return login_redirect(self)
        self.reset()
        self.forced = user.must_change_password
        # "?zmieniono=1" comes from the hop after a change; a hand-made link says nothing.
        if (
            not self.forced
            and self.router.url.query_parameters.get("zmieniono")
            and await blocking.db(password_flows.changed_recently, user.user_id)
        ):
            self.done = True
            self.message = t("password_change.done")
        self.loaded = True
        return None

    @rx.event
    async def submit(self, form_data: dict):
        """Check the current password, set the new one, then swap this tab's session cookie."""
        if self.busy:
            return
        user = await require_user(self, allow_pending_change=True)
        if user is None:
            yield login_redirect(self)
            return
        self._clear_errors()
        self.busy = True
        yield
        try:
            code = await password_flows.change_password(
                user.user_id,
                text_field(form_data, "current_password", 1000),
                text_field(form_data, "new_password", 1000),
                text_field(form_data, "new_password_repeat", 1000),
            )
        except DomainError as error:
            errors = error.params.get("errors")
            if isinstance(errors, dict):
                self.current_password_error = errors.get("current_password", "")
                self.new_password_error = errors.get("new_password", "")
                self.new_password_repeat_error = errors.get("new_password_repeat", "")
                self.message = next(iter(errors.values()))
            else:
                self.message = error.message()
            self.message_is_error = True
        except Exception:  # noqa: BLE001 - never a traceback on screen
            log.exception("password change failed")
            self.message, self.message_is_error = t("common.unexpected"), True
        else:
            self.forced = False
            self.message = t("password_change.done")
            # Every session ended with the change; the hop sets this tab's new cookie.
            yield post_form("/auth/rotate", {"code": code})
            return
        finally:
            self.busy = False


class PeriodicChangeState(UserBoundState):
    """The /konto region "Okresowa zmiana hasła": the opt-in box, its sentence and "Zapisz"."""

    loaded: bool = False
    enabled: bool = False
    saved_enabled: bool = False
    sentence: str = ""
    explain: str = ""
    overdue: bool = False
    busy: bool = False
    message: str = ""
    message_is_error: bool = False

    def _show(self, option: password_flows.PeriodicChange) -> None:
        interval = password_policy.interval_days()
        self.enabled = self.saved_enabled = option.enabled
        self.sentence = periodic_sentence(interval, clock.format_date(option.next_change))
        self.explain = t("account.periodic.explain", how_often=how_often(interval))
        # With an interval of 0 every login forces the change: nothing is "overdue" then.
        self.overdue = option.due and interval > 0
        self.loaded = True

    @rx.event
    async def on_load(self):
        """Load the option for the logged-in user (AccountState.on_load sends others away)."""
        self.reset()
        user = await resolve_user(self)
        if user is None:
            return
        option = await blocking.db(password_flows.periodic_change, user.user_id)
        if option is not None:
            self._show(option)

    @rx.event
    def set_enabled(self, value: bool):
        """Tick or untick the box (saved by "Zapisz")."""
        self.enabled = bool(value)

    @rx.event
    async def save(self, form_data: dict | None = None):
        """Store the option; the date it shows is the last password change plus the interval."""
        if self.busy:
            return
        user = await require_user(self)
        if user is None:
            yield login_redirect(self)
            return
        # The box as the form sent it (absent when unticked); the controlled value otherwise.
        if isinstance(form_data, dict):
            wanted = flag(form_data, "periodic_password_change")
        else:
            wanted = self.enabled
        self.busy = True
        self.message, self.message_is_error = "", False
        yield
        try:
            # Stored and read back in one transaction, off the event loop.
            option = await blocking.db(password_flows.save_periodic_change, user.user_id, wanted)
        except Exception:  # noqa: BLE001 - never a traceback on screen
            log.exception("saving the periodic password change failed")
            self.message, self.message_is_error = t("common.unexpected"), True
            return
        finally:
            self.busy = False
        if option is None:
            await forget_user_data(self)
            yield login_redirect(self)
            return
        self._show(option)
        self.message = t("account.periodic.saved_on" if option.enabled else "account.periodic.saved_off")
