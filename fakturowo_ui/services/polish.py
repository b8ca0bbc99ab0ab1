"""Polish text for search and sort (issue 13): what a user types is found in any letter case and
with or without diacritics, and lists are in Polish alphabetical order, on SQLite and PostgreSQL.

Neither database does this by itself the same way: SQLite's lower() folds ASCII only and sorts by
code point ("Łódź" after "Zakopane"); PostgreSQL depends on the server's collation. So each row
keeps two derived columns, written by the services with the row: `search_text`, the searched
fields folded (case and diacritics removed), which a search compares with the folded query; and
`sort_key`, the name as a string whose plain byte order is Polish order, so ORDER BY sort_key
needs no collation and uses the (user_id, sort_key) index. Babel has no collation, and ICU
(PyICU) is a system library this project does not install: the Polish alphabet is 32 letters
plus q, v, x, small enough to write down.
"""

from __future__ import annotations

import unicodedata

# The Polish alphabet, with q, v and x where foreign words put them.
ALPHABET = "aąbcćdeęfghijklłmnńoóprqsśtuvwxyzźż"
_RANK = {letter: index for index, letter in enumerate(ALPHABET)}
# Letters NFKD does not decompose.
_BASE = str.maketrans(
    {"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ß": "ss", "æ": "ae", "œ": "oe"}
)


def fold(text: str) -> str:
    """Lower case without diacritics: "Kawiarnia Pod Żurawiem" -> "kawiarnia pod zurawiem"."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold().translate(_BASE))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _code(char: str) -> str:
    if char in _RANK:
        return f"{_RANK[char] + 100:03d}"
    if char.isdigit() and char.isascii():
        return f"{int(char) + 10:03d}"
    if not char.isalnum():
        return "001"  # spaces and punctuation: before any letter or digit
    base = fold(char)
    if base and base[0] in _RANK:
        # A foreign letter with a mark sorts with its base letter ("é" with "e").
        return f"{_RANK[base[0]] + 100:03d}"
    return "999"  # any other script: after the Polish letters


def sort_key(text: str, length: int = 200) -> str:
    """A string whose byte order is Polish alphabetical order ("Lublin" < "Łódź" < "Mielec"),
    letter case aside (3 digits per character; runs of spaces count as one)."""
    codes: list[str] = []
    for char in (text or "").casefold().strip()[:length]:
        code = _code(char)
        if code == "001" and codes and codes[-1] == "001":
            continue
        codes.append(code)
    return "".join(codes)
