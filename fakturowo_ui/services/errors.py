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


def form_error(errors: dict[str, str]) -> DomainError:
    """A refused form: DomainError("error.form") with every field's message in `errors`
    (field -> message) and the first one as `field` and `message`."""
    field, message = next(iter(errors.items()))
    return DomainError("error.form", field=field, message=message, errors=errors)


def field_error(field: str, key: str) -> DomainError:
    """A form refused for one field, with the catalogue's message under `key`."""
    from fakturowo_ui.i18n import t

    return form_error({field: t(key)})
