"""Accounts: registration, address confirmation and login.

The flows are async only where they wait on something slow (argon2 in a thread, SMTP in a thread);
each database step is its own short transaction, so no lock is held while hashing or mailing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import unicodedata

import email_validator
import idna
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from fakturowo_ui import routes
from fakturowo_ui.db import session_scope
from fakturowo_ui.i18n import DEFAULT_LANGUAGE, N_, supported, t
from fakturowo_ui.models import BlockedAddress, ConsentRecord, Subscription, User
from fakturowo_ui.services import (
    blocking,
    clock,
    links,
    mail,
    onetime,
    password_policy,
    passwords,
    ratelimit,
    security_log,
    sessions,
    two_step,
)
from fakturowo_ui.services.consents import Consent, ConsentSource
from fakturowo_ui.services.errors import DomainError, field_error, form_error
from fakturowo_ui.services.tokens import keyed_digest
from fakturowo_ui.settings import get_settings

audit = logging.getLogger("fakturowo.audit")

MAX_EMAIL_LENGTH = 254
CONFIRM_TTL = dt.timedelta(hours=24)
LOGIN_CODE_TTL = dt.timedelta(seconds=60)

# A pragmatic address check: one @, a dotted domain, no spaces or control characters.
_EMAIL_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


def normalise_email(raw: str) -> str:
    """Trimmed and lower-cased, an internationalised domain in its ASCII (IDNA) form: the one form
    an address is compared, stored and mailed in ("jan@żółw.pl" -> "jan@xn--w-uga1v8h.pl")."""
    email = unicodedata.normalize("NFKC", raw if isinstance(raw, str) else "").strip().lower()
    local, at, domain = email.rpartition("@")
    if at and domain and not domain.isascii():
        try:
            domain = idna.encode(domain, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError, ValueError):
            return email  # email_problem refuses it
        email = f"{local}@{domain}"
    return email


def email_problem(email: str) -> str | None:
    """The catalogue key of what is wrong with a normalised address, or None.

    Checked by email-validator (the syntax of RFC 5321/5322 and of domain names, no DNS look-up),
    and kept to what every SMTP server takes: an ASCII address (internationalised domains are
    already in their ASCII form here)."""
    if not email:
        return N_("error.email_empty")
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL_RE.match(email):
        return N_("error.email_invalid")
    if len(email.split("@", 1)[0]) > 64:
        return N_("error.email_invalid")
    try:
        email_validator.validate_email(email, check_deliverability=False, allow_smtputf8=False)
    except email_validator.EmailNotValidError:
        return N_("error.email_invalid")
    return None


def blocked_email_digest(email: str) -> str:
    """HMAC-SHA256 of the normalised address under the secret key: how a block is stored."""
    return keyed_digest(get_settings().secret_key, normalise_email(email))


def is_blocked(session: Session, email: str) -> bool:
    """Whether the address was blocked by an account deletion."""
    return session.get(BlockedAddress, blocked_email_digest(email)) is not None


def find_user(session: Session, email: str) -> User | None:
    """The account with this (normalised) address."""
    return session.scalars(sa.select(User).where(col(User.email) == normalise_email(email))).first()


@dataclasses.dataclass
class RegistrationForm:
    """What the registration page sends."""

    email: str
    password: str
    password_repeat: str
    reminder_consent: bool = False
    info_consent: bool = False


def registration_errors(form: RegistrationForm) -> dict[str, str]:
    """Field name -> message for every rule the form breaks (no database needed)."""
    errors: dict[str, str] = {}
    email = normalise_email(form.email)
    if key := email_problem(email):
        errors["email"] = t(key)
    if key := passwords.password_problem(form.password, email):
        errors["password"] = t(key)
    elif form.password != form.password_repeat:
        errors["password_repeat"] = t("error.password_mismatch")
    return errors


async def register(form: RegistrationForm, client_ip: str, language: str = DEFAULT_LANGUAGE) -> str:
    """Create an unconfirmed account and mail the confirmation link; returns the address.

    `language` is the language of the page the form was sent from (i18n.current_language()):
    the account's language (user.language), so its confirmation and every later mail are in it.

    Raises DomainError (with a `field` param when it belongs to one field) and changes nothing
    when the form is refused. If only the mail fails, the account stays and the message says so.
    """
    errors = registration_errors(form)
    if errors:
        raise form_error(errors)
    email = normalise_email(form.email)
    # Every attempt that reaches the database counts against the client (also one refused as
    # taken or blocked: the contract names those, so the count limits probing for addresses),
    # and it is counted before the slow hash, so parallel attempts cannot all pass the check.
    await blocking.db(_reserve_registration, email, client_ip)
    password_hash = await passwords.hash_password_async(form.password)
    user_id = await blocking.db(_insert_user, email, password_hash, form, language)
    audit.info("account registered user_id=%s", user_id)
    try:
        await send_confirmation(user_id, email)
    except DomainError as not_sent:
        # Said as it happened: not sent, or sent without the server confirming it (issue 13).
        uncertain = not_sent.key == "error.mail_uncertain"
        key = N_("register.mail_uncertain") if uncertain else N_("register.mail_failed")
        raise DomainError(key, email=email) from None
    return email


def _reserve_registration(email: str, client_ip: str) -> None:
    with session_scope(write_lock=True) as session:
        ratelimit.reserve(session, ratelimit.REGISTRATIONS_PER_CLIENT, client_ip)
    with session_scope() as session:
        _ensure_can_register(session, email)


def _insert_user(email: str, password_hash: str, form: RegistrationForm, language: str) -> int:
    try:
        with session_scope(write_lock=True) as session:
            _ensure_can_register(session, email)
            user = _create_user(session, email, password_hash, form, language)
            return user.id
    except IntegrityError:
        raise field_error("email", N_("error.email_taken")) from None


def _ensure_can_register(session: Session, email: str) -> None:
    if is_blocked(session, email):
        raise field_error("email", N_("error.email_blocked"))
    if find_user(session, email) is not None:
        raise field_error("email", N_("error.email_taken"))


def _create_user(
    session: Session, email: str, password_hash: str, form: RegistrationForm, language: str
) -> User:
    now = clock.now()
    user = User(
        email=email,
        password_hash=password_hash,
        created_at=now,
        password_changed_at=now,
        reminder_consent=form.reminder_consent,
        info_consent=form.info_consent,
        reminder_consent_changed_at=now if form.reminder_consent else None,
        info_consent_changed_at=now if form.info_consent else None,
        language=supported(language),
    )
    session.add(user)
    session.flush()
    trial_end = clock.warsaw_date(now) + dt.timedelta(days=get_settings().trial_days)
    session.add(Subscription(user_id=user.id, trial_ends_on=trial_end))
    for consent, given in (
        (Consent.REMINDERS, form.reminder_consent),
        (Consent.INFO, form.info_consent),
    ):
        if given:
            session.add(
                ConsentRecord(
                    user_id=user.id, consent=consent, given=True, at=now, source=ConsentSource.REGISTRATION
                )
            )
    return user


async def send_confirmation(user_id: int, email: str) -> None:
    """Issue a confirmation link and mail it; a failed send leaves no usable link behind."""

    def letter_for(token: str, expires_at: dt.datetime, lang: str) -> mail.Mail:
        return mail.render(
            "confirm_email",
            to=email,
            lang=lang,
            action_url=routes.confirm_email_link(token),
            valid_until=expires_at,
        )

    try:
        await links.mail_link(user_id, onetime.TokenPurpose.CONFIRM_EMAIL, CONFIRM_TTL, letter_for)
    except mail.MailUncertain:
        raise DomainError("error.mail_uncertain") from None
    except mail.MailError:
        raise DomainError("error.mail_failed") from None


async def resend_confirmation(email: str) -> str:
    """Mail a new confirmation link to an unconfirmed account (rate-limited per account)."""
    email = normalise_email(email)
    user_id = await blocking.db(_reserve_resend, email)
    if user_id is not None:
        await send_confirmation(user_id, email)
    return email


def _reserve_resend(email: str) -> int | None:
    with session_scope(write_lock=True) as session:
        user = find_user(session, email)
        if user is None or user.email_confirmed_at is not None:
            return None
        ratelimit.reserve(session, ratelimit.CONFIRMATION_RESENDS_PER_ACCOUNT, str(user.id))
        return user.id


def inspect_confirmation(token: str) -> tuple[onetime.LinkState, str | None]:
    """The state of a confirmation link and the address it confirms. Changes nothing."""
    with session_scope() as session:
        state, row = onetime.find(session, token, onetime.TokenPurpose.CONFIRM_EMAIL)
        if row is None:
            return state, None
        user = session.get(User, row.user_id)
        if user is not None and user.email_confirmed_at is not None and state is not onetime.LinkState.USED:
            return onetime.LinkState.USED, user.email
        return state, user.email if user else None


def confirm_email(token: str) -> onetime.LinkState:
    """Consume a confirmation link and mark the address confirmed; returns the outcome."""
    with session_scope(write_lock=True) as session:
        state, row = onetime.find(session, token, onetime.TokenPurpose.CONFIRM_EMAIL)
        if row is None or state is not onetime.LinkState.VALID:
            return state
        if not onetime.consume(session, row.id):
            return onetime.find(session, token, onetime.TokenPurpose.CONFIRM_EMAIL)[0]
        user = session.get_one(User, row.user_id)
        if user.email_confirmed_at is None:
            user.email_confirmed_at = clock.now()
            session.add(user)
        audit.info("address confirmed user_id=%s", user.id)
        return onetime.LinkState.VALID


class UnconfirmedAddress(DomainError):
    """The password was right but the address is not confirmed yet."""


async def log_in(
    email: str,
    password: str,
    client_ip: str,
    next_path: str | None,
    origin: security_log.Origin = security_log.NOWHERE,
) -> str:
    """Check the credentials and return a one-time login code for the cookie hand-off.

    One message for an unknown address and a wrong password; failures are limited per account
    and attempts per client address. The code is exchanged by `exchange_login_code`.
    """
    email = normalise_email(email)
    if email_problem(email) or not password:
        # Still count the attempt, so a flood of junk is limited like any other.
        await blocking.db(_reserve_login, None, client_ip)
        raise DomainError("login.failed")
    # The attempt is counted as a failure of the account before the hash is checked (and given
    # back on success): of 20 parallel guesses only the limit's 5 ever reach the hash.
    attempt = await blocking.db(_reserve_login, email, client_ip)
    user_id, password_hash, confirmed, hit = attempt
    if not password_hash:
        password_hash = await blocking.run_in(blocking.HASHING, passwords.dummy_hash)
    verified = await passwords.verify_password_async(password, password_hash)
    if not verified or user_id is None:
        if user_id is not None:
            audit.info("login failed user_id=%s", user_id)
            await blocking.db(_record_failed_login, user_id, origin)
        raise DomainError("login.failed")
    if not confirmed:
        await blocking.db(ratelimit.give_back, hit)
        raise UnconfirmedAddress("login.unconfirmed")
    new_hash = None
    if passwords.needs_rehash(password_hash):
        new_hash = await passwords.hash_password_async(password)
    return await blocking.db(_issue_login_code, email, user_id, new_hash, safe_next_path(next_path))


def _reserve_login(email: str | None, client_ip: str) -> tuple[int | None, str, bool, int | None]:
    """Count the attempt (per client, and per account as a failure until proven otherwise);
    returns (user ID or None, the hash to check against, confirmed, the reserved failure)."""
    with session_scope(write_lock=True) as session:
        ratelimit.reserve(session, ratelimit.LOGIN_ATTEMPTS_PER_CLIENT, client_ip)
        if email is None:
            return None, "", False, None
        hit = ratelimit.reserve(session, ratelimit.LOGIN_FAILURES_PER_ACCOUNT, email)
        user = find_user(session, email)
        if user is None:
            return None, "", False, hit
        return user.id, user.password_hash, user.email_confirmed_at is not None, hit


def _record_failed_login(user_id: int, origin: security_log.Origin) -> None:
    with session_scope() as session:
        security_log.record(session, user_id, security_log.EventKind.LOGIN_FAILED, origin, detail="password")


def _issue_login_code(email: str, user_id: int, new_hash: str | None, next_path: str) -> str:
    with session_scope(write_lock=True) as session:
        ratelimit.clear(session, ratelimit.LOGIN_FAILURES_PER_ACCOUNT, email)
        if new_hash is not None:
            session.execute(sa.update(User).where(col(User.id) == user_id).values(password_hash=new_hash))
        code, _row = onetime.issue(
            session, user_id, onetime.TokenPurpose.LOGIN_CODE, LOGIN_CODE_TTL, next_path=next_path
        )
    return code


@dataclasses.dataclass(frozen=True)
class Handoff:
    """What POST /auth/session gives the browser for a login code.

    A session token for the cookie, or, for an account with two-step login whose password was
    right, a ticket for the second step (`ticket`; api.py keeps it in an HttpOnly cookie of its
    own and sends the browser to the second step's page, `mail_code_to` first mailed a code).
    """

    token: str
    next_path: str
    ticket: bool = False
    mail_code_to: int | None = None


def hand_off(code: str, origin: security_log.Origin = security_log.NOWHERE) -> Handoff | None:
    """Consume a login code: a session (or a two-step ticket), or None for a code that cannot act.

    A code from the password step (LOGIN_CODE) of an account with two-step login gives a ticket;
    a code from the second step (LOGIN_CODE_VERIFIED, services/two_step.py) gives the session.
    """
    with session_scope(write_lock=True) as session:
        for purpose in (onetime.TokenPurpose.LOGIN_CODE, onetime.TokenPurpose.LOGIN_CODE_VERIFIED):
            found = onetime.find_usable(session, code, purpose)
            if not isinstance(found, onetime.LinkState):
                break
        else:
            return None
        row, user = found
        if not onetime.consume(session, row.id) or user.email_confirmed_at is None:
            return None
        if user.two_step_method and purpose is onetime.TokenPurpose.LOGIN_CODE:
            ticket = two_step.issue_ticket(session, user, row.next_path or routes.ACCOUNT)
            audit.info("password right, second step asked user_id=%s", user.id)
            mail_to = user.id if user.two_step_method == two_step.Method.EMAIL else None
            return Handoff(
                ticket,
                routes.in_language(routes.LOGIN_SECOND_STEP, user.language),
                ticket=True,
                mail_code_to=mail_to,
            )
        # The periodic password change, when due, marks the session: until the new password
        # is set it serves only /zmiana-hasla (see sessions.resolve).
        must_change = password_policy.change_is_due(user)
        token = sessions.create(session, user.id, must_change_password=must_change, origin=origin)
        security_log.record(session, user.id, security_log.EventKind.LOGIN, origin)
        audit.info("login user_id=%s must_change_password=%s", user.id, must_change)
        # The account's language decides where it lands (CONTRACT.md: the choice is kept on the
        # account); api.py copies it into the browser's language cookie.
        if must_change:
            return Handoff(token, routes.in_language(routes.PASSWORD_CHANGE, user.language))
        return Handoff(token, routes.in_language(row.next_path or routes.ACCOUNT, user.language))


def exchange_login_code(
    code: str, origin: security_log.Origin = security_log.NOWHERE
) -> tuple[str, str] | None:
    """hand_off for a session only: (session token, path to go to), or None (also for a ticket)."""
    handoff = hand_off(code, origin)
    if handoff is None or handoff.ticket:
        return None
    return handoff.token, handoff.next_path


# A private page, with or without its trailing slash, a query or a path below it.
_PRIVATE_PREFIXES = tuple(page.rstrip("/") for page in routes.PRIVATE_PAGES)


def safe_next_path(path: str | None) -> str:
    """Where to go after login: only a private page of this app, never another site."""
    if not path or not isinstance(path, str) or len(path) > 200:
        return routes.ACCOUNT
    if not path.startswith("/") or path.startswith("//") or "\\" in path or any(ord(c) < 32 for c in path):
        return routes.ACCOUNT
    if not routes.without_language(path).startswith(_PRIVATE_PREFIXES):
        return routes.ACCOUNT
    return routes.without_language(path)
