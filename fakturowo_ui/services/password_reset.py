"""A forgotten password: "Wyślij link", the e-mailed link, and the new password it sets.

A reset link is a `onetime` token (hashed at rest, single use, 30 minutes, superseded by a newer
one); asking for it answers the same way, in the same time, whether the address has an account or
not, because the mail goes out after the answer, from a background task. Setting the password
through it ends every session and mails "Twoje hasło zostało zmienione" (services/password_change.py).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging

import sqlalchemy as sa
from sqlmodel import col

from fakturowo_ui import routes
from fakturowo_ui.db import session_scope
from fakturowo_ui.i18n import N_
from fakturowo_ui.models import User
from fakturowo_ui.services import (
    blocking,
    clock,
    links,
    mail,
    onetime,
    passwords,
    ratelimit,
    security_log,
    sessions,
)
from fakturowo_ui.services.accounts import email_problem, find_user, normalise_email
from fakturowo_ui.services.errors import DomainError, field_error, form_error
from fakturowo_ui.services.onetime import LinkState
from fakturowo_ui.services.password_change import new_password_errors, notify_password_changed

log = logging.getLogger("fakturowo.passwords")
audit = logging.getLogger("fakturowo.audit")

RESET_TTL = dt.timedelta(minutes=30)
# When "Wyślij link" meets a mail server that is down: tried again after these many seconds.
RETRY_DELAYS: tuple[float, ...] = (30, 120, 300)

RESET_MAILS_PER_ADDRESS = ratelimit.Limit("reset-address", 3, dt.timedelta(hours=1))
RESET_REQUESTS_PER_CLIENT = ratelimit.Limit("reset-client", 20, dt.timedelta(hours=1))


class LinkError(DomainError):
    """A reset link that cannot act: its state says why, in CONTRACT.md's words."""

    def __init__(self, state: LinkState) -> None:
        super().__init__(state.message_key)
        self.state = state


@dataclasses.dataclass(frozen=True)
class ResetRequest:
    """The answer to "Wyślij link", the same for every address, and the mail still to send."""

    email: str
    _user_id: int | None = dataclasses.field(default=None, repr=False)

    async def deliver(self) -> None:
        """Mail the link when the address has an account and its hourly limit allows; never raises.

        The page has said "wysyłamy" and cannot say more without telling whether the address has
        an account, so a mail server that is down or refusing is tried again after each of
        RETRY_DELAYS (issue 13); one that took the mail without confirming it is not (a second
        link would void the first).
        """
        if self._user_id is None:
            return
        for attempt, delay in enumerate((0, *RETRY_DELAYS), start=1):
            await asyncio.sleep(delay)
            try:
                await send_reset_link(self._user_id, self.email)
                return
            except DomainError as refused:
                if refused.key != "error.mail_failed":
                    return  # sent without the server confirming it: it may arrive
                log.warning("a reset link was not sent (attempt %d of %d)", attempt, 1 + len(RETRY_DELAYS))
            except Exception:  # noqa: BLE001 - nobody waits for this; the log says what happened
                log.exception("sending a reset link failed")
                return


async def request_reset(email: str, client_ip: str) -> ResetRequest:
    """Take a reset request; the caller shows the same answer whatever the address.

    Only a malformed address and too many requests from one client are refused, with messages
    that say nothing about accounts. The third mail an hour to one address is the last one, for
    a registered address or not (the count is kept for both, under a keyed digest).
    """
    email = normalise_email(email)
    if key := email_problem(email):
        raise field_error("email", key)
    user_id = await blocking.db(_count_reset_request, email, client_ip)
    return ResetRequest(email=email, _user_id=user_id)


def _count_reset_request(email: str, client_ip: str) -> int | None:
    """Count the request (per client; per address while its hourly mails last): the account to
    mail, or None when there is none or the address had its mails this hour."""
    with session_scope(write_lock=True) as session:
        ratelimit.reserve(session, RESET_REQUESTS_PER_CLIENT, client_ip)
        try:
            ratelimit.reserve(session, RESET_MAILS_PER_ADDRESS, email)
        except ratelimit.RateLimited:
            return None
        user = find_user(session, email)
        return user.id if user is not None else None


