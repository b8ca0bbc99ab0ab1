"""SQLModel tables: everything the account area keeps.

Everything a user owns hangs off `user.id` with ON DELETE CASCADE, so deleting the user row
removes all of it in one statement. IDs are never reused (SQLite AUTOINCREMENT): an account's ID
number is shown to people and signed into links. Times are naive UTC (see services/clock.py).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

_NO_REUSE = {"sqlite_autoincrement": True}


def _owner_fk(table: str = "user") -> sa.Column:
    return sa.Column(sa.Integer, sa.ForeignKey(f"{table}.id", ondelete="CASCADE"), nullable=False, index=True)


def _pk() -> sa.Column:
    # Models declare `id: int = Field(default=None, sa_column=_pk())`: None until the row is
    # flushed, an int on every row read from the database, which is what the code handles.
    return sa.Column(sa.Integer, primary_key=True, autoincrement=True)


class User(SQLModel, table=True):
    """An account. The password hash never leaves the server (see __repr__ and no state holds it)."""

    __tablename__: ClassVar[str] = "user"
    __table_args__ = (
        # Consents and reminders (issue 5): the daily review-request query.
        sa.Index("ix_user_info_consent_created_at", "info_consent", "created_at"),
        _NO_REUSE,
    )

    id: int = Field(default=None, sa_column=_pk())
    email: str = Field(sa_column=sa.Column(sa.String(254), nullable=False, unique=True))
    password_hash: str = Field(sa_column=sa.Column(sa.String(255), nullable=False))
    created_at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime, nullable=False))
    email_confirmed_at: dt.datetime | None = Field(default=None, sa_column=sa.Column(sa.DateTime))
    password_changed_at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime, nullable=False))
    periodic_password_change: bool = Field(
        default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false())
    )
    # Current values of the two consents; their history is in consent_record.
    reminder_consent: bool = Field(
        default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false())
    )
    info_consent: bool = Field(
        default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false())
    )
    # When each consent last changed (None: never), kept here so /konto reads one row, not the
    # whole history (migration 0004).
    reminder_consent_changed_at: dt.datetime | None = Field(default=None, sa_column=sa.Column(sa.DateTime))
    info_consent_changed_at: dt.datetime | None = Field(default=None, sa_column=sa.Column(sa.DateTime))
    # The account's language ("pl" or "en"): its pages after login and every mail to it
    # (migration 0005; i18n.LANGUAGES).
    language: str = Field(
        default="pl", sa_column=sa.Column(sa.String(8), nullable=False, server_default="pl")
    )
    # Two-step login (issue 12, migration 0006): None (off), "app" (TOTP) or "email".
    two_step_method: str | None = Field(default=None, sa_column=sa.Column(sa.String(8)))
    # The TOTP key, encrypted (services/two_step.py); the one being set up until it is confirmed.
    two_step_secret: str | None = Field(default=None, sa_column=sa.Column(sa.String(255)))
    two_step_pending_secret: str | None = Field(default=None, sa_column=sa.Column(sa.String(255)))
    # The last TOTP time step accepted: a code of it or an earlier step is never accepted again.
    two_step_last_step: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger))

    def __repr__(self) -> str:
        return f"User(id={self.id})"


class Subscription(SQLModel, table=True):
    """A user's plan: the trial's last day and the last day of a paid period, if any."""

    __tablename__: ClassVar[str] = "subscription"
    __table_args__ = (
        # Consents and reminders (issue 5): users whose period ends in a window, paid or trial.
        sa.Index("ix_subscription_paid_until_trial_ends_on", "paid_until", "trial_ends_on"),
        _NO_REUSE,
    )

    id: int = Field(default=None, sa_column=_pk())
    user_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False, unique=True
        )
    )
    trial_ends_on: dt.date = Field(sa_column=sa.Column(sa.Date, nullable=False))
    paid_until: dt.date | None = Field(default=None, sa_column=sa.Column(sa.Date))
    # Documents issued in `issued_month` (YYYY-MM, Warsaw). A counter, not a count of rows:
    # deleting a document must not give a free-plan slot back.
    issued_month: str | None = Field(default=None, sa_column=sa.Column(sa.String(7)))
    issued_count: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0"))


class AuthSession(SQLModel, table=True):
    """A logged-in browser. Only the SHA-256 of the cookie's token is stored."""

    __tablename__: ClassVar[str] = "auth_session"
    __table_args__ = (_NO_REUSE,)

    id: int = Field(default=None, sa_column=_pk())
    user_id: int = Field(sa_column=_owner_fk())
    token_hash: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True))
    created_at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime, nullable=False))
    last_seen_at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime, nullable=False))
    expires_at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime, nullable=False))
    must_change_password: bool = Field(
        default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false())
    )
    # The browser's User-Agent as it logged in (cut to 300 characters) and its shortened address
    # (services/security_log.shorten_ip): the region "Aktywne sesje" (issue 12).
    user_agent: str = Field(
        default="", sa_column=sa.Column(sa.String(300), nullable=False, server_default=sa.text("''"))
    )
    ip_prefix: str = Field(
        default="", sa_column=sa.Column(sa.String(64), nullable=False, server_default=sa.text("''"))
    )


