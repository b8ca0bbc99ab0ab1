"""Scheduled mail, sent at most once: the sent_notice claim, the consent gate, the run's summary.

A scheduled mail goes out at most once per user, kind and period, also when two runs overlap on
two machines: a run first claims it by inserting a sent_notice row (unique user/kind/period), sends,
and then confirms the row. A failed send deletes the claim, so the next run tries again; a claim
left unconfirmed by a run that died mid-send is taken over after CLAIM_TIMEOUT.

Every mail that is not a security notice (address confirmation, deletion, password) goes through
`send_consented`, the one gate: it reads the consent at the moment of sending, and adds the
unsubscribe headers (RFC 2369 / RFC 8058) and a link in the body. The campaigns that use all this
are services/reminders.py, services/reviews.py and services/password_notices.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import logging
from collections.abc import Callable

import sqlalchemy as sa
from sqlmodel import Session, col

from fakturowo_ui import routes
from fakturowo_ui.db import rows_changed, session_scope
from fakturowo_ui.models import SentNotice, User
from fakturowo_ui.services import clock, mail, unsubscribe
from fakturowo_ui.services.consents import Consent

log = logging.getLogger("fakturowo.notices")


class NoticeKind(enum.StrEnum):
    """What went out: its value is what sent_notice.kind holds."""

    REMINDER_30 = "reminder-30"
    REMINDER_5 = "reminder-5"
    REVIEW = "review"
    # The 14-day notice of a forced password change (services/password_notices.py).
    PASSWORD_CHANGE = "password-change"


# A claim older than this without a confirmation belongs to a run that died mid-send.
CLAIM_TIMEOUT = dt.timedelta(hours=1)


# -- the gate ----------------------------------------------------------------------------------


def has_consent(user: User, consent: Consent) -> bool:
    """The consent's current value on the user row."""
    return bool(getattr(user, Consent(consent).column))


def unsubscribe_headers(url: str) -> dict[str, str]:
    """List-Unsubscribe with the https (in production) URL, and the one-click marker."""
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def send_consented(user_id: int, consent: Consent, template: str, **params: object) -> bool:
    """Send a consent-gated mail if the user holds `consent` right now; False if not sent.

    The mail is in the account's language (mail.render). The template gets `unsubscribe_url`
    besides `params`: the unsubscribe page in that language (the List-Unsubscribe header names
    the one-click endpoint). Raises mail.MailError when the SMTP server does not take the mail.
    """
    with session_scope() as session:
        user = session.get(User, user_id)
        if user is None or not has_consent(user, consent):
            return False
        email, lang = user.email, user.language
    letter = mail.render(
        template,
        to=email,
        lang=lang,
        headers=unsubscribe_headers(unsubscribe.link(user_id, consent)),
        unsubscribe_url=routes.unsubscribe_link(unsubscribe.make_token(user_id, consent)),
        **params,
    )
    mail.send(letter)
    return True


# -- claim, send, confirm ------------------------------------------------------------------------


def claim(session: Session, user_id: int, kind: NoticeKind, period_key: str) -> int | None:
    """Insert the claim row in the caller's (write-locked) transaction; None if taken."""
    now = clock.now()
    existing = session.scalars(
        sa.select(SentNotice).where(
            col(SentNotice.user_id) == user_id,
            col(SentNotice.kind) == kind,
            col(SentNotice.period_key) == period_key,
        )
    ).first()
    if existing is not None:
        if existing.confirmed_at is not None or existing.sent_at > now - CLAIM_TIMEOUT:
            return None
        # Abandoned by a run that died mid-send: take it over (only one run deletes the row).
        gone = session.execute(
            sa.delete(SentNotice).where(
                col(SentNotice.id) == existing.id, col(SentNotice.confirmed_at).is_(None)
            )
        )
        if rows_changed(gone) != 1:
            return None
        log.warning("taking over an abandoned %s claim user_id=%s", kind, user_id)
    notice = SentNotice(user_id=user_id, kind=kind, period_key=period_key, sent_at=now)
    session.add(notice)
    session.flush()
    return notice.id


def _confirm(claim_id: int) -> None:
    with session_scope() as session:
        session.execute(
            sa.update(SentNotice)
            .where(col(SentNotice.id) == claim_id)
            .values(sent_at=clock.now(), confirmed_at=clock.now())
        )


def _release(claim_id: int) -> None:
    with session_scope() as session:
        session.execute(sa.delete(SentNotice).where(col(SentNotice.id) == claim_id))


def deliver_under_claim(claim_id: int, send: Callable[[], bool]) -> str:
    """Run `send` under a claim: "sent" (confirmed), "skipped" or "failed" (claim released).

    `send` returns whether a mail went out; a MailError means the SMTP server did not take it,
    so the next run tries again.
    """
    try:
        sent = send()
    except mail.MailError:
        _release(claim_id)
        return "failed"
    except BaseException:
        _release(claim_id)
        raise
    if not sent:
        _release(claim_id)
        return "skipped"
    _confirm(claim_id)
    return "sent"


def send_claimed(claim_id: int, user_id: int, consent: Consent, template: str, **params: object) -> str:
    """Send through the gate under a claim; a withdrawn consent means nothing goes out."""
    return deliver_under_claim(claim_id, lambda: send_consented(user_id, consent, template, **params))


def settled() -> sa.ColumnElement[bool]:
    """A sent_notice row that stands: confirmed, or a claim young enough to be still sending."""
    return sa.or_(
        col(SentNotice.confirmed_at).is_not(None), col(SentNotice.sent_at) > clock.now() - CLAIM_TIMEOUT
    )


@dataclasses.dataclass
class RunSummary:
    """What one task did in one run."""

    sent: int = 0
    failed: int = 0
    skipped: int = 0

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def line(self, name: str) -> str:
        """The task's one-line summary for the operator."""
        text = f"{name}: {self.sent} sent"
        if self.skipped:
            text += f", {self.skipped} skipped (consent withdrawn)"
        if self.failed:
            text += f", {self.failed} failed (retried next run)"
        return text