_background: set[asyncio.Task] = set()


def deliver_in_background(request: ResetRequest) -> None:
    """Send the request's mail after the answer is shown, so its timing says nothing."""
    task = asyncio.get_running_loop().create_task(request.deliver())
    _background.add(task)
    task.add_done_callback(_background.discard)


async def send_reset_link(user_id: int, email: str) -> None:
    """Issue a reset link and mail it; a failed send leaves no usable link and supersedes nothing."""

    def letter_for(token: str, expires_at: dt.datetime, lang: str) -> mail.Mail:
        return mail.render(
            "reset_password",
            to=email,
            lang=lang,
            action_url=routes.password_reset_link(token),
            minutes=int(RESET_TTL.total_seconds() // 60),
            valid_until=expires_at,
        )

    try:
        await links.mail_link(user_id, onetime.TokenPurpose.RESET_PASSWORD, RESET_TTL, letter_for)
    except mail.MailUncertain:
        raise DomainError("error.mail_uncertain") from None
    except mail.MailError:
        raise DomainError("error.mail_failed") from None
    audit.info("reset link sent user_id=%s", user_id)


def inspect_reset(token: str) -> tuple[LinkState, str]:
    """The state of a reset link and, while it can act, the address it is for. Changes nothing."""
    with session_scope() as session:
        found = onetime.find_usable(session, token, onetime.TokenPurpose.RESET_PASSWORD)
        if isinstance(found, LinkState):
            return found, ""
        _row, user = found
        return LinkState.VALID, user.email


async def complete_reset(
    token: str, new: str, repeat: str, origin: security_log.Origin = security_log.NOWHERE
) -> str:
    """Set the password through a reset link; returns the address. Ends every session.

    Raises LinkError when the link cannot act (used, expired, superseded, unknown) and
    DomainError("error.form") when the new password is refused; a refusal leaves the link usable.
    The link proves the mailbox, so an address not yet confirmed counts as confirmed afterwards.
    """
    token_id, user_id, email, old_hash = await blocking.db(_reset_link_owner, token)
    errors = new_password_errors(new, repeat, email)
    if errors:
        raise form_error(errors)
    # Not the current password either: a reset must not be a way around the periodic change.
    if await passwords.verify_password_async(new, old_hash):
        raise field_error("new_password", N_("error.password_same_as_current"))
    new_hash = await passwords.hash_password_async(new)
    changed_at = await blocking.db(_store_reset_password, token, token_id, user_id, new_hash, origin)
    await notify_password_changed(user_id, email, changed_at)
    return email


def _reset_link_owner(token: str) -> tuple[int, int, str, str]:
    with session_scope() as session:
        found = onetime.find_usable(session, token, onetime.TokenPurpose.RESET_PASSWORD)
        if isinstance(found, LinkState):
            raise LinkError(found)
        row, user = found
        return row.id, user.id, user.email, user.password_hash


def _store_reset_password(
    token: str, token_id: int, user_id: int, new_hash: str, origin: security_log.Origin = security_log.NOWHERE
) -> dt.datetime:
    with session_scope(write_lock=True) as session:
        if not onetime.consume(session, token_id):
            raise LinkError(onetime.find(session, token, onetime.TokenPurpose.RESET_PASSWORD)[0])
        changed_at = clock.now()
        session.execute(
            sa.update(User)
            .where(col(User.id) == user_id)
            .values(
                password_hash=new_hash,
                password_changed_at=changed_at,
                email_confirmed_at=sa.func.coalesce(col(User.email_confirmed_at), changed_at),
            )
        )
        onetime.supersede_older(
            session, user_id, onetime.TokenPurpose.RESET_PASSWORD, token_id, newer_too=True
        )
        ended = sessions.end_all(session, user_id)
        security_log.record(session, user_id, security_log.EventKind.PASSWORD_RESET, origin)
    audit.info("password reset user_id=%s sessions_ended=%s", user_id, ended)
    return changed_at