class OneTimeToken(SQLModel, table=True):
    """A single-use token e-mailed or handed to a browser; only its SHA-256 is stored.

    purpose: confirm_email, delete_account, reset_password, login_code.
    """

    __tablename__: ClassVar[str] = "one_time_token"
    __table_args__ = (
        sa.Index("ix_one_time_token_user_purpose", "user_id", "purpose"),
        sa.Index("ix_one_time_token_expires_at", "expires_at"),
        _NO_REUSE,
    )

    id: int = Field(default=None, sa_column=_pk())
    user_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    )
    purpose: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    token_hash: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True))
    created_at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime, nullable=False))
    expires_at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime, nullable=False))
    used_at: dt.datetime | None = Field(default=None, sa_column=sa.Column(sa.DateTime))
    superseded_at: dt.datetime | None = Field(default=None, sa_column=sa.Column(sa.DateTime))
    voided_at: dt.datetime | None = Field(default=None, sa_column=sa.Column(sa.DateTime))
    failed_attempts: int = Field(
        default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0")
    )
    # Where a login code leads after the cookie is set (a path of this app).
    next_path: str | None = Field(default=None, sa_column=sa.Column(sa.String(512)))
    # Issue 12: the keyed digest of a short code e-mailed for this token (two-step login by
    # e-mail), and the address an address-change link confirms.
    code_hash: str | None = Field(default=None, sa_column=sa.Column(sa.String(64)))
    new_email: str | None = Field(default=None, sa_column=sa.Column(sa.String(254)))


class RecoveryCode(SQLModel, table=True):
    """One of a user's single-use recovery codes for two-step login; only its digest is stored."""

    __tablename__: ClassVar[str] = "recovery_code"
    __table_args__ = (_NO_REUSE,)

    id: int = Field(default=None, sa_column=_pk())
    user_id: int = Field(sa_column=_owner_fk())
    code_hash: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    created_at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime, nullable=False))
    used_at: dt.datetime | None = Field(default=None, sa_column=sa.Column(sa.DateTime))


class SecurityEvent(SQLModel, table=True):
    """The account's security history (/konto/historia): kept 90 days, deleted with the account.

    Only a shortened address (IPv4 /24, IPv6 /48) is kept, never the full one.
    """

    __tablename__: ClassVar[str] = "security_event"
    __table_args__ = (
        sa.Index("ix_security_event_user_at", "user_id", "at"),
        sa.Index("ix_security_event_at", "at"),
        _NO_REUSE,
    )

    id: int = Field(default=None, sa_column=_pk())
    user_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    )
    kind: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime, nullable=False))
    user_agent: str = Field(default="", sa_column=sa.Column(sa.String(300), nullable=False))
    ip_prefix: str = Field(default="", sa_column=sa.Column(sa.String(64), nullable=False))
    # What the event needs besides its kind (e.g. a partly masked new address); never a secret.
    detail: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False))


class SpentToken(SQLModel, table=True):
    """Digest of a token consumed by an action that removed its owner (account deletion).

    Owned by no user, so a used deletion link keeps saying "został już użyty" afterwards.
    """

    __tablename__: ClassVar[str] = "spent_token"

    token_hash: str = Field(sa_column=sa.Column(sa.String(64), primary_key=True))
    purpose: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    used_at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime, nullable=False, index=True))


class BlockedAddress(SQLModel, table=True):
    """An address that may not register again: only HMAC-SHA256 of the normalised address."""

    __tablename__: ClassVar[str] = "blocked_address"

    email_digest: str = Field(sa_column=sa.Column(sa.String(64), primary_key=True))
    blocked_at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime, nullable=False))


