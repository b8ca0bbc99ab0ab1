"""The /konto region "Aktywne sesje" and the page /konto/historia (issue 12): the account's live
sessions (ending one stops that tab at its next event, on any worker: every private event checks
its session in the database, state/events.act) and its security history."""

from __future__ import annotations

import reflex as rx

from fakturowo_ui.i18n import N_, formats, t
from fakturowo_ui.services import security_log, sessions
from fakturowo_ui.services.security_log import EventKind
from fakturowo_ui.state.auth import UserBoundState
from fakturowo_ui.state.common import origin
from fakturowo_ui.state.events import act
from fakturowo_ui.state.messages import PageMessage

# What each kind of event is called on /konto/historia.
EVENT_NAMES = {
    EventKind.LOGIN: N_("history.kind.login"),
    EventKind.LOGIN_FAILED: N_("history.kind.login_failed"),
    EventKind.LOGOUT: N_("history.kind.logout"),
    EventKind.PASSWORD_CHANGED: N_("history.kind.password_changed"),
    EventKind.PASSWORD_RESET: N_("history.kind.password_reset"),
    EventKind.TWO_STEP_ON: N_("history.kind.two_step_on"),
    EventKind.TWO_STEP_OFF: N_("history.kind.two_step_off"),
    EventKind.RECOVERY_CODE_USED: N_("history.kind.recovery_code_used"),
    EventKind.SESSION_ENDED: N_("history.kind.session_ended"),
    EventKind.EMAIL_CHANGE_REQUESTED: N_("history.kind.email_change_requested"),
    EventKind.EMAIL_CHANGED: N_("history.kind.email_changed"),
    EventKind.CONSENTS_CHANGED: N_("history.kind.consents_changed"),
    EventKind.DELETION_LINK_SENT: N_("history.kind.deletion_link_sent"),
}


def browser_text(browser: str, system: str) -> str:
    """ "Chrome 131, Linux", or what can be told of it."""
    if browser and system:
        return t("sessions.browser_on", browser=browser, system=system)
    return browser or system or t("sessions.unknown_browser")


class SessionsState(PageMessage, UserBoundState):
    """The region "Aktywne sesje" of /konto."""

    rows: list[dict[str, str]] = []
    others: int = 0
    busy: bool = False

    def _show(self, live: list[sessions.LiveSession]) -> None:
        self.rows = [
            {
                "id": str(item.id),
                "browser": browser_text(item.browser, item.system),
                "started": t("sessions.started", when=formats.datetime(item.created_at)),
                "seen": t("sessions.last_active", when=formats.datetime(item.last_seen_at)),
                "ip": item.ip_prefix,
                "this": "1" if item.this_device else "",
            }
            for item in live
        ]
        self.others = sum(1 for item in live if not item.this_device)

    @rx.event
    async def on_load(self):
        """The live sessions of the account."""
        done = await act(self, sessions.live_for, what="listing sessions")
        self.reset()
        if done.redirect is not None or done.user is None:
            return done.redirect
        if not done.ok:
            return self._refused(done)
        self._show(done.value)
        return None

    async def _reload(self) -> None:
        done = await act(self, sessions.live_for, what="listing sessions")
        if done.ok:
            self._show(done.value)

    @rx.event
    async def end_one(self, session_id: str):
        """ "Zakończ sesję" on another session of this account."""
        if self.busy:
            return None
        done = await act(
            self, sessions.end_one_for, session_id, origin(self), write=True, what="ending a session"
        )
        if not done.ok:
            return self._refused(done)
        self._say(t("sessions.ended_one") if done.value else t("sessions.none_ended"), error=not done.value)
        await self._reload()
        return None

    @rx.event
    async def end_others(self):
        """ "Zakończ wszystkie inne sesje"."""
        if self.busy:
            return None
        done = await act(self, sessions.end_others_for, origin(self), write=True, what="ending sessions")
        if not done.ok:
            return self._refused(done)
        self._say(t("sessions.ended_others", n=done.value))
        await self._reload()
        return None


class HistoryState(PageMessage, UserBoundState):
    """/konto/historia: the security events of the last 90 days, newest first."""

    loaded: bool = False
    rows: list[dict[str, str]] = []
    has_rows: bool = False

    @rx.event
    async def on_load(self):
        done = await act(
            self, lambda session, user: security_log.recent(session, user.user_id), what="history"
        )
        self.reset()
        if done.redirect is not None or done.user is None:
            return done.redirect
        if not done.ok:
            return self._refused(done)
        self.rows = [
            {
                "when": formats.datetime(event.at),
                "what": t(EVENT_NAMES.get(EventKind(event.kind), "history.kind.other"))
                if event.kind in EventKind._value2member_map_
                else t("history.kind.other"),
                "browser": browser_text(*security_log.describe_browser(event.user_agent)),
                "ip": event.ip_prefix or "—",
            }
            for event in done.value
        ]
        self.has_rows = bool(self.rows)
        self.loaded = True
        return None
