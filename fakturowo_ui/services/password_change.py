"""Changing the password while logged in, and what follows any new password.

A change ends every session of the user (the current one included) and hands the tab a one-time
code that POST /auth/rotate exchanges for a fresh session cookie: an event over the websocket
cannot set an HttpOnly cookie, and a new token is what "rotated" means. Whichever way a password
was set (here or through a reset link, services/password_reset.py), the rules of the new one are
`new_password_errors` and the mail "Twoje hasło zostało zmienione" is `notify_password_changed`.
"""

from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa
from sqlmodel import Session, col

from fakturowo_ui import routes
from fakturowo_ui.db import rows_changed, session_scope
from fakturowo_ui.i18n import N_, t
from fakturowo_ui.models import User
from fakturowo_ui.services import (
    blocking,
    clock,
    mail,
    onetime,
    passwords,
    ratelimit,
    security_log,
    sessions,
    userdata,
)
from fakturowo_ui.services.errors import DomainError, field_error, form_error
from fakturowo_ui.services.onetime import LinkState
from fakturowo_ui.services.sessions import CurrentUser

log = logging.getLogger("fakturowo.passwords")
audit = logging.getLogger("fakturowo.audit")

ROTATE_TTL = dt.timedelta(seconds=60)

CHANGE_FAILURES_PER_ACCOUNT = ratelimit.Limit("password-change", 5, dt.timedelta(minutes=15))


def new_password_errors(new: str, repeat: str, email: str) -> dict[str, str]:
    """Field -> message for the new password's rules and its repetition (no database needed)."""
    if key := passwords.password_problem(new, email):
        return {"new_password": t(key)}
    if new != repeat:
        return {"new_password_repeat": t("error.password_mismatch")}
    return {}


async def change_password(
    user_id: int, current: str, new: str, repeat: str, origin: security_log.Origin = security_log.NOWHERE
) -> str:
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
        raise form_error(errors)
    # Counted as a wrong current password before the hash is checked (given back when right),
    # so parallel guesses cannot all pass the limit's check first.
    hit = await blocking.db(_reserve_change_attempt, user_id)
    if not await passwords.verify_password_async(current, old_hash):
        audit.info("password change refused (wrong current password) user_id=%s", user_id)
        raise field_error("current_password", N_("error.current_password_wrong"))
    if passwords.normalise(new) == passwords.normalise(current):
        await blocking.db(ratelimit.give_back, hit)
        raise field_error("new_password", N_("error.password_same_as_current"))
    new_hash = await passwords.hash_password_async(new)
    changed_at, code = await blocking.db(_store_changed_password, user_id, old_hash, new_hash, origin)
    await notify_password_changed(user_id, email, changed_at)
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


def _store_changed_password(
    user_id: int, old_hash: str, new_hash: str, origin: security_log.Origin = security_log.NOWHERE
) -> tuple[dt.datetime, str]:
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
        security_log.record(session, user_id, security_log.EventKind.PASSWORD_CHANGED, origin)
        code, _row = onetime.issue(
            session,
            user_id,
            onetime.TokenPurpose.ROTATE_SESSION,
            ROTATE_TTL,
            next_path=routes.PASSWORD_CHANGED,
        )
    audit.info("password changed user_id=%s sessions_ended=%s", user_id, ended)
    return changed_at, code


def changed_recently_for(
    session: Session, user: CurrentUser, within: dt.timedelta = dt.timedelta(minutes=5)
) -> bool:
    """Whether the logged-in user changed the password a moment ago (the page after the change
    says so only then); the work of a private event (state/events.act)."""
    changed_at = session.scalar(sa.select(col(User.password_changed_at)).where(col(User.id) == user.user_id))
    return changed_at is not None and clock.now() - changed_at <= within


def exchange_rotation_code(
    code: str, origin: security_log.Origin = security_log.NOWHERE
) -> tuple[str, str] | None:
    """Consume a code from change_password: (new session token, path to go to), or None."""
    with session_scope(write_lock=True) as session:
        found = onetime.find_usable(session, code, onetime.TokenPurpose.ROTATE_SESSION)
        if isinstance(found, LinkState) or not onetime.consume(session, found[0].id):
            return None
        row, user = found
        # Never marked "must change": the password was changed a moment ago.
        token = sessions.create(session, user.id, origin=origin)
        return token, row.next_path or routes.ACCOUNT


async def notify_password_changed(user_id: int, email: str, changed_at: dt.datetime) -> bool:
    """Mail "Twoje hasło zostało zmienione"; False (logged) when the mail server refused it."""
    lang = await blocking.db(userdata.language_of_account, user_id)
    letter = mail.render(
        "password_changed",
        to=email,
        lang=lang,
        reset_url=routes.PASSWORD_RESET,
        when=changed_at,
        email=email,
    )
    try:
        await mail.send_async(letter)
    except mail.MailError:
        log.warning("the password-changed notice was not sent")
        return False
    return True
