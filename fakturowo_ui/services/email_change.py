"""Changing the account's address: password re-authentication, a link to the new address, the swap.

The account keeps its address until the link mailed to the new one is used, so a typo never
locks anybody out. The request checks the password (argon2 in the hashing pool; wrong ones are
counted per account before the hash is checked), then the new address as registration does
(well formed, not blocked by a deletion, not another account's, not the current one), then
issues a single-use link (its SHA-256 stored, the new address in one_time_token.new_email) that
supersedes any older one, mails it to the new address and a notice naming the new address
partly masked to the old one. Opening the link changes nothing; its button swaps the address if
it is still free and not blocked at that moment, ends every other session of the user and
records the change, in one transaction. Consents, documents and the history stay the account's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import logging

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from fakturowo_ui import routes
from fakturowo_ui.db import rows_changed, session_scope
from fakturowo_ui.i18n import N_, supported
from fakturowo_ui.models import OneTimeToken, SecurityEvent, User
from fakturowo_ui.services import (
    accounts,
    blocking,
    clock,
    mail,
    onetime,
    passwords,
    ratelimit,
    security_log,
    sessions,
)
from fakturowo_ui.services.errors import DomainError, field_error
from fakturowo_ui.services.onetime import LinkState, TokenPurpose

log = logging.getLogger("fakturowo.email_change")
audit = logging.getLogger("fakturowo.audit")

LINK_TTL = dt.timedelta(hours=24)
# Wrong passwords per account (counted before the hash is checked, given back when right).
PASSWORD_FAILURES_PER_ACCOUNT = ratelimit.Limit("email-change-password", 5, dt.timedelta(minutes=15))
# Link mails per account: a typo can be corrected at once, a mail bomb cannot be built.
REQUESTS_SHORT = ratelimit.Limit("email-change-short", 3, dt.timedelta(minutes=10))
REQUESTS_DAILY = ratelimit.Limit("email-change-day", 10, dt.timedelta(days=1))
PASSWORD_MAX = 1000


def mask_email(email: str) -> str:
    """An address partly hidden, as the notice to the old address names the new one:
    "jan.kowalski@example.pl" -> "j***@e***.pl" (first letters and the top-level domain only)."""
    local, _, domain = (email or "").partition("@")
    head, _, tld = domain.rpartition(".")
    masked_local = (local[:1] or "?") + "***"
    if not head:
        return f"{masked_local}@{(domain[:1] or '?')}***"
    return f"{masked_local}@{head[:1]}***.{tld}"


@dataclasses.dataclass(frozen=True)
class ChangeRequested:
    """The link went to `new_email`; it works until `valid_until`."""

    new_email: str
    valid_until: dt.datetime


def address_errors(new_email: str, current_email: str) -> dict[str, str]:
    """Field -> catalogue key for a new address that no database could make right."""
    if key := accounts.email_problem(new_email):
        return {"new_email": key}
    if new_email == accounts.normalise_email(current_email):
        return {"new_email": N_("email_change.same_address")}
    return {}


def _address_refusal(session: Session, user_id: int, new_email: str) -> str | None:
    """Why the account cannot take `new_email` now (blocked, another account's), else None."""
    if accounts.is_blocked(session, new_email):
        return N_("email_change.blocked")
    owner = accounts.find_user(session, new_email)
    if owner is not None and owner.id != user_id:
        return N_("email_change.taken")
    if owner is not None:
        return N_("email_change.same_address")
    return None


async def request_change(
    user_id: int,
    new_email: str,
    password: str,
    origin: security_log.Origin = security_log.NOWHERE,
) -> ChangeRequested:
    """Mail a confirmation link to the new address and a notice to the current one.

    Raises DomainError (per field, through services.errors.form_error, or a rate limit's
    message) and then changes nothing and sends nothing. A link mail the server refused leaves
    no usable link, supersedes nothing and is not counted; a refused notice is only logged.
    """
    new_email = accounts.normalise_email(new_email)
    password = password if isinstance(password, str) else ""
    current_email, password_hash = await blocking.db(_account, user_id)
    if errors := address_errors(new_email, current_email):
        raise field_error("new_email", errors["new_email"])
    if not password:
        raise field_error("password", N_("email_change.password_empty"))
    if len(password) > PASSWORD_MAX:
        raise field_error("password", N_("email_change.wrong_password"))
    hit = await blocking.db(_reserve_password_attempt, user_id)
    if not await passwords.verify_password_async(password, password_hash):
        audit.info("address change refused (wrong password) user_id=%s", user_id)
        raise field_error("password", N_("email_change.wrong_password"))
    await blocking.db(ratelimit.give_back, hit)
    try:
        token, token_id, expires_at, hits, superseded, lang, old_email = await blocking.db(
            _issue, user_id, new_email, origin
        )
    except ratelimit.RateLimited as refused:
        raise DomainError("email_change.too_soon", **refused.params) from None
    letter = mail.render(
        "email_change_link",
        to=new_email,
        lang=lang,
        action_url=routes.confirm_new_email_link(token),
        old_email=old_email,
        new_email=new_email,
        valid_until=expires_at,
    )
    uncertain = False
    try:
        await mail.send_async(letter)
    except mail.MailUncertain:
        # The link may arrive and then works (the old address is told below, all the same); the
        # address is unchanged until it is used.
        uncertain = True
    except mail.MailError:
        await blocking.db(_undo, user_id, token_id, hits, superseded)
        raise DomainError("email_change.mail_failed") from None
    audit.info("address change requested user_id=%s", user_id)
    notice = mail.render(
        "email_change_notice",
        to=old_email,
        lang=lang,
        reset_url=routes.PASSWORD_RESET,
        masked_email=mask_email(new_email),
        valid_until=expires_at,
    )
    try:
        await mail.send_async(notice)
    except mail.MailError:
        log.warning("the address-change notice to the old address was not sent")
    if uncertain:
        raise DomainError("email_change.mail_uncertain", email=new_email)
    return ChangeRequested(new_email=new_email, valid_until=expires_at)


def _account(user_id: int) -> tuple[str, str]:
    with session_scope() as session:
        user = session.get(User, user_id)
        if user is None:
            raise DomainError("login.session_ended")
        return user.email, user.password_hash


def _reserve_password_attempt(user_id: int) -> int | None:
    with session_scope(write_lock=True) as session:
        return ratelimit.reserve(session, PASSWORD_FAILURES_PER_ACCOUNT, str(user_id))


def _issue(
    user_id: int, new_email: str, origin: security_log.Origin
) -> tuple[str, int, dt.datetime, list[int | None], list[int], str, str]:
    """Check the address, count the mail, issue the link and supersede older ones: one write."""
    with session_scope(write_lock=True) as session:
        user = session.get(User, user_id)
        if user is None:
            raise DomainError("login.session_ended")
        if key := _address_refusal(session, user_id, new_email):
            raise field_error("new_email", key)
        subject = str(user_id)
        hits = [ratelimit.reserve(session, limit, subject) for limit in (REQUESTS_SHORT, REQUESTS_DAILY)]
        token, row = onetime.issue(session, user_id, TokenPurpose.CHANGE_EMAIL, LINK_TTL)
        row.new_email = new_email
        session.add(row)
        superseded = onetime.supersede_older(session, user_id, TokenPurpose.CHANGE_EMAIL, row.id)
        security_log.record(
            session,
            user_id,
            security_log.EventKind.EMAIL_CHANGE_REQUESTED,
            origin,
            detail=mask_email(new_email),
        )
        return token, row.id, row.expires_at, hits, superseded, supported(user.language), user.email


def _undo(user_id: int, token_id: int, hits: list[int | None], superseded: list[int]) -> None:
    """The link mail did not go out: no link, no count, the older link valid again, no event."""
    with session_scope(write_lock=True) as session:
        onetime.discard(session, token_id)
        ratelimit.release(session, *hits)
        onetime.restore_superseded(
            session, user_id, TokenPurpose.CHANGE_EMAIL, superseded, newer_than=token_id
        )
        # The event written with the link: the request never reached the new address.
        newest = session.scalars(
            sa.select(SecurityEvent)
            .where(
                col(SecurityEvent.user_id) == user_id,
                col(SecurityEvent.kind) == security_log.EventKind.EMAIL_CHANGE_REQUESTED,
            )
            .order_by(col(SecurityEvent.id).desc())
            .limit(1)
        ).first()
        if newest is not None:
            session.delete(newest)


# -- the link ------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class ChangeLink:
    """What the confirmation page shows about a link: its state and, while valid, the addresses."""

    state: LinkState
    new_email: str = ""


def inspect_link(token: str) -> ChangeLink:
    """Look at a link without using it (GET, HEAD and mail scanners come through here)."""
    with session_scope() as session:
        found = onetime.find_usable(session, token, TokenPurpose.CHANGE_EMAIL)
        if isinstance(found, LinkState):
            return ChangeLink(found)
        row, user = found
        if not row.new_email:
            return ChangeLink(LinkState.INVALID)
        if _voided_by_new_password(row, user):
            return ChangeLink(LinkState.VOIDED)
        return ChangeLink(LinkState.VALID, row.new_email)


def _voided_by_new_password(row: OneTimeToken, user: User) -> bool:
    """A password set after the request voids its link: the notice to the old address tells
    whoever did not ask for the change to set a new password, and that must stop it."""
    return user.password_changed_at > row.created_at


class Outcome(enum.Enum):
    """How pressing "Potwierdź nowy adres email" ended."""

    CHANGED = "changed"
    BLOCKED = "blocked"  # the new address was blocked since the request
    TAKEN = "taken"  # another account took the new address since the request
    LINK_UNUSABLE = "link_unusable"


@dataclasses.dataclass(frozen=True)
class ConfirmationResult:
    """The outcome; the link's state when it could not act; the new address once changed; and
    whether the confirming browser stays logged in as the account (its session was kept)."""

    outcome: Outcome
    link_state: LinkState = LinkState.VALID
    new_email: str = ""
    kept_session: bool = False


def confirm_change(
    token: str, session_token: str | None, origin: security_log.Origin = security_log.NOWHERE
) -> ConfirmationResult:
    """Use a link: the account takes the new address, every other session ends. One transaction.

    `session_token` is the confirming browser's session (or None): if it is the account's own,
    it stays; otherwise every session of the account ends.
    """
    try:
        with session_scope(write_lock=True) as session:
            return _confirm(session, token, session_token, origin)
    except IntegrityError:
        # Another account registered the address between the check and the write.
        return ConfirmationResult(Outcome.TAKEN)


def _confirm(
    session: Session, token: str, session_token: str | None, origin: security_log.Origin
) -> ConfirmationResult:
    found = onetime.find_usable(session, token, TokenPurpose.CHANGE_EMAIL)
    if isinstance(found, LinkState):
        return ConfirmationResult(Outcome.LINK_UNUSABLE, found)
    row, user = found
    new_email = row.new_email or ""
    if not new_email:
        return ConfirmationResult(Outcome.LINK_UNUSABLE, LinkState.INVALID)
    if _voided_by_new_password(row, user):
        return ConfirmationResult(Outcome.LINK_UNUSABLE, LinkState.VOIDED)
    if accounts.is_blocked(session, new_email):
        return ConfirmationResult(Outcome.BLOCKED)
    owner = accounts.find_user(session, new_email)
    if owner is not None and owner.id != user.id:
        return ConfirmationResult(Outcome.TAKEN)
    if not onetime.consume(session, row.id):
        state, _row = onetime.find(session, token, TokenPurpose.CHANGE_EMAIL)
        return ConfirmationResult(
            Outcome.LINK_UNUSABLE, state if state is not LinkState.VALID else LinkState.USED
        )
    old_email = user.email
    now = clock.now()
    result = session.execute(
        sa.update(User)
        .where(col(User.id) == user.id, col(User.email) == old_email)
        .values(email=new_email, email_confirmed_at=user.email_confirmed_at or now)
    )
    if rows_changed(result) != 1:
        raise RuntimeError("the account changed while its address was being changed")
    # The new address is in the account now: no link of the account need keep an address.
    session.execute(
        sa.update(OneTimeToken)
        .where(col(OneTimeToken.user_id) == user.id, col(OneTimeToken.purpose) == TokenPurpose.CHANGE_EMAIL)
        .values(new_email=None)
    )
    # Links that went to the old address (a password reset, another change) no longer act.
    for purpose in (TokenPurpose.CHANGE_EMAIL, TokenPurpose.RESET_PASSWORD, TokenPurpose.CONFIRM_EMAIL):
        onetime.supersede_older(session, user.id, purpose, row.id, newer_too=True)
    # Failed logins under the old address say nothing about the new one.
    ratelimit.clear(session, ratelimit.LOGIN_FAILURES_PER_ACCOUNT, old_email)
    current = sessions.resolve(session, session_token) if session_token else None
    keep = current.session_id if current is not None and current.user_id == user.id else None
    ended = sessions.end_all(session, user.id, except_session_id=keep)
    security_log.record(
        session,
        user.id,
        security_log.EventKind.EMAIL_CHANGED,
        origin,
        detail=f"{mask_email(old_email)} -> {mask_email(new_email)}",
    )
    audit.info("address changed user_id=%s sessions_ended=%s", user.id, ended)
    return ConfirmationResult(Outcome.CHANGED, new_email=new_email, kept_session=keep is not None)
