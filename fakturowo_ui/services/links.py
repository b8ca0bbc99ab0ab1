"""E-mailed single-use links: count, issue and supersede in one step, then mail the token.

The one way every link mail goes out (address confirmation, password reset, account deletion).
Its rate limits are reserved and the older links superseded in the same write transaction that
issues the new token, before the mail is sent: of several requests at once, the limits let
through only as many as they allow, and the newest link is always the valid one. If the SMTP
server does not take the mail, the new token is discarded, its hits are given back and the links
it superseded are valid again (unless a newer link was issued meanwhile), so a failed send
leaves no usable link, supersedes nothing and is not counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from fakturowo_ui.db import session_scope
from fakturowo_ui.i18n import supported
from fakturowo_ui.models import User
from fakturowo_ui.services import blocking, mail, onetime, ratelimit

# (limit, subject) pairs a link mail counts against.
LinkLimits = Sequence[tuple[ratelimit.Limit, str]]


async def mail_link(
    user_id: int,
    purpose: onetime.TokenPurpose,
    ttl: dt.timedelta,
    letter_for: Callable[[str, dt.datetime, str], mail.Mail],
    *,
    limits: LinkLimits = (),
) -> dt.datetime:
    """Issue a link token, mail `letter_for(token, expires_at, lang)`; returns when the link expires.

    `lang` is the account's language (user.language), read in the transaction that issues the
    token: the mail and the page its link opens are in that language.

    Raises ratelimit.RateLimited (nothing issued, nothing sent) when one of `limits` is reached,
    and mail.MailError when the mail did not go out (nothing issued, nothing counted), except
    mail.MailUncertain: the server got the whole mail without confirming it, so the link stays.
    """
    token, token_id, expires_at, hits, superseded, lang = await blocking.db(
        _issue, user_id, purpose, ttl, limits
    )
    try:
        await mail.send_async(letter_for(token, expires_at, lang))
    except mail.MailUncertain:
        # The mail may arrive: its link stays usable (and counted), as the page says.
        raise
    except mail.MailError:
        await blocking.db(_undo, user_id, purpose, token_id, hits, superseded)
        raise
    return expires_at


def _issue(
    user_id: int, purpose: onetime.TokenPurpose, ttl: dt.timedelta, limits: LinkLimits
) -> tuple[str, int, dt.datetime, list[int | None], list[int], str]:
    with session_scope(write_lock=True) as session:
        hits = [ratelimit.reserve(session, limit, subject) for limit, subject in limits]
        token, row = onetime.issue(session, user_id, purpose, ttl)
        superseded = onetime.supersede_older(session, user_id, purpose, row.id)
        # The account's language, as userdata.language_of reads it (userdata imports accounts,
        # which imports this module).
        user = session.get(User, user_id)
        lang = supported(user.language if user is not None else None)
        return token, row.id, row.expires_at, hits, superseded, lang


def _undo(
    user_id: int, purpose: onetime.TokenPurpose, token_id: int, hits: list[int | None], superseded: list[int]
) -> None:
    with session_scope(write_lock=True) as session:
        onetime.discard(session, token_id)
        ratelimit.release(session, *hits)
        onetime.restore_superseded(session, user_id, purpose, superseded, newer_than=token_id)
