"""The daily notice "Za 14 dni zmiana hasła" before a forced periodic password change.

A security notice, so not through the consent gate, but claimed, confirmed and released like
every scheduled mail (services/notice_claims.py): a unique sent_notice row per user and cycle (the
forced-change day), so two runs, even at once on two machines, send it once; a failed send drops
its claim so the next run tries again, and a claim abandoned mid-send is taken over.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from fakturowo_ui import routes
from fakturowo_ui.db import session_scope
from fakturowo_ui.i18n import supported
from fakturowo_ui.models import User
from fakturowo_ui.services import mail, password_policy
from fakturowo_ui.services.notice_claims import NoticeKind, RunSummary, claim, deliver_under_claim


def send_change_notices(day: dt.date) -> RunSummary:
    """Mail the 14-day notice to every user it is due for on `day` (none is ever skipped)."""
    interval = password_policy.interval_days()
    # Candidates by a generous UTC window around the Warsaw days that make a notice due today.
    first_day = day - dt.timedelta(days=interval + 1 - password_policy.NOTICE_LAST_DAY_BEFORE)
    last_day = day + dt.timedelta(days=password_policy.NOTICE_DAYS_BEFORE + 1 - interval)
    with session_scope() as session:
        candidates = session.scalars(
            sa.select(col(User.id)).where(
                col(User.periodic_password_change).is_(True),
                col(User.email_confirmed_at).is_not(None),
                col(User.password_changed_at) >= dt.datetime.combine(first_day, dt.time()),
                col(User.password_changed_at)
                < dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time()),
            )
        ).all()
    summary = RunSummary()
    for user_id in candidates:
        claimed = _claim_notice(user_id, day, interval)
        if claimed is None:
            continue
        claim_id, email, due_on, lang = claimed
        letter = mail.render(
            "password_change_notice",
            to=email,
            lang=lang,
            action_url=routes.PASSWORD_CHANGE,
            account_url=routes.ACCOUNT,
            date=due_on,
        )

        def send_notice(letter: mail.Mail = letter) -> bool:
            mail.send(letter)  # a security notice: not consent-gated, so it always goes out
            return True

        summary.add(deliver_under_claim(claim_id, send_notice))
    return summary


def _claim_notice(user_id: int, day: dt.date, interval: int) -> tuple[int, str, dt.date, str] | None:
    try:
        with session_scope(write_lock=True) as session:
            user = session.get(User, user_id)
            if user is None or user.email_confirmed_at is None:
                return None
            due_on = password_policy.notice_due(user, day, interval)
            if due_on is None:
                return None
            claim_id = claim(session, user_id, NoticeKind.PASSWORD_CHANGE, due_on.isoformat())
            if claim_id is None:
                return None
            return claim_id, user.email, due_on, supported(user.language)
    except IntegrityError:
        return None


def password_change_notices(day: dt.date) -> str:
    """The daily task: 14-day notices of a forced password change."""
    return send_change_notices(day).line("password-change notices")
