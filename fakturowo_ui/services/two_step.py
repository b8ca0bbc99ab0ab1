"""Two-step login (CONTRACT.md "Account security"): an authenticator app (TOTP) or a code by e-mail.

- The app method: RFC 6238 codes (6 digits, 30 s, SHA-1) checked by pyotp, one step either side
  accepted; the step of every accepted code is kept (user.two_step_last_step), so a code, or one
  of an earlier step, never works twice. The key is stored encrypted (AES-GCM under a key derived
  by HKDF from FAKTUROWO_SECRET_KEY), never logged, and shown only while it is being set up.
- The e-mail method: a 6-digit code valid CODE_TTL, single use, rate-limited, its keyed digest in
  one_time_token.code_hash (the row's own token_hash is a random one: six digits repeat).
- Recovery codes: RECOVERY_CODES codes of 80 bits, keyed digests in recovery_code, single use,
  shown once when the app method is confirmed.
- Login: the right password of an account with two-step login gives a LOGIN_TICKET (hashed,
  single use, TICKET_TTL) in an HttpOnly cookie, not a session (api.py); the second step's right
  code turns the ticket into a login code for POST /auth/session. MAX_WRONG_CODES wrong codes
  void the ticket.

Every change is recorded in the security history in its own transaction and mailed as a notice
(not consent-gated).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import enum
import hmac
import logging
import os
import re
import secrets

import pyotp
import segno
import sqlalchemy as sa
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pyotp.totp import TOTP
from sqlmodel import Session, col

from fakturowo_ui import routes
from fakturowo_ui.db import rows_changed, session_scope
from fakturowo_ui.i18n import N_
from fakturowo_ui.models import OneTimeToken, RecoveryCode, User
from fakturowo_ui.services import blocking, clock, mail, onetime, passwords, ratelimit, security_log
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.services.security_log import EventKind, Origin
from fakturowo_ui.services.sessions import CurrentUser
from fakturowo_ui.services.tokens import digest, keyed_digest, new_token
from fakturowo_ui.settings import get_settings

log = logging.getLogger("fakturowo.two_step")
audit = logging.getLogger("fakturowo.audit")

ISSUER = "Fakturowo"
STEP_SECONDS = 30
CODE_TTL = dt.timedelta(minutes=10)
TICKET_TTL = dt.timedelta(minutes=10)
MAX_WRONG_CODES = 5
RECOVERY_CODES = 10
# 16 base32 characters: 80 bits each (the issue asks for at least 50).
RECOVERY_CODE_CHARS = 16
CODES_MAILED_PER_ACCOUNT = ratelimit.Limit("two-step-mail", 5, dt.timedelta(minutes=15))
CODE_CHECKS_PER_ACCOUNT = ratelimit.Limit("two-step-check", 10, dt.timedelta(minutes=15))


class Method(enum.StrEnum):
    """How the second step is proved: user.two_step_method."""

    APP = "app"
    EMAIL = "email"


class Check(enum.Enum):
    """What a presented code came to."""

    OK = "ok"
    RECOVERY = "recovery"  # a recovery code, now spent
    WRONG = "wrong"
    REUSED = "reused"  # right, but already used (a TOTP step accepted before, a spent code)


_CHECK_MESSAGES = {
    Check.WRONG: N_("two_step.code_wrong"),
    Check.REUSED: N_("two_step.code_reused"),
}


def check_message(check: Check) -> str:
    """The catalogue key of a refused code's message."""
    return _CHECK_MESSAGES[check]


# -- the key at rest ---------------------------------------------------------------------------
def _cipher() -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"fakturowo two-step key").derive(
        get_settings().secret_key
    )
    return AESGCM(key)


def encrypt_key(secret: str, user_id: int) -> str:
    """The TOTP key as stored: nonce + AES-GCM ciphertext (bound to the account), base64."""
    nonce = os.urandom(12)
    sealed = _cipher().encrypt(nonce, secret.encode(), str(user_id).encode())
    return base64.b64encode(nonce + sealed).decode()


def decrypt_key(stored: str, user_id: int) -> str:
    raw = base64.b64decode(stored)
    return _cipher().decrypt(raw[:12], raw[12:], str(user_id).encode()).decode()


