"""The account page /konto: who is logged in, the plan, the consents and what deletion removes."""

from __future__ import annotations

import logging

import reflex as rx

from fakturowo_ui.i18n import t
from fakturowo_ui.services import blocking, clock, consents, subscriptions, userdata
from fakturowo_ui.services.sessions import CurrentUser
from fakturowo_ui.settings import get_settings
from fakturowo_ui.state.auth import (
    UserBoundState,
    login_redirect,
    require_user,
)

log = logging.getLogger("fakturowo.state")


def deletion_link_window(seconds: int) -> str:
    """ "w ciągu godziny" only while the link lives one hour; otherwise the real duration."""
    if seconds == 3600:
        return t("duration.within_hour")
    if seconds % 3600 == 0:
        return t("duration.within_hours", n=seconds // 3600)
    if seconds % 60 == 0:
        return t("duration.within_minutes", n=seconds // 60)
    return t("duration.within_seconds", n=seconds)


class AccountState(UserBoundState):
    """Everything /konto shows, loaded for the session of this tab's connection."""

    loaded: bool = False
    user_id: int = 0
    email: str = ""
    plan_text: str = ""
    documents_text: str = ""
    reminder_consent: bool = False
    info_consent: bool = False
    reminders_changed: str = ""
    info_changed: str = ""
    consents_message: str = ""
    consents_message_is_error: bool = False
    documents_count: int = 0
    clients_count: int = 0
    products_count: int = 0

    @rx.var
    def signed_in_text(self) -> str:
        """Who is logged in: address and account ID."""
        return t("account.signed_in_as", email=self.email, user_id=self.user_id)

    @rx.var
    def deletion_text(self) -> str:
        """The seed's sentence, naming this account's ID and address."""
        return t(
            "account.deletion.checkbox",
            user_id=self.user_id,
            email=self.email,
            within=deletion_link_window(get_settings().deletion_link_ttl_seconds),
        )

    @rx.var
    def counts_text(self) -> str:
        """What deletion removes."""
        return t(
            "account.deletion.counts",
            documents=self.documents_count,
            clients=self.clients_count,
            products=self.products_count,
        )

    async def _require_user(self) -> CurrentUser | None:
        # require_user also starts clean when the data was loaded under another session.
        return await require_user(self)

    def _show(self, user: CurrentUser, overview: userdata.AccountOverview) -> None:
        plan, counts, changes = overview.plan, overview.counts, overview.consent_changes
        reminder, info = overview.reminder_consent, overview.info_consent
        self.user_id, self.email = user.user_id, user.email
        if plan.kind == subscriptions.TRIAL:
            self.plan_text = t("account.subscription.trial", date=clock.format_date(plan.last_day))
        elif plan.kind == subscriptions.ACTIVE:
            self.plan_text = t("account.subscription.active", date=clock.format_date(plan.last_day))
        else:
            self.plan_text = t("account.subscription.free", limit=plan.documents_limit)
        if plan.documents_left is None:
            self.documents_text = t("account.subscription.unlimited")
        else:
            self.documents_text = t(
                "account.subscription.left", left=plan.documents_left, limit=plan.documents_limit
            )
        self.reminder_consent, self.info_consent = reminder, info
        self.reminders_changed = self._changed_text(changes.get(consents.REMINDERS))
        self.info_changed = self._changed_text(changes.get(consents.INFO))
        self.documents_count = counts.documents
        self.clients_count = counts.clients
        self.products_count = counts.products
        self.loaded = True

    @staticmethod
    def _changed_text(moment) -> str:
        if moment is None:
            return t("account.consents.never")
        return t("account.consents.last_change", when=clock.format_datetime(moment))

    @rx.event
    async def on_load(self):
        """Load the page for the logged-in user, or send the visitor to the login page."""
        user = await self._require_user()
        if user is None:
            return login_redirect(self)
        self.consents_message = ""
        self._show(user, await blocking.db(userdata.account_overview, user.user_id))
        return None

    @rx.event
    def set_reminder_consent(self, value: bool):
        """Tick or untick the reminders box (saved by "Zapisz")."""
        self.reminder_consent = bool(value)

    @rx.event
    def set_info_consent(self, value: bool):
        """Tick or untick the informational messages box (saved by "Zapisz")."""
        self.info_consent = bool(value)

    @rx.event
    async def save_consents(self, _form_data: dict | None = None):
        """Store both consents; a record is appended only for a consent that changed."""
        user = await self._require_user()
        if user is None:
            return login_redirect(self)
        try:
            # Saved and read back for the page in one transaction, off the event loop.
            changed, overview = await blocking.db(
                userdata.save_consents,
                user.user_id,
                reminders=self.reminder_consent,
                info=self.info_consent,
                source="account",
            )
        except Exception:  # noqa: BLE001 - never a traceback on screen
            log.exception("saving consents failed")
            self.consents_message, self.consents_message_is_error = t("common.unexpected"), True
            return None
        self._show(user, overview)
        self.consents_message = t(
            "account.consents.saved" if changed else "account.consents.unchanged"
        )
        self.consents_message_is_error = False
        return None
