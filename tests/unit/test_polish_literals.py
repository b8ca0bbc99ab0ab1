"""Every word a user reads comes from the message catalogue, not from a literal in the code.

The scan below fails when a string literal with a Polish letter appears in the app's code outside
the short list of literals that are not interface text: a sentence written into the code would
show in Polish on an English page (or in an English account's mail). Docstrings and comments are
not scanned (they are not shown), and log messages are written in English anyway.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "fakturowo_ui"
POLISH_LETTERS = re.compile(r"[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]")

# (file, a piece of the literal, why it is no interface text). Each entry must still match.
ALLOWED = (
    (
        "logging_setup.py",
        "haslo|hasło",
        "a pattern of the log redaction: it matches Polish field names in log records",
    ),
    (
        "services/products.py",
        "usł.",
        "a unit of measure (data): stored on the product as typed and printed on the Polish VAT "
        "invoice, whose language is Polish in every account",
    ),
    (
        "services/polish.py",
        "aąbcćdeęfghijklłmnńoóprqsśtuvwxyzźż",
        "the Polish alphabet the sort key ranks letters by (data, not words shown)",
    ),
    ("services/polish.py", "ł", "a letter Unicode does not decompose, folded to l for search"),
    ("services/polish.py", "Ł", "a letter Unicode does not decompose, folded to l for search"),
)


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def polish_literals() -> list[tuple[str, int, str]]:
    """(file under fakturowo_ui/, line, literal) of every string literal with a Polish letter."""
    found = []
    for path in sorted(APP.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and POLISH_LETTERS.search(node.value)
            ):
                found.append((path.relative_to(APP).as_posix(), node.lineno, node.value))
    return found


def _allowed(file: str, literal: str) -> bool:
    return any(file == allowed_file and piece in literal for allowed_file, piece, _why in ALLOWED)


def test_no_polish_sentence_is_written_in_the_code():
    stray = [
        f"{file}:{line}: {literal[:80]!r}"
        for file, line, literal in polish_literals()
        if not _allowed(file, literal)
    ]
    assert not stray, "move these into the catalogue (fakturowo_ui/locale):\n" + "\n".join(stray)


def test_every_allowed_literal_is_still_there():
    literals = polish_literals()
    for file, piece, why in ALLOWED:
        assert any(f == file and piece in literal for f, _line, literal in literals), (file, piece, why)


def test_the_scan_sees_literals_and_skips_docstrings():
    source = '"""Moduł."""\n\ndef f():\n    """Funkcja."""\n    return "Usuń"  # komentarz: ż\n'
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    literals = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and id(n) not in docstrings]
    assert literals == ["Usuń"]


def test_the_mail_templates_take_every_word_from_the_catalogue():
    templates = sorted((APP / "mail_templates").glob("*.*"))
    assert len(templates) >= 16
    written = [path.name for path in templates if POLISH_LETTERS.search(path.read_text(encoding="utf-8"))]
    assert written == []