def group_key(secret: str) -> str:
    """A base32 key as people copy it: groups of four ("ABCD EFGH ...")."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_data_uri(uri: str) -> str:
    """The otpauth:// URI as a QR code, an SVG data URI drawn here (no outside service)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


# -- codes as typed ------------------------------------------------------------------------------
_SEPARATORS = re.compile(r"[\s\-]+")


def _clean(code: object) -> str:
    if not isinstance(code, str) or len(code) > 64:
        return ""
    return _SEPARATORS.sub("", code).upper()


def _is_six_digits(code: str) -> bool:
    return len(code) == 6 and code.isascii() and code.isdigit()


def _is_recovery_shape(code: str) -> bool:
    return len(code) == RECOVERY_CODE_CHARS and code.isascii() and all(c in _B32 for c in code)


_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _code_digest(user_id: int, kind: str, code: str) -> str:
    return keyed_digest(get_settings().secret_key, f"two-step:{kind}:{user_id}:{code}")


# -- TOTP ------------------------------------------------------------------------------------------
def _totp(secret: str) -> TOTP:
    return TOTP(secret, digits=6, interval=STEP_SECONDS, issuer=ISSUER)


def _matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step (one either side of now's) whose code this is, or None."""
    totp = _totp(secret)
    current = int(now) // STEP_SECONDS
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _unix_now() -> float:
    return clock.now().replace(tzinfo=dt.UTC).timestamp()


def _check_app_code(session: Session, user: User, code: str) -> Check:
    if not user.two_step_secret:
        return Check.WRONG
    step = _matching_step(decrypt_key(user.two_step_secret, user.id), code, _unix_now())
    if step is None:
        return Check.WRONG
    # One conditional UPDATE: of two logins with the same code, one wins.
    taken = session.execute(
        sa.update(User)
        .where(
            col(User.id) == user.id,
            sa.or_(col(User.two_step_last_step).is_(None), col(User.two_step_last_step) < step),
        )
        .values(two_step_last_step=step)
    )
    return Check.OK if rows_changed(taken) == 1 else Check.REUSED


def _check_recovery_code(session: Session, user_id: int, code: str) -> Check:
    code_hash = _code_digest(user_id, "recovery", code)
    spent = session.execute(
        sa.update(RecoveryCode)
        .where(
            col(RecoveryCode.user_id) == user_id,
            col(RecoveryCode.code_hash) == code_hash,
            col(RecoveryCode.used_at).is_(None),
        )
        .values(used_at=clock.now())
    )
    if rows_changed(spent) == 1:
        return Check.RECOVERY
    known = session.scalar(
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(col(RecoveryCode.user_id) == user_id, col(RecoveryCode.code_hash) == code_hash)
    )
    return Check.REUSED if known else Check.WRONG


def _check_mailed_code(session: Session, user_id: int, code: str) -> Check:
    code_hash = _code_digest(user_id, "mail", code)
    rows = session.scalars(
        sa.select(OneTimeToken).where(
            col(OneTimeToken.user_id) == user_id,
            col(OneTimeToken.purpose) == onetime.TokenPurpose.TWO_STEP_CODE,
            col(OneTimeToken.code_hash) == code_hash,
        )
    ).all()
    for row in rows:
        if onetime.state_of(row) is onetime.LinkState.VALID and onetime.consume(session, row.id):
            return Check.OK
    return Check.REUSED if any(row.used_at is not None for row in rows) else Check.WRONG


def check_code(session: Session, user: User, raw_code: object, *, recovery: bool = True) -> Check:
    """Check a code for the account's method (a recovery code too, when `recovery`), spending it
    when right. In the caller's transaction."""
    code = _clean(raw_code)
    if _is_six_digits(code):
        if user.two_step_method == Method.APP:
            return _check_app_code(session, user, code)
        if user.two_step_method == Method.EMAIL:
            return _check_mailed_code(session, user.id, code)
        return Check.WRONG
    if recovery and _is_recovery_shape(code):
        return _check_recovery_code(session, user.id, code)
    return Check.WRONG


# -- the e-mailed code -----------------------------------------------------------------------
def _issue_mailed_code(session: Session, user_id: int) -> str:
    """A new 6-digit code for the account (older open ones end); returns it in clear once."""
    ratelimit.reserve(session, CODES_MAILED_PER_ACCOUNT, str(user_id))
    code = f"{secrets.randbelow(10**6):06d}"
    now = clock.now()
    session.execute(
        sa.update(OneTimeToken)
        .where(
            col(OneTimeToken.user_id) == user_id,
            col(OneTimeToken.purpose) == onetime.TokenPurpose.TWO_STEP_CODE,
            col(OneTimeToken.used_at).is_(None),
            col(OneTimeToken.superseded_at).is_(None),
        )
        .values(superseded_at=now)
    )
    session.add(
        OneTimeToken(
            user_id=user_id,
            purpose=onetime.TokenPurpose.TWO_STEP_CODE,
            token_hash=digest(new_token()),
            code_hash=_code_digest(user_id, "mail", code),
            created_at=now,
            expires_at=now + CODE_TTL,
        )
    )
    return code


def _mail_code(user_id: int) -> None:
    """Issue and mail a login code (blocking: in the database and mail pools' threads)."""
    with session_scope(write_lock=True) as session:
        user = session.get_one(User, user_id)
        code = _issue_mailed_code(session, user_id)
        email, lang = user.email, user.language
    letter = mail.render(
        "two_step_code", to=email, lang=lang, code=code, minutes=int(CODE_TTL.total_seconds() // 60)
    )
    try:
        mail.send(letter)
    except mail.MailError:
        raise DomainError("two_step.mail_failed") from None


async def mail_code(user_id: int) -> None:
    """Mail a fresh code to the account (rate-limited). Raises DomainError when it cannot go."""
    await blocking.db(_mail_code, user_id)


# -- notices ------------------------------------------------------------------------------------
class Notice(enum.StrEnum):
    TURNED_ON = "on"
    TURNED_OFF = "off"
    RECOVERY_USED = "recovery"


def _notify(user_id: int, notice: Notice) -> None:
    with session_scope() as session:
        user = session.get(User, user_id)
        if user is None:
            return
        email, lang = user.email, user.language
        left = session.scalar(
            sa.select(sa.func.count())
            .select_from(RecoveryCode)
            .where(col(RecoveryCode.user_id) == user_id, col(RecoveryCode.used_at).is_(None))
        )
    letter = mail.render(
        "two_step_notice",
        to=email,
        lang=lang,
        notice=str(notice),
        email=email,
        when=clock.now(),
        left=left or 0,
        account_url=routes.ACCOUNT,
    )
    try:
        mail.send(letter)
    except mail.MailError:
        log.warning("two-step notice %s not sent user_id=%s", notice, user_id)


async def notify(user_id: int, notice: Notice) -> None:
    """Mail the security notice of a change (logged, not raised, when the mail server refuses)."""
    await blocking.db(_notify, user_id, notice)


# -- /konto: the region "Logowanie dwustopniowe" ---------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Status:
    """What the region shows."""

    method: str  # "" (off), "app" or "email"
    setting_up: bool  # an app key waits for its first code
    recovery_left: int


def status_for(session: Session, user: CurrentUser) -> Status:
    """The account's two-step login (the work of a private event)."""
    row = session.get_one(User, user.user_id)
    left = session.scalar(
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(col(RecoveryCode.user_id) == user.user_id, col(RecoveryCode.used_at).is_(None))
    )
    return Status(row.two_step_method or "", bool(row.two_step_pending_secret), int(left or 0))


@dataclasses.dataclass(frozen=True)
class Setup:
    """The key being set up, as the page shows it once."""

    key: str  # grouped base32
    qr: str  # data URI
    uri: str


def begin_app_for(session: Session, user: CurrentUser) -> Setup:
    """A new app key waiting for its first code (a former pending one is replaced)."""
    row = session.get_one(User, user.user_id)
    if row.two_step_method:
        raise DomainError("two_step.already_on")
    secret = pyotp.random_base32(32)
    row.two_step_pending_secret = encrypt_key(secret, row.id)
    session.add(row)
    uri = _totp(secret).provisioning_uri(name=row.email, issuer_name=ISSUER)
    return Setup(key=group_key(secret), qr=qr_data_uri(uri), uri=uri)


def _new_recovery_codes(session: Session, user_id: int) -> list[str]:
    session.execute(sa.delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
    now = clock.now()
    codes = ["".join(secrets.choice(_B32) for _ in range(RECOVERY_CODE_CHARS)) for _ in range(RECOVERY_CODES)]
    for code in codes:
        session.add(
            RecoveryCode(user_id=user_id, code_hash=_code_digest(user_id, "recovery", code), created_at=now)
        )
    return [group_key(code).replace(" ", "-").lower() for code in codes]


def confirm_app_for(session: Session, user: CurrentUser, raw_code: object, origin: Origin) -> list[str]:
    """Turn the app method on with the first code from the app; returns the recovery codes (in
    clear this once)."""
    row = session.get_one(User, user.user_id)
    if row.two_step_method:
        raise DomainError("two_step.already_on")
    if not row.two_step_pending_secret:
        raise DomainError("two_step.setup_expired")
    code = _clean(raw_code)
    secret = decrypt_key(row.two_step_pending_secret, row.id)
    step = _matching_step(secret, code, _unix_now()) if _is_six_digits(code) else None
    if step is None:
        raise DomainError("two_step.code_wrong")
    row.two_step_method = Method.APP
    row.two_step_secret = row.two_step_pending_secret
    row.two_step_pending_secret = None
    row.two_step_last_step = step
    session.add(row)
    codes = _new_recovery_codes(session, row.id)
    security_log.record(session, row.id, EventKind.TWO_STEP_ON, origin, detail=Method.APP)
    audit.info("two-step login on user_id=%s method=app", row.id)
    return codes


def cancel_setup_for(session: Session, user: CurrentUser) -> None:
    """Forget a key that was never confirmed."""
    session.execute(sa.update(User).where(col(User.id) == user.user_id).values(two_step_pending_secret=None))


def mail_setup_code_for(session: Session, user: CurrentUser) -> int:
    """Start the e-mail method: a code to the account's address proves it receives them.
    Returns the user ID for the mail step (`mail_code`)."""
    row = session.get_one(User, user.user_id)
    if row.two_step_method:
        raise DomainError("two_step.already_on")
    row.two_step_pending_secret = None  # the app key offered first is not wanted
    session.add(row)
    return row.id


def confirm_email_for(session: Session, user: CurrentUser, raw_code: object, origin: Origin) -> None:
    """Turn the e-mail method on with the code mailed by `mail_code`."""
    row = session.get_one(User, user.user_id)
    if row.two_step_method:
        raise DomainError("two_step.already_on")
    code = _clean(raw_code)
    check = _check_mailed_code(session, row.id, code) if _is_six_digits(code) else Check.WRONG
    if check is not Check.OK:
        raise DomainError(check_message(check))
    row.two_step_method = Method.EMAIL
    row.two_step_pending_secret = None
    session.add(row)
    session.execute(sa.delete(RecoveryCode).where(col(RecoveryCode.user_id) == row.id))
    security_log.record(session, row.id, EventKind.TWO_STEP_ON, origin, detail=Method.EMAIL)
    audit.info("two-step login on user_id=%s method=email", row.id)


def password_hash_for(session: Session, user: CurrentUser) -> str:
    """The account's password hash, to check a password off the database transaction; every
    attempt to turn two-step login off counts against CODE_CHECKS_PER_ACCOUNT."""
    ratelimit.reserve(session, CODE_CHECKS_PER_ACCOUNT, str(user.user_id))
    return session.get_one(User, user.user_id).password_hash


def turn_off_for(session: Session, user: CurrentUser, raw_code: object, origin: Origin) -> None:
    """Turn two-step login off (the password was checked by the caller) with a valid code."""
    row = session.get_one(User, user.user_id)
    if not row.two_step_method:
        raise DomainError("two_step.already_off")
    check = check_code(session, row, raw_code)
    if check not in (Check.OK, Check.RECOVERY):
        raise DomainError(check_message(check))
    row.two_step_method = None
    row.two_step_secret = None
    row.two_step_pending_secret = None
    row.two_step_last_step = None
    session.add(row)
    session.execute(sa.delete(RecoveryCode).where(col(RecoveryCode.user_id) == row.id))
    security_log.record(session, row.id, EventKind.TWO_STEP_OFF, origin)
    audit.info("two-step login off user_id=%s", row.id)


async def verify_password(password_hash: str, password: str) -> bool:
    """The password check of turning it off (argon2 in the hashing pool)."""
    if not isinstance(password, str) or not password or len(password) > 1000:
        return False
    return await passwords.verify_password_async(password, password_hash)


# -- the login ticket ------------------------------------------------------------------------
TICKET_COOKIE = "fakturowo_ticket"


def issue_ticket(session: Session, user: User, next_path: str) -> str:
    """After the right password: the ticket for the second step (in clear once, for the cookie)."""
    token, _row = onetime.issue(
        session, user.id, onetime.TokenPurpose.LOGIN_TICKET, TICKET_TTL, next_path=next_path
    )
    return token


@dataclasses.dataclass(frozen=True)
class Ticket:
    """A live ticket: whose, and how the second step is proved."""

    user_id: int
    method: str
    attempts_left: int


def inspect_ticket(token: str | None) -> Ticket | None:
    """The live ticket behind a cookie, or None. Changes nothing."""
    if not token:
        return None
    with session_scope() as session:
        found = onetime.find_usable(session, token, onetime.TokenPurpose.LOGIN_TICKET)
        if isinstance(found, onetime.LinkState):
            return None
        row, user = found
        if not user.two_step_method:
            return None
        return Ticket(user.id, user.two_step_method, MAX_WRONG_CODES - row.failed_attempts)


class SecondStep(enum.Enum):
    """What the second step came to."""

    PASSED = "passed"
    WRONG = "wrong"
    REUSED = "reused"
    ENDED = "ended"  # no live ticket (expired, used, voided by wrong codes, forged)


@dataclasses.dataclass(frozen=True)
class SecondStepResult:
    outcome: SecondStep
    login_code: str = ""
    attempts_left: int = 0
    used_recovery: bool = False
    user_id: int = 0


def pass_second_step(token: str | None, raw_code: object, client_ip: str, origin: Origin) -> SecondStepResult:
    """Check the code for the ticket: the right one spends the ticket and gives a login code for
    POST /auth/session (a session only then); a wrong one counts, and the fifth voids the ticket."""
    with session_scope(write_lock=True) as session:
        ratelimit.reserve(session, ratelimit.LOGIN_ATTEMPTS_PER_CLIENT, client_ip)
        found = onetime.find_usable(session, token or "", onetime.TokenPurpose.LOGIN_TICKET)
        if isinstance(found, onetime.LinkState) or not found[1].two_step_method:
            return SecondStepResult(SecondStep.ENDED)
        row, user = found
        check = check_code(session, user, raw_code)
        if check in (Check.OK, Check.RECOVERY):
            if not onetime.consume(session, row.id):
                return SecondStepResult(SecondStep.ENDED)
            code, _ = onetime.issue(
                session,
                user.id,
                onetime.TokenPurpose.LOGIN_CODE_VERIFIED,
                dt.timedelta(seconds=60),
                next_path=row.next_path,
            )
            if check is Check.RECOVERY:
                security_log.record(session, user.id, EventKind.RECOVERY_CODE_USED, origin)
            return SecondStepResult(
                SecondStep.PASSED, login_code=code, used_recovery=check is Check.RECOVERY, user_id=user.id
            )
        security_log.record(session, user.id, EventKind.LOGIN_FAILED, origin, detail="code")
        # (record_failed_attempt refreshes `row`: the same object, its count up to date.)
        voided = onetime.record_failed_attempt(session, row.id, MAX_WRONG_CODES)
        if voided:
            audit.info("login ticket voided after wrong codes user_id=%s", user.id)
            return SecondStepResult(SecondStep.ENDED)
        outcome = SecondStep.REUSED if check is Check.REUSED else SecondStep.WRONG
        return SecondStepResult(outcome, attempts_left=MAX_WRONG_CODES - row.failed_attempts)


def ticket_user(token: str | None) -> int | None:
    """The account of a live ticket (to mail it a code), or None."""
    ticket = inspect_ticket(token)
    return None if ticket is None else ticket.user_id


# -- the deletion confirmation -------------------------------------------------------------------
def required_for(session: Session, user_id: int) -> bool:
    """Whether the account's sensitive steps ask for a code."""
    row = session.get(User, user_id)
    return bool(row is not None and row.two_step_method)


def check_for_step(session: Session, user_id: int, raw_code: object) -> Check:
    """A code for a sensitive step (the deletion confirmation), spent when right."""
    row = session.get_one(User, user_id)
    ratelimit.reserve(session, CODE_CHECKS_PER_ACCOUNT, str(user_id))
    return check_code(session, row, raw_code)
