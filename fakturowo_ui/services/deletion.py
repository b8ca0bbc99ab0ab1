"""Account deletion: an e-mailed single-use link, a password-confirmed erasure of everything, a block.

Opening the link changes nothing (mail scanners open links before people do); the password on the
confirmation page deletes. The erasure is one transaction: consume the token atomically, remember
its digest outside the user's data, block the address by its HMAC, end every session and delete
the user row, which cascades to everything the user owns. Afterwards a WAL checkpoint folds the
log into the main file, where SQLite's secure_delete has zeroed the freed bytes; a reader in the
way only postpones it (retried in the background, by the scheduler and the daily job).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import enum
import logging
import time
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col

from fakturowo_ui import routes
from fakturowo_ui.db import SQLITE_BUSY_TIMEOUT_MS, get_engine, is_sqlite, rows_changed, session_scope
from fakturowo_ui.i18n import formats, supported
from fakturowo_ui.models import (
    BlockedAddress,
    Client,
    Document,
    DocumentItem,
    OneTimeToken,
    Product,
    SpentToken,
    User,
)
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
    two_step,
    userdata,
)
from fakturowo_ui.services.accounts import blocked_email_digest
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.services.onetime import LinkState
from fakturowo_ui.services.tokens import digest
from fakturowo_ui.settings import get_settings

audit = logging.getLogger("fakturowo.audit")

# The fifth wrong password voids the link.
MAX_WRONG_PASSWORDS = 5
DELETION_MAIL_SHORT = ratelimit.Limit("deletion-mail-short", 1, dt.timedelta(minutes=3))
DELETION_MAIL_DAILY = ratelimit.Limit("deletion-mail-day", 5, dt.timedelta(days=1))


@dataclasses.dataclass(frozen=True)
class DeletionRequested:
    """The mail went out: to which address, and until when its link works."""

    email: str
    valid_until: dt.datetime


def link_ttl() -> dt.timedelta:
    """How long a deletion link lives (FAKTUROWO_DELETION_LINK_TTL_SECONDS)."""
    return dt.timedelta(seconds=get_settings().deletion_link_ttl_seconds)


async def request_deletion(
    user_id: int, *, box_ticked: bool, origin: security_log.Origin = security_log.NOWHERE
) -> DeletionRequested:
    """Mail a deletion link to the account's address.

    Refused (DomainError, nothing sent) without the ticked box or when the mail limits are
    reached. A failed send leaves no usable link, supersedes nothing and is not counted.
    """
    if not box_ticked:
        raise DomainError("deletion.tick_box")
    email, counts = await blocking.db(_account_and_counts, user_id)

    def letter_for(token: str, expires_at: dt.datetime, lang: str) -> mail.Mail:
        return mail.render(
            "deletion_link",
            to=email,
            lang=lang,
            action_url=routes.confirm_deletion_link(token),
            user_id=user_id,
            valid_until=expires_at,
            documents=counts.documents,
            clients=counts.clients,
            products=counts.products,
        )

    subject = str(user_id)
    try:
        expires_at = await links.mail_link(
            user_id,
            onetime.TokenPurpose.DELETE_ACCOUNT,
            link_ttl(),
            letter_for,
            limits=[(DELETION_MAIL_SHORT, subject), (DELETION_MAIL_DAILY, subject)],
        )
    except ratelimit.RateLimited as refused:
        minutes = max(1, int((refused.until - clock.now()).total_seconds() + 59) // 60)
        raise DomainError("deletion.too_soon", time=formats.time(refused.until), minutes=minutes) from None
    except mail.MailUncertain:
        # The link stays (the mail may arrive) and is counted; the account is untouched.
        audit.info("deletion link sent unconfirmed user_id=%s", user_id)
        raise DomainError("deletion.mail_uncertain", email=email) from None
    except mail.MailError:
        raise DomainError("deletion.mail_failed") from None
    audit.info("deletion requested user_id=%s", user_id)
    await blocking.db(_record_link_sent, user_id, origin)
    return DeletionRequested(email=email, valid_until=expires_at)


def _record_link_sent(user_id: int, origin: security_log.Origin) -> None:
    with session_scope() as session:
        security_log.record(session, user_id, security_log.EventKind.DELETION_LINK_SENT, origin)


def _account_and_counts(user_id: int) -> tuple[str, userdata.DataCounts]:
    with session_scope() as session:
        user = session.get(User, user_id)
        if user is None:
            raise DomainError("deletion.account_gone")
        return user.email, userdata.counts(session, user_id)


@dataclasses.dataclass(frozen=True)
class DeletionLink:
    """What the confirmation page shows about a link: its state and, while valid, the account."""

    state: LinkState
    user_id: int = 0
    email: str = ""
    counts: userdata.DataCounts | None = None
    # Two-step login is on: the confirmation also asks for "Kod weryfikacyjny" (issue 12).
    needs_code: bool = False


def inspect_link(token: str) -> DeletionLink:
    """Look at a deletion link without using it (GET, HEAD and scanners come through here)."""
    with session_scope() as session:
        found = onetime.find_usable(session, token, onetime.TokenPurpose.DELETE_ACCOUNT)
        if isinstance(found, LinkState):
            return DeletionLink(found)
        _row, user = found
        return DeletionLink(
            LinkState.VALID,
            user.id,
            user.email,
            userdata.counts(session, user.id),
            needs_code=bool(user.two_step_method),
        )


class Outcome(enum.Enum):
    """How a confirmation attempt ended."""

    DELETED = "deleted"
    WRONG_PASSWORD = "wrong_password"
    WRONG_CODE = "wrong_code"  # two-step login is on and the code was wrong or already used
    VOIDED_NOW = "voided_now"  # this wrong password was the last allowed one
    LINK_UNUSABLE = "link_unusable"


@dataclasses.dataclass(frozen=True)
class ConfirmationResult:
    """The outcome, and the link's state when the link could not act."""

    outcome: Outcome
    link_state: LinkState = LinkState.VALID
    attempts_left: int = 0


