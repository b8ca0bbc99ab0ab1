"""Password flows: change while logged in, reset through an e-mailed link, and the periodic option.

A change ends every session of the user (the current one included) and hands the tab a one-time
code that POST /auth/rotate exchanges for a fresh session cookie: an event over the websocket
cannot set an HttpOnly cookie, and a new token is what "rotated" means. A reset link is a
`onetime` token (hashed at rest, single use, 30 minutes, superseded by a newer one); asking for it
answers the same way, in the same time, whether the address has an account or not, because the
mail goes out after the answer, from a background task.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from fakturowo_ui import routes
from fakturowo_ui.db import rows_changed, session_scope
from fakturowo_ui.i18n import t
from fakturowo_ui.models import User
from fakturowo_ui.services import (
    blocking,
    clock,
    links,
    mail,
    notices,
    onetime,
    password_policy,
    passwords,
    ratelimit,
    sessions,
)
from fakturowo_ui.services.accounts import email_problem, find_user, normalise_email
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.services.onetime import LinkState
from fakturowo_ui.services.sessions import CurrentUser
from fakturowo_ui.settings import get_settings

log = logging.getLogger("fakturowo.passwords")
audit = logging.getLogger("fakturowo.audit")

RESET_TTL = dt.timedelta(minutes=30)
ROTATE_TTL = dt.timedelta(seconds=60)

RESET_MAILS_PER_ADDRESS = ratelimit.Limit("reset-address", 3, dt.timedelta(hours=1))
RESET_REQUESTS_PER_CLIENT = ratelimit.Limit("reset-client", 20, dt.timedelta(hours=1))
CHANGE_FAILURES_PER_ACCOUNT = ratelimit.Limit("password-change", 5, dt.timedelta(minutes=15))


class LinkError(DomainError):
    """A reset link that cannot act: its state says why, in CONTRACT.md's words."""

    def __init__(self, state: LinkState) -> None:
        super().__init__(state.message_key)
        self.state = state


def _form_error(errors: dict[str, str]) -> DomainError:
    field, message = next(iter(errors.items()))
    return DomainError("error.form", field=field, message=message, errors=errors)


def _field_error(field: str, key: str) -> DomainError:
    return _form_error({field: t(key)})


def new_password_errors(new: str, repeat: str, email: str) -> dict[str, str]:
    """Field -> message for the new password's rules and its repetition (no database needed)."""
    if key := passwords.password_problem(new, email):
        return {"new_password": t(key)}
    if new != repeat:
        return {"new_password_repeat": t("error.password_mismatch")}
    return {}


# -- changing the password while logged in ----------------------------------------------------


async def change_password(user_id: int, current: str, new: str, repeat: str) -> str:
    """Set a new password; returns the code POST /auth/rotate exchanges for a new session.

    Raises DomainError("error.form", errors={field: message}) for a wrong current password,
    a new password that breaks a rule, differs from its repetition or equals the current one.
    On success every session of the user has ended and "Twoje hasło zostało zmienione" is sent.
    """
    email, old_hash = await blocking.db(_email_and_hash, user_id)
    errors: dict[str, str] = {}
    if not current:
        errors["current_password"] = t("error.current_password_empty")
    errors.update(new_password_errors(new, repeat, email))
    if errors:
        raise _form_error(errors)
    # Counted as a wrong current password before the hash is checked (given back when right),
    # so parallel guesses cannot all pass the limit's check first.
    hit = await blocking.db(_reserve_change_attempt, user_id)
    if not await passwords.verify_password_async(current, old_hash):
        audit.info("password change refused (wrong current password) user_id=%s", user_id)
        raise _field_error("current_password", "error.current_password_wrong")
    if passwords.normalise(new) == passwords.normalise(current):
        await blocking.db(_give_back, hit)
        raise _field_error("new_password", "error.password_same_as_current")
    new_hash = await passwords.hash_password_async(new)
    changed_at, code = await blocking.db(_store_changed_password, user_id, old_hash, new_hash)
    await notify_password_changed(email, changed_at)
    return code


