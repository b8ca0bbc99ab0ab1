"""Two-step login in the browser: the /konto region "Logowanie dwustopniowe" and the second step
of a login (/logowanie/weryfikacja/). The work is services/two_step.py's.

The key being set up and the recovery codes are on the page for a moment only: they are listed
in `_shown_secrets`, so the state store (Redis) never keeps them (state_store.py), and they are
cleared as soon as the step that shows them ends.
"""

from __future__ import annotations

import logging
from typing import ClassVar

import reflex as rx
from starlette.requests import cookie_parser

from fakturowo_ui import routes
from fakturowo_ui.i18n import t
from fakturowo_ui.services import blocking, two_step
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.services.tokens import looks_like_token
from fakturowo_ui.state import router
from fakturowo_ui.state.auth import UserBoundState, forget_user_data, post_form
from fakturowo_ui.state.common import client_ip, origin, text_field
from fakturowo_ui.state.events import act
from fakturowo_ui.state.messages import PageMessage

log = logging.getLogger("fakturowo.state")

# What the region shows: its idle view, or one of the steps of turning the method on or off.
IDLE, APP, EMAIL, CODES, OFF = "", "app", "email", "codes", "off"


class TwoStepState(PageMessage, UserBoundState):
    """The region "Logowanie dwustopniowe" of /konto."""

    _shown_secrets: ClassVar[tuple[str, ...]] = ("key_text", "qr", "recovery_codes")

    loaded: bool = False
    method: str = ""
    stage: str = IDLE
    key_text: str = ""
    qr: str = ""
    recovery_codes: list[str] = []
    recovery_left: int = 0
    busy: bool = False

    # Cached vars (an uncached one is recomputed, and loaded from Redis, at every event of the
    # tab): on_load resets the state and shows it again, so a page in the other language makes
    # them again in its language.
    @rx.var
    def status_text(self) -> str:
        """Whether it is on, and how."""
        if self.method == two_step.Method.APP:
            return t("two_step.status_app", left=self.recovery_left)
        if self.method == two_step.Method.EMAIL:
            return t("two_step.status_email")
        return t("two_step.status_off")

    @rx.var
    def codes_text(self) -> str:
        """The recovery codes as the downloaded file holds them."""
        if not self.recovery_codes:
            return ""
        return t("two_step.codes_file_head") + "\n\n" + "\n".join(self.recovery_codes) + "\n"

    def _forget_secrets(self) -> None:
        self.key_text, self.qr, self.recovery_codes = "", "", []

    def _show(self, status: two_step.Status) -> None:
        self.method = status.method
        self.recovery_left = status.recovery_left
        self.loaded = True

    @rx.event
    async def on_load(self):
        """The account's two-step login, with nothing secret left from an earlier visit."""
        done = await act(self, two_step.status_for, what="loading two-step login")
        self.reset()
        if done.redirect is not None or done.user is None:
            return done.redirect
        if not done.ok:
            return self._refused(done)
        self._show(done.value)
        return None

    async def _reload(self) -> None:
        done = await act(self, two_step.status_for, what="loading two-step login")
        if done.ok:
            self._show(done.value)

    @rx.event
    async def start_app(self):
        """A new key for an authenticator app: its QR code and the key as text."""
        if self.busy:
            return None
        done = await act(self, two_step.begin_app_for, write=True, what="starting the app method")
        if not done.ok:
            return self._refused(done)
        self._say("")
        self.stage, self.key_text, self.qr = APP, done.value.key, done.value.qr
        return None

    @rx.event
    async def confirm_app(self, form_data: dict):
        """The first code from the app turns the method on; the recovery codes are shown once."""
        if self.busy or self.stage != APP:
            return
        self.busy = True
        yield
        try:
            code = text_field(form_data, "code", 64)
            done = await act(
                self,
                two_step.confirm_app_for,
                code,
                origin(self),
                write=True,
                what="confirming the app method",
            )
            if not done.ok or done.user is None:
                yield self._refused(done)
                return
            self.key_text, self.qr = "", ""
            self.stage, self.recovery_codes = CODES, done.value
            self._say(t("two_step.on_app"))
            await two_step.notify(done.user.user_id, two_step.Notice.TURNED_ON)
            await self._reload()
        finally:
            self.busy = False

    @rx.event
    async def start_email(self):
        """The e-mail method: a code to the account's address, which then turns it on."""
        if self.busy:
            return
        self.busy = True
        yield
        try:
            done = await act(
                self, two_step.mail_setup_code_for, write=True, what="starting the e-mail method"
            )
            if not done.ok:
                yield self._refused(done)
                return
            try:
                await two_step.mail_code(done.value)
            except DomainError as error:
                self._say(error.message(), error=True)
                return
            self._forget_secrets()
            self.stage = EMAIL
            self._say(t("two_step.code_sent"))
        finally:
            self.busy = False

    @rx.event
    async def confirm_email(self, form_data: dict):
        """The mailed code turns the e-mail method on."""
        if self.busy or self.stage != EMAIL:
            return
        self.busy = True
        yield
        try:
            code = text_field(form_data, "code", 64)
            done = await act(
                self,
                two_step.confirm_email_for,
                code,
                origin(self),
                write=True,
                what="confirming the e-mail method",
            )
            if not done.ok or done.user is None:
                yield self._refused(done)
                return
            self.stage = IDLE
            self._say(t("two_step.on_email"))
            await two_step.notify(done.user.user_id, two_step.Notice.TURNED_ON)
            await self._reload()
        finally:
            self.busy = False

    @rx.event
    def start_off(self):
        """Ask for the password and a code."""
        self._say("")
        self.stage = OFF

    @rx.event
    async def mail_off_code(self):
        """For the e-mail method: a code to turn it off with."""
        if self.busy or self.stage != OFF:
            return
        self.busy = True
        yield
        try:
            done = await act(self, lambda session, user: user.user_id, what="mailing a two-step code")
            if not done.ok:
                yield self._refused(done)
                return
            try:
                await two_step.mail_code(done.value)
            except DomainError as error:
                self._say(error.message(), error=True)
                return
            self._say(t("two_step.code_sent"))
        finally:
            self.busy = False

    @rx.event
    async def turn_off(self, form_data: dict):
        """The right password and a valid code turn two-step login off."""
        if self.busy or self.stage != OFF:
            return
        self.busy = True
        yield
        try:
            found = await act(self, two_step.password_hash_for, write=True, what="turning two-step login off")
            if not found.ok:
                yield self._refused(found)
                return
            if not await two_step.verify_password(found.value, text_field(form_data, "password", 1000)):
                self._say(t("two_step.wrong_password"), error=True)
                return
            code = text_field(form_data, "code", 64)
            done = await act(
                self, two_step.turn_off_for, code, origin(self), write=True, what="turning two-step login off"
            )
            if not done.ok or done.user is None:
                yield self._refused(done)
                return
            self.stage = IDLE
            self._say(t("two_step.off_done"))
            await two_step.notify(done.user.user_id, two_step.Notice.TURNED_OFF)
            await self._reload()
        finally:
            self.busy = False

    @rx.event
    async def cancel(self):
        """Back to the region's idle view; a key never confirmed is forgotten."""
        if self.stage == APP:
            await act(self, two_step.cancel_setup_for, write=True, what="cancelling the app method")
        self._forget_secrets()
        self.stage = IDLE
        self._say("")

    @rx.event
    def codes_kept(self):
        """The user has the recovery codes: they leave the page (and never come back)."""
        self._forget_secrets()
        self.stage = IDLE


