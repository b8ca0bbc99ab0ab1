"""services/errors.py: a DomainError carries a catalogue key and its parameters, and its message is
the catalogue's text filled in; every key the services raise is in the catalogue."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from fakturowo_ui.i18n import has, messages
from fakturowo_ui.services.errors import DomainError

SERVICES = Path(__file__).resolve().parents[2] / "fakturowo_ui" / "services"


def test_an_error_keeps_its_key_and_parameters_and_fills_them_into_the_message():
    error = DomainError("text.too_long", field="Nazwa", maximum=200)
    assert error.key == "text.too_long" and str(error) == "text.too_long"
    assert error.params == {"field": "Nazwa", "maximum": 200}
    assert error.message() == "Nazwa: najwyżej 200 znaków."


def test_a_message_without_parameters_is_the_catalogues_text_as_is():
    error = DomainError("client.not_found")
    assert error.params == {}
    assert error.message() == messages("pl")["client.not_found"]


def test_an_unknown_key_fails_loudly_rather_than_showing_the_key():
    with pytest.raises(KeyError):
        DomainError("no.such.key").message()


def test_a_missing_parameter_fails_loudly_too():
    with pytest.raises(KeyError):
        DomainError("text.too_long", field="Nazwa").message()


def _raised_keys() -> set[tuple[str, str]]:
    """(file, key) of every DomainError("literal key", ...) written in the services."""
    found = set()
    for path in SERVICES.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "DomainError"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add((path.name, node.args[0].value))
    return found


def test_every_key_the_services_raise_is_in_the_catalogue():
    raised = _raised_keys()
    assert len(raised) > 20, "the scan found too few DomainErrors to be looking at the services"
    missing = sorted((name, key) for name, key in raised if not has(key))
    assert missing == []


def test_a_refusal_names_its_field_in_the_language_of_the_page_that_shows_it():
    from fakturowo_ui.i18n import Phrase, use_language
    from fakturowo_ui.services import money
    from fakturowo_ui.services.listing import clean_text

    with pytest.raises(DomainError) as price:
        money.parse_price("dwanaście")
    with pytest.raises(DomainError) as name:
        clean_text("  ", Phrase("field.name"), 200, required=True)
    assert price.value.message().startswith("Cena netto: ")
    assert name.value.message() == "Nazwa: to pole jest wymagane."
    with use_language("en"):
        assert price.value.message().startswith("Net price: ")
        assert name.value.message() == "Name: this field is required."
