"""Single-use tokens for e-mailed links and login hand-offs: issued, inspected, consumed.

Only the SHA-256 of a token is stored. A token is bound to a user and a purpose and lives until
`expires_at`; a newer token of the same purpose supersedes older unused ones (in the transaction
that issues it; services/links.py undoes that if its mail does not go out); consuming is one conditional UPDATE, so of two
simultaneous uses exactly one wins.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlmodel import Session, col

from fakturowo_ui.db import rows_changed
from fakturowo_ui.i18n import N_
from fakturowo_ui.models import OneTimeToken, SpentToken, User
from fakturowo_ui.services import clock
from fakturowo_ui.services.tokens import digest, looks_like_token, new_token


class TokenPurpose(enum.StrEnum):
    """What a token is for: its value is what one_time_token.purpose and spent_token.purpose hold."""

    CONFIRM_EMAIL = "confirm_email"
    DELETE_ACCOUNT = "delete_account"
    RESET_PASSWORD = "reset_password"
    LOGIN_CODE = "login_code"
    # The code that swaps the tab's session after a password change (services/password_change.py).
    ROTATE_SESSION = "rotate_session"
    # Two-step login (services/two_step.py): the ticket between the password and the code, the
    # login code once both steps passed, and a code mailed for the e-mail method.
    LOGIN_TICKET = "login_ticket"
    LOGIN_CODE_VERIFIED = "login_code_2fa"
    TWO_STEP_CODE = "two_step_code"
    # Changing the account's address (services/email_change.py): the link mailed to the new one.
    CHANGE_EMAIL = "change_email"


class LinkState(enum.Enum):
    """What a presented token can do, in CONTRACT.md's terms."""

    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"
    VOIDED = "voided"
    INVALID = "invalid"

    @property
    def message_key(self) -> str:
        """The catalogue key of the message a link in this state shows (none for a valid one)."""
        return _LINK_MESSAGES[self]


_LINK_MESSAGES = {
    LinkState.USED: N_("link.used"),
    LinkState.EXPIRED: N_("link.expired"),
    LinkState.SUPERSEDED: N_("link.superseded"),
    LinkState.VOIDED: N_("link.voided"),
    LinkState.INVALID: N_("link.invalid"),
}


def issue(
    session: Session,
    user_id: int,
    purpose: TokenPurpose,
    ttl: dt.timedelta,
    *,
    next_path: str | None = None,
) -> tuple[str, OneTimeToken]:
    """A new token (returned in clear once) and its row. Supersedes nothing by itself."""
    token = new_token()
    now = clock.now()
    row = OneTimeToken(
        user_id=user_id,
        purpose=purpose,
        token_hash=digest(token),
        created_at=now,
        expires_at=now + ttl,
        next_path=next_path,
    )
    session.add(row)
    session.flush()
    return token, row


def supersede_older(
    session: Session, user_id: int, purpose: TokenPurpose, keep_id: int, *, newer_too: bool = False
) -> list[int]:
    """Mark every older open token of this user and purpose as replaced by the newer `keep_id`
    (with newer_too, every other one: a link that was just used ends its siblings); returns
    the IDs it superseded."""
    ids = list(
        session.scalars(
            sa.select(col(OneTimeToken.id)).where(
                col(OneTimeToken.user_id) == user_id,
                col(OneTimeToken.purpose) == purpose,
                col(OneTimeToken.id) != keep_id if newer_too else col(OneTimeToken.id) < keep_id,
                col(OneTimeToken.used_at).is_(None),
                col(OneTimeToken.superseded_at).is_(None),
            )
        )
    )
    if ids:
        session.execute(
            sa.update(OneTimeToken).where(col(OneTimeToken.id).in_(ids)).values(superseded_at=clock.now())
        )
    return ids


