"""Message catalogues: every string a user reads comes from here (Polish now, English planned)."""

from __future__ import annotations

from fakturowo_ui.i18n import pl

CATALOGUES: dict[str, dict[str, str]] = {"pl": pl.MESSAGES}
DEFAULT_LANGUAGE = "pl"


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **params: object) -> str:
    """The message `key` in `lang`, with {placeholders} filled from params.

    A missing key is a programming error and fails loudly in tests rather than showing a key.
    """
    template = CATALOGUES[lang][key]
    return template.format(**params) if params else template