def _unusable(state: LinkState) -> ConfirmationResult:
    return ConfirmationResult(Outcome.LINK_UNUSABLE, state)


async def confirm_deletion(token: str, password: str, code: str = "") -> ConfirmationResult:
    """Delete the account behind a valid link if the password is right (and, with two-step login
    on, the code: checked in the transaction that deletes, a wrong one counting like a wrong
    password).

    The password is checked before the write lock is taken, so a slow hash never holds it.
    """
    owner = await blocking.db(_link_owner, token)
    if isinstance(owner, ConfirmationResult):
        return owner
    token_id, user_id, password_hash, email, lang = owner
    if not await passwords.verify_password_async(password or "", password_hash):
        result = await blocking.db(_count_wrong_password, token, token_id)
        if result.outcome is not Outcome.LINK_UNUSABLE:
            audit.info("deletion wrong password user_id=%s", user_id)
        return result
    unusable = await blocking.db(_consume_and_erase, token, token_id, user_id, email, code)
    if unusable is not None:
        return unusable
    # Never on the event loop, and never waiting on a reader: one quick try now, then retries in
    # the background, by the scheduler and by the daily job until the WAL holds nothing of it.
    await blocking.db(_after_erase, user_id)
    schedule_checkpoint_retries()
    audit.info("deletion confirmed user_id=%s", user_id)
    await _send_goodbye(user_id, email, lang)
    return ConfirmationResult(Outcome.DELETED)


def _link_owner(token: str) -> ConfirmationResult | tuple[int, int, str, str, str]:
    """(token ID, user ID, password hash, address, language) of a link that can act, else why not.

    The language is read here, before the account is gone: the goodbye mail is written in it.
    """
    with session_scope() as session:
        found = onetime.find_usable(session, token, onetime.TokenPurpose.DELETE_ACCOUNT)
        if isinstance(found, LinkState):
            return _unusable(found)
        row, user = found
        return row.id, user.id, user.password_hash, user.email, supported(user.language)


def _count_wrong_password(token: str, token_id: int) -> ConfirmationResult:
    with session_scope(write_lock=True) as session:
        state, row = onetime.find(session, token, onetime.TokenPurpose.DELETE_ACCOUNT)
        if row is None or state is not LinkState.VALID:
            return _unusable(state)
        voided = onetime.record_failed_attempt(session, token_id, MAX_WRONG_PASSWORDS)
        left = max(0, MAX_WRONG_PASSWORDS - row.failed_attempts)
    return ConfirmationResult(Outcome.VOIDED_NOW if voided else Outcome.WRONG_PASSWORD, attempts_left=left)