class RateLimitHit(SQLModel, table=True):
    """One counted attempt under a rate-limit key (a digest; never an address in clear)."""

    __tablename__: ClassVar[str] = "rate_limit_hit"
    __table_args__ = (sa.Index("ix_rate_limit_hit_key_at", "key", "at"), _NO_REUSE)

    id: int = Field(default=None, sa_column=_pk())
    key: str = Field(sa_column=sa.Column(sa.String(80), nullable=False))
    at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime, nullable=False))


class ConsentRecord(SQLModel, table=True):
    """Append-only history of the two consents: which, given or withdrawn, when and where."""

    __tablename__: ClassVar[str] = "consent_record"
    __table_args__ = (_NO_REUSE,)

    id: int = Field(default=None, sa_column=_pk())
    user_id: int = Field(sa_column=_owner_fk())
    consent: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))  # reminders | info
    given: bool = Field(sa_column=sa.Column(sa.Boolean, nullable=False))
    at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime, nullable=False))
    source: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))


class SentNotice(SQLModel, table=True):
    """What a scheduled mail already went out for; unique, so two runs never send it twice."""

    __tablename__: ClassVar[str] = "sent_notice"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "kind", "period_key", name="uq_sent_notice"),
        _NO_REUSE,
    )

    id: int = Field(default=None, sa_column=_pk())
    user_id: int = Field(sa_column=_owner_fk())
    kind: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    period_key: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    sent_at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime, nullable=False))
    # Consents and reminders (issue 5): set once the SMTP server took the mail. A row without it
    # is a claim of a send in progress; services/notice_claims.py takes over one left by a crashed run.
    confirmed_at: dt.datetime | None = Field(default=None, sa_column=sa.Column(sa.DateTime))


class SellerProfile(SQLModel, table=True):
    """The seller's details printed on every invoice."""

    __tablename__: ClassVar[str] = "seller_profile"
    __table_args__ = (_NO_REUSE,)

    id: int = Field(default=None, sa_column=_pk())
    user_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False, unique=True
        )
    )
    company_name: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False))
    nip: str = Field(default="", sa_column=sa.Column(sa.String(16), nullable=False))
    address: str = Field(default="", sa_column=sa.Column(sa.String(500), nullable=False))
    bank_account: str = Field(default="", sa_column=sa.Column(sa.String(64), nullable=False))


class Client(SQLModel, table=True):
    """A buyer the user invoices."""

    __tablename__: ClassVar[str] = "client"
    __table_args__ = (sa.Index("ix_client_user_sort_key", "user_id", "sort_key"), _NO_REUSE)

    id: int = Field(default=None, sa_column=_pk())
    user_id: int = Field(sa_column=_owner_fk())
    name: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    nip: str = Field(default="", sa_column=sa.Column(sa.String(16), nullable=False))
    address: str = Field(default="", sa_column=sa.Column(sa.String(500), nullable=False))
    email: str = Field(default="", sa_column=sa.Column(sa.String(254), nullable=False))
    # Derived by the services (services/polish.py, migration 0007): the searched fields folded
    # (case and diacritics) and the name's Polish sort key.
    search_text: str = Field(
        default="", sa_column=sa.Column(sa.String(1200), nullable=False, server_default=sa.text("''"))
    )
    sort_key: str = Field(
        default="", sa_column=sa.Column(sa.String(600), nullable=False, server_default=sa.text("''"))
    )


class Product(SQLModel, table=True):
    """A product or service with its net price and VAT rate."""

    __tablename__: ClassVar[str] = "product"
    __table_args__ = (sa.Index("ix_product_user_sort_key", "user_id", "sort_key"), _NO_REUSE)

    id: int = Field(default=None, sa_column=_pk())
    user_id: int = Field(sa_column=_owner_fk())
    name: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    unit: str = Field(default="szt.", sa_column=sa.Column(sa.String(16), nullable=False))
    net_price: Decimal = Field(sa_column=sa.Column(sa.Numeric(14, 2), nullable=False))
    vat_rate: str = Field(sa_column=sa.Column(sa.String(4), nullable=False))
    # Derived by the services (services/polish.py, migration 0007): the searched fields folded
    # (case and diacritics) and the name's Polish sort key.
    search_text: str = Field(
        default="", sa_column=sa.Column(sa.String(1200), nullable=False, server_default=sa.text("''"))
    )
    sort_key: str = Field(
        default="", sa_column=sa.Column(sa.String(600), nullable=False, server_default=sa.text("''"))
    )


