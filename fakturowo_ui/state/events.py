"""The one way a state acts for the logged-in user: `await act(self, work, ...)`.

It runs services/as_user.run in the database pool, so the session check and the service call
are ONE transaction off the event loop, and turns the outcome into what a handler needs:
- no live session: the tab's user data is forgotten and `redirect` says where to go (login, or
  the password change a due periodic change demands);
- a DomainError: `error` is its message in the page's language;
- anything else: logged with its traceback, `error` is the "unexpected" message;
- otherwise `value` is what the work returned.
Data loaded under another session than the live one is forgotten before the handler shows the
new data (see state/auth.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import reflex as rx

from fakturowo_ui.i18n import t
from fakturowo_ui.services import as_user, blocking
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.services.sessions import CurrentUser
from fakturowo_ui.state.auth import (
    UserBoundState,
    forget_user_data,
    login_redirect,
    note_pending_change,
    session_token,
)

log = logging.getLogger("fakturowo.state")

T = TypeVar("T")


class Outcome(Generic[T]):
    """What a private event's work came to (see the module docstring)."""

    def __init__(
        self,
        user: CurrentUser | None = None,
        value: Any = None,
        *,
        error: str = "",
        error_key: str = "",
        redirect: rx.event.EventSpec | None = None,
        domain_error: DomainError | None = None,
    ) -> None:
        self.user = user
        # The work's return value; meaningful only when `ok` (typed T so that a handler which
        # checked `ok` reads it without a cast).
        self.value: T = value
        self.error = error
        self.error_key = error_key
        self.redirect = redirect
        self.domain_error = domain_error

    @property
    def ok(self) -> bool:
        """The work ran and returned."""
        return self.user is not None and not self.error


async def act(
    state: rx.State,
    work: Callable[..., T] | None,
    *args: Any,
    write: bool = False,
    allow_pending_change: bool = False,
    what: str = "a private event",
    **kwargs: Any,
) -> Outcome[T]:
    """Run `work(session, user, *args, **kwargs)` for this tab's user (see the module docstring).

    `what` names the action in the log when it fails unexpectedly.
    """
    try:
        done = await blocking.db(
            as_user.run,
            session_token(state),
            work,
            *args,
            write=write,
            allow_pending_change=allow_pending_change,
            **kwargs,
        )
    except as_user.WorkFailed as failed:
        await _bind(state, failed.user)
        return failure(failed.user, failed.error, what)
    except Exception:  # noqa: BLE001 - the session check itself failed: never a traceback on screen
        log.exception("%s failed before its work", what)
        return Outcome(None, error=t("common.unexpected"), error_key="common.unexpected")
    note_pending_change(done.must_change_password)
    if done.user is None:
        await forget_user_data(state)
        return Outcome(None, redirect=login_redirect(state))
    await _bind(state, done.user)
    return Outcome(done.user, done.value)


def failure(user: CurrentUser | None, error: BaseException, what: str) -> Outcome[Any]:
    """What a failed step comes to: a DomainError's message, or the logged "unexpected" one."""
    if isinstance(error, DomainError):
        return Outcome(user, error=error.message(), error_key=error.key, domain_error=error)
    log.error("%s failed", what, exc_info=error)
    return Outcome(user, error=t("common.unexpected"), error_key="common.unexpected")


async def _bind(state: rx.State, user: CurrentUser) -> None:
    bound = await state.get_state(UserBoundState)
    if bound._session_id == user.session_id:
        return  # the usual case: assigning it again would mark the state dirty, and store it
    if bound._session_id != 0:
        await forget_user_data(state)
    bound._session_id = user.session_id