def _email_and_hash(user_id: int) -> tuple[str, str]:
    with session_scope() as session:
        user = session.get(User, user_id)
        if user is None:
            raise DomainError("login.session_ended")
        return user.email, user.password_hash


def _reserve_change_attempt(user_id: int) -> int | None:
    with session_scope(write_lock=True) as session:
        return ratelimit.reserve(session, CHANGE_FAILURES_PER_ACCOUNT, str(user_id))


def _give_back(hit: int | None) -> None:
    with session_scope() as session:
        ratelimit.release(session, hit)


def _store_changed_password(user_id: int, old_hash: str, new_hash: str) -> tuple[dt.datetime, str]:
    with session_scope(write_lock=True) as session:
        changed_at = clock.now()
        # Only if nobody changed the password since it was checked above.
        result = session.execute(
            sa.update(User)
            .where(col(User.id) == user_id, col(User.password_hash) == old_hash)
            .values(password_hash=new_hash, password_changed_at=changed_at)
        )
        if rows_changed(result) != 1:
            raise DomainError("password_change.conflict")
        ratelimit.clear(session, CHANGE_FAILURES_PER_ACCOUNT, str(user_id))
        ended = sessions.end_all(session, user_id)
        code, _row = onetime.issue(
            session,
            user_id,
            onetime.TokenPurpose.ROTATE_SESSION,
            ROTATE_TTL,
            next_path=routes.PASSWORD_CHANGED,
        )
    audit.info("password changed user_id=%s sessions_ended=%s", user_id, ended)
    return changed_at, code


def changed_recently(user_id: int, within: dt.timedelta = dt.timedelta(minutes=5)) -> bool:
    """Whether the password was changed a moment ago (the page after the change says so only then)."""
    with session_scope() as session:
        return _changed_recently(session, user_id, within)


def changed_recently_for(
    session: Session, user: CurrentUser, within: dt.timedelta = dt.timedelta(minutes=5)
) -> bool:
    """changed_recently for the logged-in user, the work of a private event (state/events.act)."""
    return _changed_recently(session, user.user_id, within)


def _changed_recently(session: Session, user_id: int, within: dt.timedelta) -> bool:
    changed_at = session.scalar(sa.select(col(User.password_changed_at)).where(col(User.id) == user_id))
    return changed_at is not None and clock.now() - changed_at <= within


def exchange_rotation_code(code: str) -> tuple[str, str] | None:
    """Consume a code from change_password: (new session token, path to go to), or None."""
    with session_scope(write_lock=True) as session:
        state, row = onetime.find(session, code, onetime.TokenPurpose.ROTATE_SESSION)
        if row is None or state is not LinkState.VALID or not onetime.consume(session, row.id):
            return None
        if session.get(User, row.user_id) is None:
            return None
        # Never marked "must change": the password was changed a moment ago.
        token = sessions.create(session, row.user_id)
        return token, row.next_path or routes.ACCOUNT


async def notify_password_changed(email: str, changed_at: dt.datetime) -> bool:
    """Mail "Twoje hasło zostało zmienione"; False (logged) when the mail server refused it."""
    letter = mail.render(
        "password_changed",
        to=email,
        subject=t("mail.password_changed.subject"),
        reset_url=get_settings().link(routes.PASSWORD_RESET),
        when=clock.format_datetime(changed_at),
        email=email,
    )
    try:
        await mail.send_async(letter)
    except mail.MailError:
        log.warning("the password-changed notice was not sent")
        return False
    return True


# -- forgotten password: the e-mailed link --------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ResetRequest:
    """The answer to "Wyślij link", the same for every address, and the mail still to send."""

    email: str
    _user_id: int | None = dataclasses.field(default=None, repr=False)

    async def deliver(self) -> None:
        """Mail the link when the address has an account and its hourly limit allows; never raises."""
        if self._user_id is None:
            return
        try:
            await send_reset_link(self._user_id, self.email)
        except Exception:  # noqa: BLE001 - nobody waits for this; the log says what happened
            log.exception("sending a reset link failed")


