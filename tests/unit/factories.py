"""Small builders shared by unit and integration tests: users straight into the database, row counts.

Users are inserted directly (not through registration) so a test pays for one argon2 hash per
password at most, and only the flow under test goes through the services.
"""

from __future__ import annotations

import asyncio
import functools

import sqlalchemy as sa

from fakturowo_ui.db import session_scope
from fakturowo_ui.models import Subscription, User
from fakturowo_ui.services import accounts, clock, passwords, periodic_change, sessions
from fakturowo_ui.services.sessions import CurrentUser

PASSWORD = "zielony slon 4ever"


@functools.lru_cache(maxsize=8)
def password_hash(password: str = PASSWORD) -> str:
    """A real argon2id hash, made once per password per test run."""
    return passwords.hash_password(password)


def make_user(email: str, password: str = PASSWORD, *, confirmed: bool = True) -> int:
    """An account (with its subscription row) as registration would leave it; returns its ID."""
    now = clock.now()
    with session_scope() as session:
        user = User(
            email=email,
            password_hash=password_hash(password),
            created_at=now,
            password_changed_at=now,
            email_confirmed_at=now if confirmed else None,
        )
        session.add(user)
        session.flush()
        session.add(Subscription(user_id=user.id, trial_ends_on=clock.warsaw_date(now)))
        return user.id


def count_rows(model, *where) -> int:
    """How many rows of a table match the conditions."""
    with session_scope() as session:
        statement = sa.select(sa.func.count()).select_from(model)
        for condition in where:
            statement = statement.where(condition)
        return session.scalar(statement) or 0


def as_user(user_id: int, email: str = "x@example.com") -> CurrentUser:
    """The logged-in user a private event's step (`..._for(session, user, ...)`) is given."""
    return CurrentUser(user_id=user_id, email=email, session_id=0, must_change_password=False)


def set_periodic_change(user_id: int, enabled: bool) -> periodic_change.PeriodicChange | None:
    """Tick or untick "Włącz okresową zmianę hasła" and "Zapisz", as /konto does (one write)."""
    with session_scope(write_lock=True) as session:
        return periodic_change.save_periodic_change_for(session, as_user(user_id), enabled)


def log_in(email: str, password: str = PASSWORD) -> tuple[str, str]:
    """The whole login: password check, then the code hand-off; (session token, landing path)."""
    code = asyncio.run(accounts.log_in(email, password, "127.0.0.1", None))
    result = accounts.exchange_login_code(code)
    assert result is not None
    return result


def resolve(token: str, **kwargs) -> CurrentUser | None:
    """The live session behind a token, as a page would see it (None: ended or refused)."""
    with session_scope() as session:
        return sessions.resolve(session, token, **kwargs)