def restore_superseded(
    session: Session, user_id: int, purpose: TokenPurpose, ids: list[int], *, newer_than: int
) -> None:
    """Undo a supersede whose link never went out, unless an even newer link exists by now."""
    if not ids:
        return
    newer = session.scalar(
        sa.select(sa.func.count())
        .select_from(OneTimeToken)
        .where(
            col(OneTimeToken.user_id) == user_id,
            col(OneTimeToken.purpose) == purpose,
            col(OneTimeToken.id) > newer_than,
        )
    )
    if newer:
        return
    session.execute(
        sa.update(OneTimeToken)
        .where(col(OneTimeToken.id).in_(ids), col(OneTimeToken.used_at).is_(None))
        .values(superseded_at=None)
    )


def discard(session: Session, token_id: int) -> None:
    """Remove a token whose mail never went out, so it can never be used."""
    session.execute(sa.delete(OneTimeToken).where(col(OneTimeToken.id) == token_id))


def find(session: Session, token: str, purpose: TokenPurpose) -> tuple[LinkState, OneTimeToken | None]:
    """The state of a presented token and its row (None when unknown). Changes nothing."""
    if not isinstance(token, str) or not looks_like_token(token):
        return LinkState.INVALID, None
    token_hash = digest(token)
    row = session.scalars(
        sa.select(OneTimeToken).where(
            col(OneTimeToken.token_hash) == token_hash, col(OneTimeToken.purpose) == purpose
        )
    ).first()
    if row is None:
        spent = session.get(SpentToken, token_hash)
        if spent is not None and spent.purpose == purpose:
            return LinkState.USED, None
        return LinkState.INVALID, None
    return state_of(row), row


def find_usable(session: Session, token: str, purpose: TokenPurpose) -> tuple[OneTimeToken, User] | LinkState:
    """The row and the account of a presented token that can act now, else the state that says
    why it cannot (INVALID when its account is gone). Changes nothing."""
    state, row = find(session, token, purpose)
    if row is None or state is not LinkState.VALID:
        return state
    user = session.get(User, row.user_id)
    if user is None:
        return LinkState.INVALID
    return row, user


def state_of(row: OneTimeToken) -> LinkState:
    """Classify a token row; a used link stays "used" whatever happened after."""
    if row.used_at is not None:
        return LinkState.USED
    if row.voided_at is not None:
        return LinkState.VOIDED
    if row.superseded_at is not None:
        return LinkState.SUPERSEDED
    if row.expires_at <= clock.now():
        return LinkState.EXPIRED
    return LinkState.VALID


def consume(session: Session, token_id: int) -> bool:
    """Mark the token used if, at this instant, it is still usable. True for the one winner."""
    now = clock.now()
    result = session.execute(
        sa.update(OneTimeToken)
        .where(
            col(OneTimeToken.id) == token_id,
            col(OneTimeToken.used_at).is_(None),
            col(OneTimeToken.superseded_at).is_(None),
            col(OneTimeToken.voided_at).is_(None),
            col(OneTimeToken.expires_at) > now,
        )
        .values(used_at=now)
    )
    return rows_changed(result) == 1


def record_failed_attempt(session: Session, token_id: int, void_after: int) -> bool:
    """Count a wrong password against the token; void it at `void_after`. True if now voided."""
    session.execute(
        sa.update(OneTimeToken)
        .where(col(OneTimeToken.id) == token_id)
        .values(failed_attempts=col(OneTimeToken.failed_attempts) + 1)
    )
    row = session.get_one(OneTimeToken, token_id)
    session.refresh(row)
    if row.failed_attempts >= void_after and row.voided_at is None:
        row.voided_at = clock.now()
        session.add(row)
        return True
    return row.voided_at is not None


def purge_expired(session: Session, older_than: dt.timedelta = dt.timedelta(days=7)) -> int:
    """Delete tokens that ended (expired, used, replaced) more than `older_than` ago."""
    cutoff = clock.now() - older_than
    result = session.execute(sa.delete(OneTimeToken).where(col(OneTimeToken.expires_at) < cutoff))
    return rows_changed(result)
