"""The private events whose step cannot be one transaction: a service's own async call.

Changing the password hashes it (argon2, in the hashing pool) and sends a mail; requesting the
deletion link sends a mail. Neither may hold a transaction open meanwhile, so their services own
their short transactions and thread hops. Such a handler checks the session with
`await act(self, None)` (state/events.py: the session guard, no work), then awaits the service
through `attempt`, which maps the outcome the way act does: a DomainError becomes its message in
the page's language (`domain_error` keeps it, for per-field messages), anything else is logged
with its traceback and shown as the "unexpected" message.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fakturowo_ui.services.sessions import CurrentUser
from fakturowo_ui.state.events import Outcome, failure

T = TypeVar("T")


async def attempt(
    user: CurrentUser,
    step: Callable[..., Awaitable[T]],
    *args: Any,
    what: str,
    **kwargs: Any,
) -> Outcome[T]:
    """`await step(*args, **kwargs)` for `user` (whose session act has just checked).

    `what` names the action in the log when it fails unexpectedly.
    """
    try:
        value = await step(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - never a traceback on screen
        return failure(user, error, what)
    return Outcome(user, value)
