"""One private event's database work: the session check and the service call in ONE transaction.

The Reflex states reach every service that acts for the logged-in user through `run` (via
state/events.py, which runs it in the database pool): it resolves the session from its token,
refuses a session that has ended (or must change its password first, unless allowed), and calls
`work(session, user, ...)` in the same transaction, which commits when the work returns and
rolls back when it raises. The session's last-activity time is written at most once every
sessions.TOUCH_INTERVAL, in a short write of its own, so reading pages does not write.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from fakturowo_ui.db import session_scope
from fakturowo_ui.services import sessions
from fakturowo_ui.services.sessions import CurrentUser

T = TypeVar("T")


@dataclasses.dataclass
class Done(Generic[T]):
    """Who the session belongs to (None: no live session, nothing ran) and what the work returned.

    `must_change_password` says the session exists but may only change its password.
    """

    user: CurrentUser | None
    value: T | None = None
    must_change_password: bool = False


class WorkFailed(Exception):
    """The work raised `error` for `user` (its transaction was rolled back)."""

    def __init__(self, user: CurrentUser, error: BaseException) -> None:
        super().__init__(repr(error))
        self.user = user
        self.error = error


def run(
    token: str | None,
    work: Callable[..., T] | None,
    *args: Any,
    write: bool = False,
    allow_pending_change: bool = False,
    **kwargs: Any,
) -> Done[T]:
    """Resolve the session behind `token` and run `work(session, user, *args, **kwargs)` with it.

    write=True takes SQLite's write lock at BEGIN (the work reads, then writes). `work` None only
    checks the session. Raises WorkFailed wrapping whatever the work raised.
    """
    if not token:
        return Done(None)
    touch = False
    with session_scope(write_lock=write) as session:
        user, touch = sessions.resolve_untouched(session, token)
        if user is None:
            return Done(None)
        if user.must_change_password and not allow_pending_change:
            done: Done[T] = Done(None, must_change_password=True)
        elif work is None:
            done = Done(user)
        else:
            try:
                value = work(session, user, *args, **kwargs)
            except Exception as error:  # rolled back by session_scope, reported with the user
                raise WorkFailed(user, error) from error
            done = Done(user, value)
    if touch:
        sessions.touch(user.session_id)
    return done