def _consume_and_erase(
    token: str, token_id: int, user_id: int, email: str, code: str = ""
) -> ConfirmationResult | None:
    with session_scope(write_lock=True) as session:
        if two_step.required_for(session, user_id):
            check = two_step.check_for_step(session, user_id, code)
            if check not in (two_step.Check.OK, two_step.Check.RECOVERY):
                voided = onetime.record_failed_attempt(session, token_id, MAX_WRONG_PASSWORDS)
                row = session.get_one(OneTimeToken, token_id)
                left = max(0, MAX_WRONG_PASSWORDS - row.failed_attempts)
                audit.info("deletion wrong code user_id=%s", user_id)
                return ConfirmationResult(
                    Outcome.VOIDED_NOW if voided else Outcome.WRONG_CODE, attempts_left=left
                )
        if not onetime.consume(session, token_id):
            state, _row = onetime.find(session, token, onetime.TokenPurpose.DELETE_ACCOUNT)
            return _unusable(state if state is not LinkState.VALID else LinkState.USED)
        erase_account(session, user_id, email, onetime_digest=digest(token))
    return None


def _after_erase(user_id: int) -> None:
    # User data (issue 6): an export not downloaded yet goes with the account.
    from fakturowo_ui.services.export import discard_user_exports

    discard_user_exports(user_id)
    mark_checkpoint_pending()
    if not flush_deleted_pages():
        audit.info("deletion of user_id=%s: the WAL checkpoint waits for a reader", user_id)


def erase_account(session: Session, user_id: int, email: str, *, onetime_digest: str | None) -> None:
    """Inside the caller's transaction: block the address, end sessions, delete the user and
    (through ON DELETE CASCADE) everything the user owns, keeping the spent link's digest."""
    now = clock.now()
    if onetime_digest is not None:
        session.add(
            SpentToken(token_hash=onetime_digest, purpose=onetime.TokenPurpose.DELETE_ACCOUNT, used_at=now)
        )
    # Every link of the account that was already used keeps saying so after the account is gone
    # (only digests move; the rows themselves go with the user).
    session.execute(
        sa.insert(SpentToken).from_select(
            ["token_hash", "purpose", "used_at"],
            sa.select(
                col(OneTimeToken.token_hash), col(OneTimeToken.purpose), col(OneTimeToken.used_at)
            ).where(
                col(OneTimeToken.user_id) == user_id,
                col(OneTimeToken.used_at).is_not(None),
                col(OneTimeToken.purpose) != onetime.TokenPurpose.LOGIN_CODE,
                col(OneTimeToken.token_hash) != (onetime_digest or ""),
            ),
        )
    )
    address_digest = blocked_email_digest(email)
    if session.get(BlockedAddress, address_digest) is None:
        session.add(BlockedAddress(email_digest=address_digest, blocked_at=now))
    session.flush()
    sessions.end_all(session, user_id)
    # The bulky tables go first with set-based deletes (one statement each, no per-row cascade
    # lookups); the user row's ON DELETE CASCADE then takes everything else the user owns.
    # synchronize_session=False: nothing of the user is loaded in this session, and the default
    # would fetch every deleted row's ID back into Python.
    bulk = {"synchronize_session": False}
    documents = sa.select(col(Document.id)).where(col(Document.user_id) == user_id).scalar_subquery()
    session.execute(
        sa.delete(DocumentItem).where(col(DocumentItem.document_id).in_(documents)), execution_options=bulk
    )
    for model in (Document, Client, Product):
        session.execute(sa.delete(model).where(col(model.user_id) == user_id), execution_options=bulk)
    result = session.execute(sa.delete(User).where(col(User.id) == user_id), execution_options=bulk)
    if rows_changed(result) != 1:
        raise RuntimeError("the account to delete is gone")


