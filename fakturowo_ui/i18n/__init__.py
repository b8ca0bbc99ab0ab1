"""The one facade for every string a user reads: `t(key)` and, for counts, `tn(key, n)`.

The catalogues are gettext files managed with Babel (`make i18n` extracts the keys from the code
and updates both catalogues; `make translations` compiles them): fakturowo_ui/locale/<lang>/
LC_MESSAGES/messages.po, with message keys as msgids ("account.title"), so a sentence can be
reworded in one language without touching the code or the other language. Plural entries follow
each language's rules from its Plural-Forms header (Polish: one / few / many).

The language of a call is, in this order: the `lang` argument, the language of the event or page
being handled (`use_language` / `set_language`, set per event from the page's address), Polish.
A key missing from a catalogue raises KeyError: tests fail loudly instead of a page showing a key.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gettext
import io
import logging
from collections.abc import Iterator
from pathlib import Path

LANGUAGES: tuple[str, ...] = ("pl", "en")
DEFAULT_LANGUAGE = "pl"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
# The browser's remembered language (state/language.py sets it; api.py reads it and sets it at login).
LANGUAGE_COOKIE = "fakturowo_lang"
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600  # about a year (browsers cap cookies at 400 days)

log = logging.getLogger("fakturowo.i18n")

_language: contextvars.ContextVar[str] = contextvars.ContextVar(
    "fakturowo_language", default=DEFAULT_LANGUAGE
)


def supported(lang: object) -> str:
    """`lang` if it is one of ours, else the default language."""
    return lang if isinstance(lang, str) and lang in LANGUAGES else DEFAULT_LANGUAGE


def current_language() -> str:
    """The language of the event or page being handled (Polish unless set)."""
    return _language.get()


def set_language(lang: str) -> contextvars.Token[str]:
    """Make `lang` the language of what runs next in this context (an event's handler)."""
    return _language.set(supported(lang))


@contextlib.contextmanager
def use_language(lang: str) -> Iterator[str]:
    """`with use_language("en"):` -> t() answers in English inside the block."""
    token = set_language(lang)
    try:
        yield current_language()
    finally:
        _language.reset(token)


def _po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def catalogue(lang: str) -> gettext.GNUTranslations:
    """The compiled catalogue of `lang`: its .mo when it is up to date with the .po, else the .po
    compiled in memory (a checkout where `make translations` has not run yet)."""
    po, mo = _po_path(lang), _po_path(lang).with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    log.info("compiling the %s catalogue in memory (run `make translations`)", lang)
    with po.open("rb") as handle:
        parsed = read_po(handle, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, parsed)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _lang(lang: str | None) -> str:
    return supported(lang) if lang is not None else current_language()


def _fill(key: str, template: str, params: dict[str, object]) -> str:
    if template == key:
        raise KeyError(key)
    return template.format(**params) if params else template


def t(key: str, lang: str | None = None, /, **params: object) -> str:
    """The message `key` in `lang` (default: the current language), {placeholders} filled."""
    return _fill(key, catalogue(_lang(lang)).gettext(key), params)


def tn(key: str, count: int, lang: str | None = None, /, **params: object) -> str:
    """The plural message `key` in the form its language uses for `count`."""
    return _fill(key, catalogue(_lang(lang)).ngettext(key, key, count), params)


def N_(key: str) -> str:
    """`key` itself: marks a key the code picks at run time (a table of keys, a key chosen by a
    condition), so that `make i18n` extracts it and tests/unit/test_catalogues.py sees it used."""
    return key


def has(key: str, lang: str = DEFAULT_LANGUAGE) -> bool:
    """Whether the catalogue of `lang` has the (singular) key."""
    return catalogue(supported(lang)).gettext(key) != key


def messages(lang: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """Every singular message of `lang` as written in its catalogue ({placeholders} unfilled)."""
    from babel.messages.pofile import read_po

    with _po_path(supported(lang)).open("rb") as handle:
        parsed = read_po(handle, locale=lang, domain=DOMAIN)
    return {m.id: m.string for m in parsed if m.id and isinstance(m.id, str) and isinstance(m.string, str)}


class Count:
    """A count phrase ("5 dokumentów") for a placeholder of a sentence with more than one count;
    rendered when the sentence is, in that sentence's language: `t("home.lead",
    trial_days=Count("count.days", 30))`. Services may put one in a DomainError's params."""

    __slots__ = ("key", "n")

    def __init__(self, key: str, n: int) -> None:
        self.key, self.n = key, n

    def __format__(self, spec: str) -> str:
        return format(tn(self.key, self.n, n=self.n), spec)

    def __str__(self) -> str:
        return tn(self.key, self.n, n=self.n)

    def __repr__(self) -> str:
        return f"Count({self.key!r}, {self.n!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Count) and (self.key, self.n) == (other.key, other.n)

    def __hash__(self) -> int:
        return hash((self.key, self.n))


class Phrase:
    """A catalogue message for a placeholder, rendered when the sentence is, in that sentence's
    language: a field's name in a service's refusal (`DomainError("text.required",
    field=Phrase("field.name"))` reads "Nazwa: …" on a Polish page and "Name: …" on an English one)."""

    __slots__ = ("key",)

    def __init__(self, key: str) -> None:
        self.key = key

    def __format__(self, spec: str) -> str:
        return format(t(self.key), spec)

    def __str__(self) -> str:
        return t(self.key)

    def __repr__(self) -> str:
        return f"Phrase({self.key!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Phrase) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)


def preferred_language(accept_language: str | None) -> str:
    """The language a first-time visitor's browser prefers among ours (Accept-Language, with its
    q-values; Babel's negotiation); Polish when it names neither."""
    from babel import Locale

    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "")[:1000].split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, position, tag.strip()))
    chosen = Locale.negotiate([tag for _q, _p, tag in sorted(ranked)], list(LANGUAGES), sep="-")
    return supported(str(chosen) if chosen is not None else None)
