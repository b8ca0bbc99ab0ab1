"""The error a user can cause: a catalogue key and its parameters, shown in the page's language."""

from __future__ import annotations


class DomainError(Exception):
    """A refusal with a message key; services raise it, states show t(key, **params)."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self) -> str:
        """The message in the default language."""
        from fakturowo_ui.i18n import t

        return t(self.key, **self.params)
