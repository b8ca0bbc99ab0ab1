"""What a state shows of an outcome: the page's message, and a form's per-field errors.

`PageMessage` is the message every page has (components/layout.message shows it, role status or
alert). Its `_refused(done)` is the one answer of a handler whose work did not run (an
`Outcome` of state/events.act that is not ok): the redirect when the session has ended, or else
the error as the page's message. `FieldErrors` adds a form whose refusal names its fields: each error is said once, under its
field (the page's message only counts them, so a screen reader hears no error twice; issue 13).
"""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx

from fakturowo_ui.i18n import tn
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.state.events import Outcome


class PageMessage(rx.State, mixin=True):
    """The page's outcome message, and whether it is an error."""

    message: str = ""
    message_is_error: bool = False
    # Renewed at every message said: the element showing it is made anew (its React key), so the
    # same answer to a repeated action is seen (it fades in) and announced again (issue 13).
    message_serial: int = 0

    def _say(self, text: str, *, error: bool = False) -> None:
        """Show `text` as the page's message (assigning only what changes, so only that is sent)."""
        if self.message != text:
            self.message = text
        if self.message_is_error != error:
            self.message_is_error = error
        if text:
            self.message_serial += 1

    def _refused(self, done: Outcome[Any]) -> rx.event.EventSpec | None:
        """A handler's answer when its work did not run (`not done.ok`): the redirect to follow when
        the session has ended, or None once the error is the page's message."""
        if done.redirect is None:
            self._say(done.error, error=True)
        return done.redirect


class FieldErrors(PageMessage, mixin=True):
    """A form whose refusal names its fields: each of `_error_fields` has a var `<field>_error`
    (shown under its field by components/forms.field); the message counts them."""

    _error_fields: ClassVar[tuple[str, ...]] = ()

    def _clear_errors(self) -> None:
        """No message and no field errors (before the form is checked again)."""
        self._say("")
        for name in self._error_fields:
            setattr(self, f"{name}_error", "")

    def _show_refusal(self, error: DomainError) -> None:
        """A refusal as the form shows it: a message under each field it names (each said once,
        there) and, as the page's message, how many fields to correct; or else its message."""
        errors = error.params.get("errors")
        if not isinstance(errors, dict) or not errors:
            self._say(error.message(), error=True)
            return
        for name in self._error_fields:
            setattr(self, f"{name}_error", errors.get(name, ""))
        self._say(tn("error.fix_fields", len(errors), n=len(errors)), error=True)