class Document(SQLModel, table=True):
    """A VAT invoice. Seller and buyer details are copied in: an issued invoice never changes."""

    __tablename__: ClassVar[str] = "document"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "number", name="uq_document_user_number"),
        sa.Index("ix_document_user_issue_date", "user_id", "issue_date"),
        _NO_REUSE,
    )

    id: int = Field(default=None, sa_column=_pk())
    user_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    )
    client_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("client.id", ondelete="SET NULL"), index=True),
    )
    number: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    issue_date: dt.date = Field(sa_column=sa.Column(sa.Date, nullable=False))
    sale_date: dt.date = Field(sa_column=sa.Column(sa.Date, nullable=False))
    created_at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime, nullable=False))
    seller_name: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False))
    seller_nip: str = Field(default="", sa_column=sa.Column(sa.String(16), nullable=False))
    seller_address: str = Field(default="", sa_column=sa.Column(sa.String(500), nullable=False))
    seller_bank_account: str = Field(default="", sa_column=sa.Column(sa.String(64), nullable=False))
    buyer_name: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False))
    buyer_nip: str = Field(default="", sa_column=sa.Column(sa.String(16), nullable=False))
    buyer_address: str = Field(default="", sa_column=sa.Column(sa.String(500), nullable=False))
    total_net: Decimal = Field(sa_column=sa.Column(sa.Numeric(16, 2), nullable=False))
    total_vat: Decimal = Field(sa_column=sa.Column(sa.Numeric(16, 2), nullable=False))
    total_gross: Decimal = Field(sa_column=sa.Column(sa.Numeric(16, 2), nullable=False))
    # Where and how it is paid (migration 0009): "Miejsce wystawienia", "Sposób płatności"
    # (services/documents.PAYMENT_METHODS), "Termin płatności" (none on invoices issued before).
    place_of_issue: str = Field(
        default="", sa_column=sa.Column(sa.String(100), nullable=False, server_default=sa.text("''"))
    )
    payment_method: str = Field(
        default="transfer",
        sa_column=sa.Column(sa.String(16), nullable=False, server_default=sa.text("'transfer'")),
    )
    due_date: dt.date | None = Field(default=None, sa_column=sa.Column(sa.Date, nullable=True))
    # The number and the buyer folded for search (services/polish.py, migration 0007).
    search_text: str = Field(
        default="", sa_column=sa.Column(sa.String(1200), nullable=False, server_default=sa.text("''"))
    )


class DocumentItem(SQLModel, table=True):
    """One line of an invoice."""

    __tablename__: ClassVar[str] = "document_item"
    __table_args__ = (_NO_REUSE,)

    id: int = Field(default=None, sa_column=_pk())
    document_id: int = Field(sa_column=_owner_fk("document"))
    position: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    name: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    quantity: Decimal = Field(sa_column=sa.Column(sa.Numeric(14, 3), nullable=False))
    unit: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    net_price: Decimal = Field(sa_column=sa.Column(sa.Numeric(14, 2), nullable=False))
    vat_rate: str = Field(sa_column=sa.Column(sa.String(4), nullable=False))


class FormSubmission(SQLModel, table=True):
    """A form already acted on (issue 13): its key (one per rendered form) and the row it made, so
    a double click, a repeated submit or a replayed event makes one invoice, client or product."""

    __tablename__: ClassVar[str] = "form_submission"
    __table_args__ = (sa.UniqueConstraint("user_id", "form_key", name="uq_form_submission_key"), _NO_REUSE)

    id: int = Field(default=None, sa_column=_pk())
    user_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    )
    form_key: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    kind: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    row_id: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime, nullable=False))


class JobLock(SQLModel, table=True):
    """A named lock held in the database, so scheduled work runs once across workers and hosts."""

    __tablename__: ClassVar[str] = "job_lock"

    name: str = Field(sa_column=sa.Column(sa.String(64), primary_key=True))
    holder: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    expires_at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime, nullable=False))


class Feedback(SQLModel, table=True):
    """What a user wrote in "Podziel się opinią" (/opinia, the review mail's button): kept with the
    account, in its data export, and deleted with it."""

    __tablename__: ClassVar[str] = "feedback"
    __table_args__ = (_NO_REUSE,)

    id: int = Field(default=None, sa_column=_pk())
    user_id: int = Field(sa_column=_owner_fk())
    # 1 (bad) to 5 (very good), or none when the user gave no rating.
    rating: int | None = Field(default=None, sa_column=sa.Column(sa.Integer, nullable=True))
    text: str = Field(sa_column=sa.Column(sa.String(4000), nullable=False))
    at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime, nullable=False))
