"""Unsubscribe links: an HMAC-signed token bound to one user's ID and one consent.

The token is `<user id>.<consent>.<HMAC-SHA256 hex>` under the app's secret key, so the link works
without a session, never expires (RFC 8058 wants the link in an old mail to keep working) and
cannot be made for another user or the other consent without the key. Nothing is stored for it.
"""

from __future__ import annotations

import enum
import hmac
import logging
import re

from fakturowo_ui import routes
from fakturowo_ui.db import session_scope
from fakturowo_ui.models import User
from fakturowo_ui.services import consents
from fakturowo_ui.services.consents import Consent, ConsentSource
from fakturowo_ui.services.tokens import keyed_digest
from fakturowo_ui.settings import get_settings

audit = logging.getLogger("fakturowo.audit")

# The body of an RFC 8058 one-click POST.
ONE_CLICK = ("List-Unsubscribe", "One-Click")
_TOKEN_RE = re.compile(r"^([1-9][0-9]{0,17})\.(" + "|".join(map(re.escape, Consent)) + r")\.([0-9a-f]{64})$")


class Outcome(enum.Enum):
    """What a link can do (inspect) or did (withdraw)."""

    ACTIVE = "active"  # the consent is given: the link can withdraw it
    WITHDRAWN = "withdrawn"  # withdrawn just now by this link
    ALREADY_WITHDRAWN = "already_withdrawn"  # nothing to do: the consent is not given
    ACCOUNT_GONE = "account_gone"  # a genuine link of a deleted account
    INVALID = "invalid"  # forged, tampered or malformed


def _signature(user_id: int, consent: str) -> str:
    return keyed_digest(get_settings().secret_key, f"unsubscribe:{user_id}:{consent}")


def make_token(user_id: int, consent: str) -> str:
    """The token of the link that withdraws `consent` of user `user_id`."""
    try:
        consent = Consent(consent)
    except ValueError:
        raise ValueError(f"unknown consent {consent!r}") from None
    return f"{int(user_id)}.{consent}.{_signature(user_id, consent)}"


def link(user_id: int, consent: str) -> str:
    """The absolute unsubscribe URL under FAKTUROWO_BASE_URL (GET: a page; POST: one click)."""
    return get_settings().link(routes.unsubscribe_link(make_token(user_id, consent)))


def parse_token(token: str) -> tuple[int, Consent] | None:
    """(user ID, consent) of a genuine token, or None for anything forged or malformed."""
    if not isinstance(token, str) or len(token) > 128:
        return None
    match = _TOKEN_RE.match(token)
    if match is None:
        return None
    user_id, consent, signature = int(match.group(1)), Consent(match.group(2)), match.group(3)
    if not hmac.compare_digest(signature, _signature(user_id, consent)):
        return None
    return user_id, consent


def inspect(token: str) -> tuple[Outcome, str]:
    """What the link would do, and the consent it is for ("" when invalid). Changes nothing."""
    parsed = parse_token(token)
    if parsed is None:
        return Outcome.INVALID, ""
    user_id, consent = parsed
    with session_scope() as session:
        user = session.get(User, user_id)
        if user is None:
            return Outcome.ACCOUNT_GONE, consent
        given = getattr(user, consent.column)
    return (Outcome.ACTIVE if given else Outcome.ALREADY_WITHDRAWN), consent


def withdraw(token: str) -> tuple[Outcome, str]:
    """Withdraw the link's consent (a consent record with source "unsubscribe"); idempotent."""
    parsed = parse_token(token)
    if parsed is None:
        return Outcome.INVALID, ""
    user_id, consent = parsed
    with session_scope(write_lock=True) as session:
        user = session.get(User, user_id)
        if user is None:
            return Outcome.ACCOUNT_GONE, consent
        changed = consents.save(
            session,
            user_id,
            reminders=user.reminder_consent and consent != Consent.REMINDERS,
            info=user.info_consent and consent != Consent.INFO,
            source=ConsentSource.UNSUBSCRIBE,
        )
    if not changed:
        return Outcome.ALREADY_WITHDRAWN, consent
    audit.info("consent withdrawn by unsubscribe link user_id=%s consent=%s", user_id, consent)
    return Outcome.WITHDRAWN, consent
