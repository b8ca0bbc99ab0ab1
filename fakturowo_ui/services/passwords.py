"""Password rules and hashing: argon2id with explicit parameters, NIST SP 800-63B style rules.

Rules: 12 to 256 characters, not one of the common passwords we ship, not the address itself,
no control characters. No composition rules. Hashing is CPU-bound: callers on an event loop run
it in a thread (see `hash_password_async`).
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

from passlib.context import CryptContext

from fakturowo_ui.i18n import N_
from fakturowo_ui.services import blocking

MIN_LENGTH = 12
MAX_LENGTH = 256

# OWASP's minimum for argon2id is m=19 MiB, t=2, p=1; passlib's own defaults are far weaker.
ARGON2_MEMORY_KIB = 19456
ARGON2_TIME_COST = 2
ARGON2_PARALLELISM = 1

_context = CryptContext(
    schemes=["argon2"],
    argon2__type="ID",
    argon2__memory_cost=ARGON2_MEMORY_KIB,
    argon2__time_cost=ARGON2_TIME_COST,
    argon2__parallelism=ARGON2_PARALLELISM,
)

_COMMON_FILE = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"


@functools.lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower case."""
    with _COMMON_FILE.open(encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


def normalise(password: str) -> str:
    """NFKC, so the same password typed on two keyboards hashes the same."""
    return unicodedata.normalize("NFKC", password)


def password_problem(password: str, email: str = "") -> str | None:
    """The catalogue key of the first rule the password breaks, or None when it is acceptable."""
    if not password:
        return N_("error.password_empty")
    if any(unicodedata.category(ch) == "Cc" for ch in password):
        return N_("error.password_invalid_chars")
    password = normalise(password)
    if len(password) < MIN_LENGTH:
        return N_("error.password_too_short")
    if len(password) > MAX_LENGTH:
        return N_("error.password_too_long")
    lowered = password.lower()
    if email and lowered == email.strip().lower():
        return N_("error.password_is_email")
    if lowered in common_passwords():
        return N_("error.password_common")
    return None


def hash_password(password: str) -> str:
    """An argon2id hash of the (normalised) password."""
    return _context.hash(normalise(password))


def verify_password(password: str, password_hash: str) -> bool:
    """Whether the password matches; never raises on a malformed hash or input."""
    if not isinstance(password, str) or not password or len(password) > MAX_LENGTH * 4:
        return False
    try:
        return _context.verify(normalise(password), password_hash)
    except (ValueError, TypeError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with older parameters and should be upgraded at login."""
    try:
        return _context.needs_update(password_hash)
    except (ValueError, TypeError):
        return True


# A hash of a random password, verified against when the address is unknown, so a login for a
# missing account takes as long as one for a real account.
@functools.lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A valid hash nobody knows the password of."""
    import secrets

    return hash_password(secrets.token_urlsafe(24))


async def hash_password_async(password: str) -> str:
    """hash_password off the event loop, in the hashing pool."""
    return await blocking.run_in(blocking.HASHING, hash_password, password)


async def verify_password_async(password: str, password_hash: str) -> bool:
    """verify_password off the event loop, in the hashing pool."""
    return await blocking.run_in(blocking.HASHING, verify_password, password, password_hash)
