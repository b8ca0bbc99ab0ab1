"""The account page /konto: who is logged in, the plan, the consents and what deletion removes."""

from __future__ import annotations

import functools
import logging
import time

import reflex as rx

from fakturowo_ui.i18n import current_language, formats, t, tn
from fakturowo_ui.services import clock, consents, subscriptions, userdata
from fakturowo_ui.services.sessions import CurrentUser
from fakturowo_ui.settings import get_settings
from fakturowo_ui.state.auth import UserBoundState
from fakturowo_ui.state.common import documents_left_text, flag, origin
from fakturowo_ui.state.events import act

log = logging.getLogger("fakturowo.state")

# A page load right after a save keeps the save's message: when the state store lost the tab's
# state (a Redis restart), Reflex re-runs on_load around the save itself.
MESSAGE_OUTLIVES_LOAD_SECONDS = 10


def deletion_link_window(seconds: int) -> str:
    """ "w ciągu godziny" only while the link lives one hour; otherwise the real duration."""
    if seconds == 3600:
        return t("duration.within_hour")
    if seconds % 3600 == 0:
        return t("duration.within_hours", n=seconds // 3600)
    if seconds % 60 == 0:
        return t("duration.within_minutes", n=seconds // 60)
    return t("duration.within_seconds", n=seconds)


class ConsentsState(UserBoundState):
    """The region "Zgody na otrzymywanie wiadomości" of /konto (AccountState.on_load fills it).

    A state of its own so that a save loads, stores (Redis) and sends back only this region,
    and the page re-renders only it.
    """

    reminder_consent: bool = False
    info_consent: bool = False
    reminders_changed: str = ""
    info_changed: str = ""
    consents_message: str = ""
    consents_message_is_error: bool = False
    # Renewed on every save: the message element is re-created (its React key) for screen readers.
    consents_message_serial: int = 0
    _consents_message_at: float = 0.0

    def _show_consents(self, reminder: bool, info: bool, changes: dict) -> None:
        self._update(
            reminder_consent=reminder,
            info_consent=info,
            reminders_changed=_changed_text(changes.get(consents.Consent.REMINDERS)),
            info_changed=_changed_text(changes.get(consents.Consent.INFO)),
        )

    def _loaded(self, overview: userdata.AccountOverview | None, error: str = "") -> None:
        if time.time() - self._consents_message_at > MESSAGE_OUTLIVES_LOAD_SECONDS:
            self._update(consents_message="")  # no stale message from an earlier visit
        if overview is not None:
            self._show_consents(overview.reminder_consent, overview.info_consent, overview.consent_changes)
        if error:
            self.consents_message, self.consents_message_is_error = error, True

    @rx.event
    async def save_consents(self, form_data: dict | None = None):
        """Store both consents; a record is appended only for a consent that changed.

        Only the consents region is sent back, and its message is renewed on every save (the time,
        and a new element for screen readers), so a repeated save is seen to have happened.
        """
        done = await act(
            self,
            userdata.save_consents_for,
            write=True,
            what="saving consents",
            reminders=flag(form_data, "reminder_consent"),
            info=flag(form_data, "info_consent"),
            origin=origin(self),
        )
        if done.redirect is not None:
            return done.redirect
        self.consents_message_serial += 1
        self._consents_message_at = time.time()
        if not done.ok:
            self._update(consents_message=done.error, consents_message_is_error=True)
            return None
        view = done.value
        self._show_consents(view.reminder_consent, view.info_consent, view.consent_changes)
        now = formats.time_seconds(clock.now())
        said = (
            t("account.consents.saved", time=now)
            if view.changed
            else t("account.consents.unchanged", time=now)
        )
        self._update(consents_message=said, consents_message_is_error=False)
        return None


def _changed_text(moment) -> str:
    return _changed_text_in(moment, current_language())


# Every save shows both consents' last changes again, mostly the same moments as before: the
# sentences of the recent ones are kept (a tenth of a save's CPU went to writing them afresh).
@functools.lru_cache(maxsize=1024)
def _changed_text_in(moment, lang: str) -> str:
    if moment is None:
        return t("account.consents.never", lang)
    return t("account.consents.last_change", lang, when=formats.datetime(moment, lang))


class AccountState(UserBoundState):
    """Everything /konto shows, loaded for the session of this tab's connection."""

    loaded: bool = False
    user_id: int = 0
    email: str = ""
    plan_text: str = ""
    documents_text: str = ""
    documents_count: int = 0
    clients_count: int = 0
    products_count: int = 0

    # Sentences of the page language, made where their parts are loaded (_show): plain vars, not
    # uncached computed ones, which Reflex would recompute, and load from Redis, at every event of
    # the tab, whatever state it is for.
    signed_in_text: str = ""
    deletion_text: str = ""
    counts_text: str = ""

    def _show(self, user: CurrentUser, overview: userdata.AccountOverview) -> None:
        plan, counts = overview.plan, overview.counts
        if plan.kind == subscriptions.TRIAL and plan.last_day is not None:
            plan_text = t("account.subscription.trial", date=formats.date(plan.last_day))
        elif plan.kind == subscriptions.ACTIVE and plan.last_day is not None:
            plan_text = t("account.subscription.active", date=formats.date(plan.last_day))
        else:
            limit = plan.documents_limit or 0
            plan_text = tn("account.subscription.free", limit, limit=limit)
        self._update(
            user_id=user.user_id,
            email=user.email,
            plan_text=plan_text,
            documents_text=documents_left_text(plan),
            documents_count=counts.documents,
            clients_count=counts.clients,
            products_count=counts.products,
            # Who is logged in: address and account ID.
            signed_in_text=t("account.signed_in_as", email=user.email, user_id=user.user_id),
            # The seed's sentence, naming this account's ID and address.
            deletion_text=t(
                "account.deletion.checkbox",
                user_id=user.user_id,
                email=user.email,
                within=deletion_link_window(get_settings().deletion_link_ttl_seconds),
            ),
            # What deletion removes.
            counts_text=t(
                "account.deletion.counts",
                documents=counts.documents,
                clients=counts.clients,
                products=counts.products,
            ),
            loaded=True,
        )

    @rx.event
    async def on_load(self):
        """Load the page for the logged-in user, or send the visitor to the login page."""
        done = await act(self, userdata.overview_for, what="loading /konto")
        if done.redirect is not None:
            return done.redirect
        region = await self.get_state(ConsentsState)
        if done.ok and done.user is not None:
            self._show(done.user, done.value)
            region._loaded(done.value)
        else:
            region._loaded(None, done.error)
        return None
