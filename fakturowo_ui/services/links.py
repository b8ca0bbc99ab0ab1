"""E-mailed single-use links: issue a token, mail it, then supersede the older ones.

The one way every link mail goes out (address confirmation, password reset, account deletion):
if the SMTP server does not take the mail, the new token is discarded, so a failed send leaves no
usable link and supersedes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlmodel import Session

from fakturowo_ui.db import session_scope
from fakturowo_ui.services import mail, onetime


async def mail_link(
    user_id: int,
    purpose: str,
    ttl: dt.timedelta,
    letter_for: Callable[[str, dt.datetime], mail.Mail],
    *,
    after_sent: Callable[[Session], None] | None = None,
) -> dt.datetime:
    """Issue a link token, mail `letter_for(token, expires_at)`; returns when the link expires.

    Raises mail.MailError when the mail did not go out. `after_sent` runs in the transaction that
    supersedes the older links (e.g. to count the mail against a rate limit).
    """
    with session_scope() as session:
        token, row = onetime.issue(session, user_id, purpose, ttl)
        token_id, expires_at = row.id, row.expires_at
    try:
        await mail.send_async(letter_for(token, expires_at))
    except mail.MailError:
        with session_scope() as session:
            onetime.discard(session, token_id)
        raise
    with session_scope() as session:
        onetime.supersede_older(session, user_id, purpose, token_id)
        if after_sent is not None:
            after_sent(session)
    return expires_at
