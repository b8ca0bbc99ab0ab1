"""The message catalogues (fakturowo_ui/locale/<lang>/LC_MESSAGES/messages.po) against each other,
against the code and against `make i18n`.

- Counts follow each language's plural rules (Polish one / few / many, English one / other).
- Both catalogues hold the same keys with the same {placeholders}, and no empty translation.
- Every key the code uses is in both, and every key of theirs is used: the keys are extracted as
  `make i18n` extracts them (Babel, the Makefile's I18N_KEYWORDS, babel.cfg's mapping), so a key
  the code picks at run time must be spelled out where it is defined (`N_("key")`).
- `make i18n` (extract + `pybabel update`) leaves both catalogues' messages as they are.
- No page shows a raw key, in either language.
"""

from __future__ import annotations

import re
import shlex
import shutil
import string
import subprocess
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from fakturowo_ui import i18n
from fakturowo_ui.i18n import LANGUAGES, LOCALE_DIR, tn, use_language

ROOT = Path(__file__).resolve().parents[2]
PO = "LC_MESSAGES/messages.po"
COUNTS = (0, 1, 2, 5, 12, 22, 25, 101, 102)


@cache
def catalogue(lang: str) -> Catalog:
    with (LOCALE_DIR / lang / PO).open("rb") as handle:
        return read_po(handle, locale=lang, domain="messages")


def entries(lang: str) -> dict[str, tuple[str, ...]]:
    """key -> its translation(s): one string, or one per plural form."""
    found = {}
    for message in catalogue(lang):
        if not message.id:
            continue  # the header
        key = message.id[0] if isinstance(message.id, tuple | list) else message.id
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        found[key] = tuple(strings)
    return found


def plural_keys(lang: str) -> set[str]:
    return {key for key, strings in entries(lang).items() if catalogue(lang)[key].pluralizable}


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


# -- plural forms -----------------------------------------------------------------------------------

# Polish: 1 -> one; 2-4, 22-24, 102-104 ... (not 12-14) -> few; everything else (0, 5-21, 25, 101) -> many.
POLISH_FORM = {0: 2, 1: 0, 2: 1, 5: 2, 12: 2, 22: 1, 25: 2, 101: 2, 102: 1}
ENGLISH_FORM = {n: 0 if n == 1 else 1 for n in COUNTS}


@pytest.mark.parametrize(
    "n, polish, english",
    [
        (0, "0 dokumentów", "0 documents"),
        (1, "1 dokument", "1 document"),
        (2, "2 dokumenty", "2 documents"),
        (5, "5 dokumentów", "5 documents"),
        (12, "12 dokumentów", "12 documents"),
        (22, "22 dokumenty", "22 documents"),
        (25, "25 dokumentów", "25 documents"),
        (101, "101 dokumentów", "101 documents"),
        (102, "102 dokumenty", "102 documents"),
    ],
)
def test_a_count_of_documents_in_both_languages(n, polish, english):
    assert tn("count.documents", n, "pl", n=n) == polish
    assert tn("count.documents", n, "en", n=n) == english


def test_the_catalogues_plural_rules_are_polish_and_english():
    assert catalogue("pl").num_plurals == 3
    assert catalogue("en").num_plurals == 2
    for n in COUNTS:
        # The rule the app uses: the compiled catalogue's, from the .po's Plural-Forms header.
        assert i18n.catalogue("pl").plural(n) == POLISH_FORM[n], n
        assert i18n.catalogue("en").plural(n) == ENGLISH_FORM[n], n


@pytest.mark.parametrize("lang, form", [("pl", POLISH_FORM), ("en", ENGLISH_FORM)])
def test_every_count_takes_the_form_its_language_uses(lang, form):
    counts = sorted(key for key in plural_keys(lang) if key.startswith("count."))
    assert "count.documents" in counts
    for key in counts:
        forms = entries(lang)[key]
        assert len(forms) == catalogue(lang).num_plurals, key
        for n in COUNTS:
            assert tn(key, n, lang, n=n) == forms[form[n]].format(n=n), (lang, key, n)
            assert str(n) in tn(key, n, lang, n=n), (lang, key, n)


# -- the two catalogues ------------------------------------------------------------------------------


def test_both_catalogues_have_the_same_keys_and_the_same_plural_ones():
    assert set(entries("pl")) == set(entries("en"))
    assert plural_keys("pl") == plural_keys("en")
    assert set(LANGUAGES) == {"pl", "en"}


def test_no_translation_is_empty():
    for lang in LANGUAGES:
        empty = sorted(key for key, strings in entries(lang).items() if not all(s.strip() for s in strings))
        assert not empty, (lang, empty)