def ticket_token(state: rx.State) -> str | None:
    """The second step's ticket from the connection's Cookie header (HttpOnly: never on the page)."""
    header = router.headers(state).raw_headers.get("cookie", "")
    if not isinstance(header, str) or not header:
        return None
    value = cookie_parser(header).get(two_step.TICKET_COOKIE)
    return value if value and looks_like_token(value) else None


class SecondStepState(PageMessage, rx.State):
    """/logowanie/weryfikacja/: "Kod weryfikacyjny" and "Zweryfikuj" after the right password."""

    checked: bool = False
    live: bool = False
    method: str = ""
    busy: bool = False

    @rx.event
    async def on_load(self):
        """Is there a ticket for this browser?"""
        self.reset()
        try:
            ticket = await blocking.db(two_step.inspect_ticket, ticket_token(self))
        except Exception:  # noqa: BLE001 - never a traceback on screen
            log.exception("inspecting a login ticket failed")
            ticket = None
        self.checked = True
        if ticket is None:
            self._say(t("login.second_step.ended"), error=True)
            return
        self.live, self.method = True, ticket.method

    @rx.event
    async def submit(self, form_data: dict):
        """Check the code; the right one continues through POST /auth/session."""
        if self.busy or not self.live:
            return
        self.busy = True
        self._say("")
        yield
        try:
            result = await blocking.db(
                two_step.pass_second_step,
                ticket_token(self),
                text_field(form_data, "code", 64),
                client_ip(self),
                origin(self),
            )
        except DomainError as error:
            self._say(error.message(), error=True)
            return
        except Exception:  # noqa: BLE001
            log.exception("the second step failed")
            self._say(t("common.unexpected"), error=True)
            return
        finally:
            self.busy = False
        if result.outcome is two_step.SecondStep.PASSED:
            if result.used_recovery:
                await two_step.notify(result.user_id, two_step.Notice.RECOVERY_USED)
            await forget_user_data(self)
            yield post_form(routes.AUTH_SESSION, {"code": result.login_code})
        elif result.outcome is two_step.SecondStep.ENDED:
            self.live = False
            self._say(t("login.second_step.ended"), error=True)
        else:
            key = two_step.check_message(
                two_step.Check.REUSED
                if result.outcome is two_step.SecondStep.REUSED
                else two_step.Check.WRONG
            )
            self._say(t(key) + " " + t("login.second_step.left", left=result.attempts_left), error=True)

    @rx.event
    async def resend(self):
        """The e-mail method: another code (rate-limited)."""
        if self.busy or not self.live or self.method != two_step.Method.EMAIL:
            return
        self.busy = True
        yield
        try:
            user_id = await blocking.db(two_step.ticket_user, ticket_token(self))
            if user_id is None:
                self.live = False
                self._say(t("login.second_step.ended"), error=True)
                return
            await two_step.mail_code(user_id)
            self._say(t("two_step.code_sent"))
        except DomainError as error:
            self._say(error.message(), error=True)
        finally:
            self.busy = False
