"""Account deletion states: the request on /konto (a private event, through state/events.act) and
the confirmation page the e-mail links to (public: the link, not a session, says who)."""

from __future__ import annotations

import logging

import reflex as rx

from fakturowo_ui.i18n import formats, t
from fakturowo_ui.services import blocking, deletion
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.services.onetime import LinkState
from fakturowo_ui.state.auth import UserBoundState, forget_user_data
from fakturowo_ui.state.common import flag, link_token, origin, text_field
from fakturowo_ui.state.events import act
from fakturowo_ui.state.messages import PageMessage
from fakturowo_ui.state.outcomes import attempt

log = logging.getLogger("fakturowo.state")


class DeletionRequestState(PageMessage, UserBoundState):
    """The "Usuń konto" button of /konto: ticked box, then one e-mail with the link.

    Sending the mail may take seconds, which no transaction may wait for: the handler checks the
    session with act(self, None), then awaits the service's own steps through outcomes.attempt.
    """

    busy: bool = False

    @rx.event
    async def request(self, form_data: dict):
        """Send the deletion link, or say why not (box not ticked, too soon, mail server down)."""
        if self.busy:
            return
        checked = await act(self, None, what="requesting the deletion link")
        if not checked.ok or checked.user is None:
            if (redirect := self._refused(checked)) is not None:
                yield redirect
            return
        self._say("")
        self.busy = True
        yield
        try:
            done = await attempt(
                checked.user,
                deletion.request_deletion,
                checked.user.user_id,
                box_ticked=flag(form_data, "confirm_deletion"),
                origin=origin(self),
                what="deletion request",
            )
        finally:
            self.busy = False
        if not done.ok:
            self._refused(done)
            return
        self._say(t("deletion.sent", email=done.value.email, time=formats.time(done.value.valid_until)))


class DeletionConfirmState(rx.State):
    """The page behind the e-mailed link: shows the account, deletes on the right password.

    Works in any browser, logged in or not; opening it changes nothing.
    """

    checked: bool = False
    can_delete: bool = False
    needs_code: bool = False
    deleted: bool = False
    busy: bool = False
    user_id: int = 0
    email: str = ""
    documents: int = 0
    clients: int = 0
    products: int = 0
    message: str = ""
    message_is_error: bool = False
    offer_login: bool = False

    # Cached vars (an uncached one is recomputed, and loaded from Redis, at every event of the
    # tab): on_load resets the state and fills it again, so the page in the other language makes
    # them again in its language.
    @rx.var
    def lead(self) -> str:
        """Which account the link deletes."""
        return t("deletion.confirm.lead", user_id=self.user_id, email=self.email)

    @rx.var
    def counts_text(self) -> str:
        """What goes with it."""
        return t(
            "deletion.confirm.counts",
            documents=self.documents,
            clients=self.clients,
            products=self.products,
        )

    def _cannot_act(self, state: LinkState) -> None:
        self.can_delete = False
        self.message, self.message_is_error = t(state.message_key), True
        self.offer_login = state in (LinkState.EXPIRED, LinkState.SUPERSEDED, LinkState.VOIDED)

    @rx.event
    async def on_load(self):
        """Look at the link without using it."""
        self.reset()
        try:
            link = await blocking.db(deletion.inspect_link, link_token(self))
        except Exception:  # noqa: BLE001
            log.exception("inspecting a deletion link failed")
            self.message, self.message_is_error = t("common.unexpected"), True
            self.checked = True
            return
        self.checked = True
        if link.state is not LinkState.VALID or link.counts is None:
            self._cannot_act(link.state)
            return
        self.can_delete = True
        self.needs_code = link.needs_code
        self.user_id, self.email = link.user_id, link.email
        self.documents = link.counts.documents
        self.clients = link.counts.clients
        self.products = link.counts.products

    @rx.event
    async def confirm(self, form_data: dict):
        """Delete the account if the password is right."""
        if not self.can_delete or self.busy:
            return
        self.busy = True
        self.message, self.message_is_error = "", False
        yield
        email = self.email
        try:
            result = await deletion.confirm_deletion(
                link_token(self), text_field(form_data, "password", 1000), text_field(form_data, "code", 64)
            )
        except DomainError as error:  # too many codes tried: the rate limit's message
            self.message, self.message_is_error = error.message(), True
            return
        except Exception:  # noqa: BLE001 - never a traceback on screen
            log.exception("deletion confirmation failed")
            self.message, self.message_is_error = t("common.unexpected"), True
            return
        finally:
            self.busy = False
        if result.outcome is deletion.Outcome.DELETED:
            self.can_delete, self.deleted = False, True
            self.message = t("deletion.confirm.deleted", email=email)
            self.message_is_error = False
            self.email, self.user_id = "", 0
            # This tab may have been logged in as the deleted user: drop what it held.
            await forget_user_data(self)
        elif result.outcome is deletion.Outcome.WRONG_PASSWORD:
            self.message = t("deletion.confirm.wrong_password", left=result.attempts_left)
            self.message_is_error = True
        elif result.outcome is deletion.Outcome.WRONG_CODE:
            self.message = t("deletion.confirm.wrong_code", left=result.attempts_left)
            self.message_is_error = True
        elif result.outcome is deletion.Outcome.VOIDED_NOW:
            self.can_delete = False
            self.message = t("deletion.confirm.voided_now", attempts=deletion.MAX_WRONG_PASSWORDS)
            self.message_is_error, self.offer_login = True, True
        else:
            self._cannot_act(result.link_state)