def test_every_key_has_the_same_placeholders_in_both_languages():
    polish, english = entries("pl"), entries("en")
    differing = []
    for key in sorted(set(polish) & set(english)):
        pl_forms = [placeholders(text) for text in polish[key]]
        en_forms = [placeholders(text) for text in english[key]]
        if len(pl_forms) == 1 and len(en_forms) == 1:
            if pl_forms != en_forms:
                differing.append((key, pl_forms[0], en_forms[0]))
            continue
        # Plural forms: a form may leave out what another writes as a word ("one" for {n}), but
        # never names a placeholder the other language does not have.
        pl_all, en_all = set().union(*pl_forms), set().union(*en_forms)
        if any(not form <= en_all for form in pl_forms) or any(not form <= pl_all for form in en_forms):
            differing.append((key, pl_all, en_all))
    assert not differing


# -- the catalogues and the code ---------------------------------------------------------------------


def _makefile() -> str:
    return (ROOT / "Makefile").read_text(encoding="utf-8")


def _keywords() -> dict:
    """The keywords of the Makefile's I18N_KEYWORDS (`-k t -k tn:1,1 ...`), as Babel reads them."""
    found = re.search(r"^I18N_KEYWORDS\s*:?=(.*)$", _makefile(), re.M)
    assert found, "the Makefile defines I18N_KEYWORDS"
    words = shlex.split(found.group(1))
    assert "--no-default-keywords" in words
    return parse_keywords([words[i + 1] for i, word in enumerate(words) if word == "-k"])


@cache
def used_keys() -> dict[str, str]:
    """Every key `make i18n` extracts from the code -> where it is first used."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, "babel.cfg")
    used: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=_keywords(), comment_tags=(), strip_comment_tags=True
    ):
        key = message[0] if isinstance(message, tuple | list) else message
        if key:
            used.setdefault(key, f"{filename}:{lineno}")
    return used


def test_the_extraction_finds_the_code_s_keys():
    used = used_keys()
    for key in ("account.title", "count.documents", "link.expired", "clients.added", "mail.confirm.subject"):
        assert key in used, key


def test_every_key_the_code_uses_is_in_both_catalogues():
    for lang in LANGUAGES:
        missing = sorted(f"{key} ({where})" for key, where in used_keys().items() if key not in entries(lang))
        assert not missing, (lang, missing)


def test_every_key_of_the_catalogues_is_used_by_the_code():
    """A key the code no longer uses is dead: remove it (or, if the code picks it at run time,
    spell it out where it is defined with N_("key"), so that `make i18n` keeps it)."""
    dead = sorted(set(entries("pl")) - set(used_keys()))
    assert not dead


def _make_i18n_commands(locales: Path) -> list[list[str]]:
    """The pybabel commands of `make i18n`, with the catalogues under `locales`."""
    printed = subprocess.run(
        ["make", "--no-print-directory", "-n", "i18n", f"LOCALES={locales}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = printed.replace("\\\n", " ").splitlines()
    commands = [shlex.split(line) for line in lines if re.search(r"pybabel (extract|update)\b", line)]
    assert [command[1] for command in commands] == ["extract", "update"], printed
    return commands


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_i18n_leaves_the_catalogues_messages_as_they_are(tmp_path):
    locales = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR, locales, ignore=shutil.ignore_patterns("*.mo", "*.pot"))
    for command in _make_i18n_commands(locales):
        subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    for lang in LANGUAGES:
        with (locales / lang / PO).open("rb") as handle:
            updated = read_po(handle, locale=lang, domain="messages")
        assert not updated.obsolete, (lang, sorted(updated.obsolete))
        after = {message.id: message.string for message in updated if message.id}
        before = {message.id: message.string for message in catalogue(lang) if message.id}
        assert sorted(map(str, set(after) - set(before))) == [], lang  # keys make i18n would add
        assert sorted(map(str, set(before) - set(after))) == [], lang  # keys it would drop
        assert after == before, lang
        assert not [str(message.id) for message in updated if message.id and message.fuzzy], lang


# -- the pages ----------------------------------------------------------------------------------------


def test_no_page_shows_a_raw_key():
    from fakturowo_ui.fakturowo_ui import PAGES

    keys = set(entries("pl"))
    key_like = re.compile(r"(?<![\w.-])[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+(?![\w.-])")
    shown = []
    for lang in LANGUAGES:
        for route, page_function, _title, _on_load in PAGES:
            with use_language(lang):
                compiled = str(page_function())
            shown.extend((lang, route, key) for key in set(key_like.findall(compiled)) & keys)
    assert not shown