def checkpoint(attempts: int = 5, busy_timeout_ms: int = 100) -> bool:
    """Fold SQLite's WAL into the main file and truncate it, so deleted pages leave the log.

    True when the WAL was fully checkpointed (always True on PostgreSQL, which needs none).
    Each try waits at most `busy_timeout_ms` for readers (not the connections' 10 s): a reader
    holding an old snapshot makes it fail fast, and the caller retries later.
    """
    engine = get_engine()
    if not is_sqlite(engine):
        return True
    for attempt in range(attempts):
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            try:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                # (busy, log frames, checkpointed frames); busy=1 when a reader held it up.
                busy = (cursor.fetchone() or (1,))[0]
            finally:
                cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
                cursor.close()
        finally:
            raw.close()
        if busy == 0:
            return True
        if attempt + 1 < attempts:
            time.sleep(0.05 * (attempt + 1))
    logging.getLogger("fakturowo.deletion").warning("WAL checkpoint stayed busy")
    return False


def _pending_marker() -> Path:
    return get_settings().var_dir / "checkpoint-pending"


def mark_checkpoint_pending() -> None:
    """Remember (on disk, so a restart remembers too) that deleted pages may still be in the WAL."""
    if is_sqlite(get_engine()):
        marker = _pending_marker()
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch(mode=0o600)


def checkpoint_pending() -> bool:
    """Whether a deletion's pages may still be in the WAL."""
    return _pending_marker().exists()


def flush_deleted_pages(attempts: int = 1) -> bool:
    """Checkpoint if a deletion asked for it; True when nothing is pending any more.

    On PostgreSQL, VACUUM the tables an erasure deletes from instead: their dead rows become
    free space that later writes reuse (the README says what that does and does not promise).
    """
    engine = get_engine()
    if not is_sqlite(engine):
        vacuum_user_tables()
        return True
    if not checkpoint_pending():
        return True
    if checkpoint(attempts):
        _pending_marker().unlink(missing_ok=True)
        return True
    return False


def vacuum_user_tables() -> None:
    """PostgreSQL: VACUUM the user and every table that holds user data (outside a transaction)."""
    from sqlmodel import SQLModel

    tables = [
        table.name
        for table in SQLModel.metadata.sorted_tables
        if table.name == User.__tablename__
        or any(
            fk.column.table.name in (User.__tablename__, Document.__tablename__) for fk in table.foreign_keys
        )
    ]
    engine = get_engine()
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            names = ", ".join(engine.dialect.identifier_preparer.quote(name) for name in tables)
            connection.exec_driver_sql(f"VACUUM {names}")
    except Exception:  # noqa: BLE001 - autovacuum will get there too; log and go on
        logging.getLogger("fakturowo.deletion").exception("VACUUM after a deletion failed")


# Background retries after a deletion whose checkpoint met a reader: 1 s, 2 s, 4 s … up to a
# minute apart, for as long as it takes (the scheduler and the daily job try too).
_retry_task: asyncio.Task | None = None
RETRY_FIRST_SECONDS = 1.0
RETRY_MAX_SECONDS = 60.0


def schedule_checkpoint_retries() -> None:
    """Start the background retries in this process unless they run already or nothing waits."""
    global _retry_task
    if not checkpoint_pending() or (_retry_task is not None and not _retry_task.done()):
        return
    _retry_task = asyncio.get_running_loop().create_task(_retry_checkpoint())


async def _retry_checkpoint() -> None:
    delay = RETRY_FIRST_SECONDS
    while True:
        await asyncio.sleep(delay)
        try:
            if await blocking.db(flush_deleted_pages):
                logging.getLogger("fakturowo.deletion").info("WAL checkpoint after a deletion done")
                return
        except Exception:  # noqa: BLE001 - keep trying; the daily job tries too
            logging.getLogger("fakturowo.deletion").exception("WAL checkpoint retry failed")
        delay = min(delay * 2, RETRY_MAX_SECONDS)


async def _send_goodbye(user_id: int, email: str, lang: str) -> None:
    """ "Twoje konto zostało usunięte"; a failure to send undoes nothing."""
    letter = mail.render(
        "account_deleted",
        to=email,
        lang=lang,
        user_id=user_id,
        when=clock.now(),
    )
    try:
        await mail.send_async(letter)
    except mail.MailError:
        logging.getLogger("fakturowo.deletion").warning("goodbye mail not sent user_id=%s", user_id)


def unblock_address(email: str) -> bool:
    """Lift the block on an address (operator command). True if it was blocked."""
    with session_scope() as session:
        result = session.execute(
            sa.delete(BlockedAddress).where(col(BlockedAddress.email_digest) == blocked_email_digest(email))
        )
        return bool(rows_changed(result))
