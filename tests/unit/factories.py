"""Small builders shared by unit and integration tests: users straight into the database, row counts.

Users are inserted directly (not through registration) so a test pays for one argon2 hash per
password at most, and only the flow under test goes through the services.
"""

from __future__ import annotations

import functools

import sqlalchemy as sa

from fakturowo_ui.db import session_scope
from fakturowo_ui.models import Subscription, User
from fakturowo_ui.services import clock, passwords

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