async def request_reset(email: str, client_ip: str) -> ResetRequest:
    """Take a reset request; the caller shows the same answer whatever the address.

    Only a malformed address and too many requests from one client are refused, with messages
    that say nothing about accounts. The third mail an hour to one address is the last one, for
    a registered address or not (the count is kept for both, under a keyed digest).
    """
    email = normalise_email(email)
    if key := email_problem(email):
        raise _field_error("email", key)
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

    def letter_for(token: str, expires_at: dt.datetime) -> mail.Mail:
        return mail.render(
            "reset_password",
            to=email,
            subject=t("mail.reset.subject"),
            action_url=get_settings().link(routes.password_reset_link(token)),
            minutes=str(int(RESET_TTL.total_seconds() // 60)),
            valid_until=clock.format_datetime(expires_at),
        )

    try:
        await links.mail_link(user_id, onetime.TokenPurpose.RESET_PASSWORD, RESET_TTL, letter_for)
    except mail.MailError:
        raise DomainError("error.mail_failed") from None
    audit.info("reset link sent user_id=%s", user_id)


def inspect_reset(token: str) -> tuple[LinkState, str]:
    """The state of a reset link and, while it can act, the address it is for. Changes nothing."""
    with session_scope() as session:
        state, row = onetime.find(session, token, onetime.TokenPurpose.RESET_PASSWORD)
        if row is None or state is not LinkState.VALID:
            return state, ""
        user = session.get(User, row.user_id)
        if user is None:
            return LinkState.INVALID, ""
        return state, user.email


async def complete_reset(token: str, new: str, repeat: str) -> str:
    """Set the password through a reset link; returns the address. Ends every session.

    Raises LinkError when the link cannot act (used, expired, superseded, unknown) and
    DomainError("error.form") when the new password is refused; a refusal leaves the link usable.
    The link proves the mailbox, so an address not yet confirmed counts as confirmed afterwards.
    """
    token_id, user_id, email, old_hash = await blocking.db(_reset_link_owner, token)
    errors = new_password_errors(new, repeat, email)
    if errors:
        raise _form_error(errors)
    # Not the current password either: a reset must not be a way around the periodic change.
    if await passwords.verify_password_async(new, old_hash):
        raise _field_error("new_password", "error.password_same_as_current")
    new_hash = await passwords.hash_password_async(new)
    changed_at = await blocking.db(_store_reset_password, token, token_id, user_id, new_hash)
    await notify_password_changed(email, changed_at)
    return email


def _reset_link_owner(token: str) -> tuple[int, int, str, str]:
    with session_scope() as session:
        state, row = onetime.find(session, token, onetime.TokenPurpose.RESET_PASSWORD)
        if row is None or state is not LinkState.VALID:
            raise LinkError(state)
        user = session.get(User, row.user_id)
        if user is None:
            raise LinkError(LinkState.INVALID)
        return row.id, user.id, user.email, user.password_hash


def _store_reset_password(token: str, token_id: int, user_id: int, new_hash: str) -> dt.datetime:
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
    audit.info("password reset user_id=%s sessions_ended=%s", user_id, ended)
    return changed_at


# -- the periodic change option -------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PeriodicChange:
    """The option as /konto shows it."""

    enabled: bool
    next_change: dt.date
    due: bool


def _periodic_change_of(user: User | None) -> PeriodicChange | None:
    if user is None:
        return None
    return PeriodicChange(
        enabled=user.periodic_password_change,
        next_change=password_policy.next_forced_change(user.password_changed_at),
        due=password_policy.change_is_due(user),
    )


def periodic_change(user_id: int) -> PeriodicChange | None:
    """Whether the user turned the periodic change on, and when it next forces a new password."""
    with session_scope() as session:
        return _periodic_change_of(session.get(User, user_id))


def set_periodic_change(user_id: int, enabled: bool) -> PeriodicChange | None:
    """Turn the option on or off. The date stays where the last password change put it."""
    with session_scope() as session:
        session.execute(
            sa.update(User).where(col(User.id) == user_id).values(periodic_password_change=bool(enabled))
        )
    audit.info("periodic password change %s user_id=%s", "on" if enabled else "off", user_id)
    return periodic_change(user_id)


def save_periodic_change(user_id: int, enabled: bool) -> PeriodicChange | None:
    """set_periodic_change in one write transaction: the option as stored, or None when the
    account is gone."""
    with session_scope(write_lock=True) as session:
        option = _store_periodic_change(session, user_id, enabled)
    audit.info("periodic password change %s user_id=%s", "on" if enabled else "off", user_id)
    return option


def periodic_change_for(session: Session, user: CurrentUser) -> PeriodicChange | None:
    """periodic_change for the logged-in user, the work of a private event (state/events.act)."""
    return _periodic_change_of(session.get(User, user.user_id))


def save_periodic_change_for(session: Session, user: CurrentUser, enabled: bool) -> PeriodicChange | None:
    """The /konto event "Zapisz" of the region "Okresowa zmiana hasła", inside the event's write
    transaction (run it with write=True): the option as stored, or None when the account is gone."""
    option = _store_periodic_change(session, user.user_id, enabled)
    audit.info("periodic password change %s user_id=%s", "on" if enabled else "off", user.user_id)
    return option


def _store_periodic_change(session: Session, user_id: int, enabled: bool) -> PeriodicChange | None:
    session.execute(
        sa.update(User).where(col(User.id) == user_id).values(periodic_password_change=bool(enabled))
    )
    return _periodic_change_of(session.get(User, user_id))


# -- the daily notice "Za 14 dni zmiana hasła" ---------------------------------------------------


def send_change_notices(day: dt.date) -> tuple[int, int]:
    """Mail the 14-day notice to every user it is due for on `day`: (sent, failed).

    A security notice, so not through the consent gate, but claimed, confirmed and released like
    every scheduled mail (services/notices.py): a unique sent_notice row per user and cycle (the
    forced-change day), so two runs, even at once on two machines, send it once; a failed send
    drops its claim so the next run tries again, and a claim abandoned mid-send is taken over.
    """
    interval = password_policy.interval_days()
    # Candidates by a generous UTC window around the Warsaw days that make a notice due today.
    first_day = day - dt.timedelta(days=interval + 1 - password_policy.NOTICE_LAST_DAY_BEFORE)
    last_day = day + dt.timedelta(days=password_policy.NOTICE_DAYS_BEFORE + 1 - interval)
    with session_scope() as session:
        candidates = session.scalars(
            sa.select(col(User.id)).where(
                col(User.periodic_password_change).is_(True),
                col(User.email_confirmed_at).is_not(None),
                col(User.password_changed_at) >= dt.datetime.combine(first_day, dt.time()),
                col(User.password_changed_at)
                < dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time()),
            )
        ).all()
    sent = failed = 0
    for user_id in candidates:
        claim = _claim_notice(user_id, day, interval)
        if claim is None:
            continue
        claim_id, email, due_on = claim
        letter = mail.render(
            "password_change_notice",
            to=email,
            subject=t("mail.password_notice.subject"),
            action_url=get_settings().link(routes.PASSWORD_CHANGE),
            account_url=get_settings().link(routes.ACCOUNT),
            date=clock.format_date(due_on),
        )

        def send_notice(letter: mail.Mail = letter) -> bool:
            mail.send(letter)  # a security notice: not consent-gated, so it always goes out
            return True

        outcome = notices.deliver_under_claim(claim_id, send_notice)
        sent += outcome == "sent"
        failed += outcome == "failed"
    return sent, failed


def _claim_notice(user_id: int, day: dt.date, interval: int) -> tuple[int, str, dt.date] | None:
    try:
        with session_scope(write_lock=True) as session:
            user = session.get(User, user_id)
            if user is None or user.email_confirmed_at is None:
                return None
            due_on = password_policy.notice_due(user, day, interval)
            if due_on is None:
                return None
            claim_id = notices.claim(session, user_id, notices.NoticeKind.PASSWORD_CHANGE, due_on.isoformat())
            if claim_id is None:
                return None
            return claim_id, user.email, due_on
    except IntegrityError:
        return None


def password_change_notices(day: dt.date) -> str:
    """The daily task: 14-day notices of a forced password change."""
    sent, failed = send_change_notices(day)
    summary = f"password-change notices: {sent} sent"
    return summary + (f", {failed} failed (retried next run)" if failed else "")
