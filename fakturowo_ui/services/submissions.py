"""One click, one document (CONTRACT.md "Documents and lists"; issue 13).

Every form that makes a row (an invoice, a client, a product) carries a key of its own, renewed
whenever the page shows a fresh form (state/submissions.py). The service that makes the row
looks the key up and records it in the SAME transaction as the insert, with a unique
(user_id, form_key): a double click, a repeated submit or a reconnect that replays the event finds
the key and answers with the row the first one made, instead of making another. A disabled
button alone cannot do this: the second event may already be on its way.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col

from fakturowo_ui.models import FormSubmission
from fakturowo_ui.services import clock


def clean_key(raw: object) -> str:
    """A key as the page sends it, or "" (no key: the form is acted on as before)."""
    if not isinstance(raw, str) or not 8 <= len(raw) <= 64:
        return ""
    return raw if all(c.isascii() and (c.isalnum() or c in "-_") for c in raw) else ""


def previous(session: Session, user_id: int, key: str, kind: str) -> int | None:
    """The row a form with this key already made, if any."""
    if not key:
        return None
    return session.scalar(
        sa.select(col(FormSubmission.row_id)).where(
            col(FormSubmission.user_id) == user_id,
            col(FormSubmission.form_key) == key,
            col(FormSubmission.kind) == kind,
        )
    )


def remember(session: Session, user_id: int, key: str, kind: str, row_id: int) -> None:
    """Record that the form with this key made `row_id` (in the insert's transaction)."""
    if key:
        session.add(FormSubmission(user_id=user_id, form_key=key, kind=kind, row_id=row_id, at=clock.now()))
        session.flush()


def new_key() -> str:
    """A fresh key for a form the page is about to show."""
    import secrets

    return secrets.token_urlsafe(16)
