"""States of the logged-in password pages: /zmiana-hasla and the /konto region "Okresowa zmiana hasła".

/zmiana-hasla is the one page a session marked "must change password" may use, so it alone acts
with allow_pending_change=True. A successful change ends every session of the user; the tab then
continues through POST /auth/rotate, which sets a fresh session cookie.

Every event goes through state/events.act. The change itself hashes the password and sends a
mail, which no transaction may wait for: its handler checks the session with act(self, None),
then awaits the service's own steps through state/outcomes.attempt.
"""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.i18n import formats, t, tn
from fakturowo_ui.services import password_change, password_policy, periodic_change
from fakturowo_ui.state import router
from fakturowo_ui.state.auth import UserBoundState, forget_user_data, login_redirect, post_form
from fakturowo_ui.state.common import flag, origin, text_field
from fakturowo_ui.state.events import act
from fakturowo_ui.state.messages import FieldErrors, PageMessage
from fakturowo_ui.state.outcomes import attempt


def how_often(interval: int) -> str:
    """The seed's "raz na rok", adapted to the configured interval."""
    if interval == 0:
        return t("account.periodic.every_login")
    if interval == 1:
        return t("account.periodic.daily")
    if interval == 365:
        return t("account.periodic.once_a_year")
    return tn("account.periodic.every_n_days", interval, n=interval)


# Stands for the date while the sentence is split around it (a character no sentence holds).
_DATE_MARK = "\ufffc"


def periodic_sentence(interval: int, next_change_text: str) -> str:
    """The seed's sentence with the date of the next forced change (DD-MM-YYYY)."""
    if interval == 0:
        return t("account.periodic.sentence_every_login", date=next_change_text)
    return t("account.periodic.sentence", how_often=how_often(interval), date=next_change_text)


class PasswordChangeState(FieldErrors, UserBoundState):
    """The form of /zmiana-hasla and the explanation when the change is forced."""

    _error_fields: ClassVar[tuple[str, ...]] = ("current_password", "new_password", "new_password_repeat")

    loaded: bool = False
    forced: bool = False
    done: bool = False
    busy: bool = False
    current_password_error: str = ""
    new_password_error: str = ""
    new_password_repeat_error: str = ""

    @rx.event
    async def on_load(self):
        """Open the form for the logged-in user (also while the periodic change is due)."""
        # "?zmieniono=1" comes from the hop after a change; a hand-made link says nothing.
        after_change = bool(router.url(self).query_parameters.get("zmieniono"))
        done = await act(
            self,
            password_change.changed_recently_for if after_change else None,
            allow_pending_change=True,
            what="loading /zmiana-hasla",
        )
        if done.redirect is not None:
            return done.redirect
        self.reset()
        if done.user is None:  # the session check itself failed
            return self._refused(done)
        self.forced = done.user.must_change_password
        if not done.ok:
            self._refused(done)
        elif not self.forced and done.value:
            self.done = True
            self._say(t("password_change.done"))
        self.loaded = True
        return None

    @rx.event
    async def submit(self, form_data: dict):
        """Check the current password, set the new one, then swap this tab's session cookie."""
        if self.busy:
            return
        checked = await act(self, None, allow_pending_change=True, what="changing the password")
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
                password_change.change_password,
                checked.user.user_id,
                text_field(form_data, "current_password", 1000),
                text_field(form_data, "new_password", 1000),
                text_field(form_data, "new_password_repeat", 1000),
                origin(self),
                what="password change",
            )
        finally:
            self.busy = False
        if done.ok:
            self.forced = False
            self._say(t("password_change.done"))
            # Every session ended with the change; the hop sets this tab's new cookie.
            yield post_form(routes.AUTH_ROTATE, {"code": done.value})
            return
        if done.domain_error is not None:
            self._show_refusal(done.domain_error)
        else:
            self._say(done.error, error=True)


class PeriodicChangeState(PageMessage, UserBoundState):
    """The /konto region "Okresowa zmiana hasła": the opt-in box, its sentence and "Zapisz"."""

    loaded: bool = False
    enabled: bool = False
    saved_enabled: bool = False
    sentence: str = ""
    # The sentence around its date, so the page keeps the date on one line (issue 13).
    sentence_before: str = ""
    sentence_date: str = ""
    sentence_after: str = ""
    explain: str = ""
    overdue: bool = False
    busy: bool = False

    def _show(self, option: periodic_change.PeriodicChange) -> None:
        interval = password_policy.interval_days()
        self.enabled = self.saved_enabled = option.enabled
        date = formats.date(option.next_change)
        self.sentence = periodic_sentence(interval, date)
        before, _, after = periodic_sentence(interval, _DATE_MARK).partition(_DATE_MARK)
        self.sentence_before, self.sentence_date, self.sentence_after = before, date, after
        self.explain = t("account.periodic.explain", how_often=how_often(interval))
        # With an interval of 0 every login forces the change: nothing is "overdue" then.
        self.overdue = option.due and interval > 0
        self.loaded = True

    @rx.event
    async def on_load(self):
        """Load the option for the logged-in user (AccountState.on_load sends others away)."""
        done = await act(self, periodic_change.periodic_change_for, what="loading the periodic change")
        self.reset()
        if done.redirect is not None or done.user is None:
            return
        if not done.ok:
            self._refused(done)
        elif done.value is not None:
            self._show(done.value)

    @rx.event
    def set_enabled(self, value: bool):
        """Tick or untick the box (saved by "Zapisz")."""
        self.enabled = bool(value)

    @rx.event
    async def save(self, form_data: dict | None = None):
        """Store the option; the date it shows is the last password change plus the interval."""
        if self.busy:
            return
        # The box as the form sent it (absent when unticked); the controlled value otherwise.
        if isinstance(form_data, dict):
            wanted = flag(form_data, "periodic_password_change")
        else:
            wanted = self.enabled
        self.busy = True
        self._say("")
        yield
        try:
            # Stored and read back with the session check: one write transaction.
            done = await act(
                self,
                periodic_change.save_periodic_change_for,
                wanted,
                write=True,
                what="saving the periodic password change",
            )
        finally:
            self.busy = False
        if not done.ok:
            if (redirect := self._refused(done)) is not None:
                yield redirect
            return
        if done.value is None:  # the account is gone
            await forget_user_data(self)
            yield login_redirect(self)
            return
        self._show(done.value)
        self._say(t("account.periodic.saved_on") if done.value.enabled else t("account.periodic.saved_off"))
