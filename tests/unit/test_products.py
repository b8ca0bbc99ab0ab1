"""services/products.py: a product's fields checked before anything is stored (name, unit, price
in grosze, one of the Polish VAT rates), each user's products their own, searched by name or unit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fakturowo_ui.db import session_scope
from fakturowo_ui.models import Product
from fakturowo_ui.services import products
from fakturowo_ui.services.errors import DomainError
from tests.unit.factories import count_rows, make_user


@pytest.mark.parametrize(
    "raw, rate",
    [("23", "23"), (" 23 ", "23"), ("23%", "23"), ("8 %", "8"), ("0", "0"), ("ZW", "zw"), ("zw", "zw")],
)
def test_vat_rates_people_type(raw, rate):
    assert products.clean_vat_rate(raw) == rate


@pytest.mark.parametrize("raw", ["17", "22", "23.0", "0,23", "-23", "", "%", None, 23, "np"])
def test_other_vat_rates_are_refused(raw):
    with pytest.raises(DomainError) as error:
        products.clean_vat_rate(raw)
    assert error.value.key == "vat.invalid"


def test_a_unit_left_empty_is_a_piece_and_a_long_one_refused():
    assert products.clean_unit("") == products.clean_unit("  ") == products.clean_unit(None) == "szt."
    assert products.clean_unit(" m² ") == "m²"
    with pytest.raises(DomainError) as error:
        products.clean_unit("x" * 17)
    assert error.value.key == "text.too_long"


def test_a_product_is_stored_with_its_fields_cleaned(app_env):
    user = make_user("ania@example.com")
    with session_scope() as session:
        made = products.create(
            session, user, products.ProductForm("  Usługa księgowa ", "", "1 234,5", "23%")
        )
        assert (made.name, made.unit, made.net_price, made.vat_rate) == (
            "Usługa księgowa",
            "szt.",
            Decimal("1234.50"),
            "23",
        )


@pytest.mark.parametrize(
    "form, key",
    [
        (products.ProductForm("", "szt.", "10", "23"), "text.required"),
        (products.ProductForm("Usługa", "szt.", "10,001", "23"), "number.too_precise"),
        (products.ProductForm("Usługa", "szt.", "-1", "23"), "number.negative"),
        (products.ProductForm("Usługa", "szt.", "10", "17"), "vat.invalid"),
    ],
)
def test_a_wrong_field_stores_nothing_and_changes_nothing(app_env, form, key):
    user = make_user("ania@example.com")
    with session_scope() as session:
        kept = products.create(session, user, products.ProductForm("Stary", "godz.", "100", "8")).id
    for attempt in (
        lambda session: products.create(session, user, form),
        lambda session: products.update(session, user, kept, form),
    ):
        with pytest.raises(DomainError) as error, session_scope() as session:
            attempt(session)
        assert error.value.key == key
    with session_scope() as session:
        row = session.get_one(Product, kept)
        assert (row.name, row.unit, row.net_price, row.vat_rate) == ("Stary", "godz.", Decimal("100.00"), "8")
    assert count_rows(Product) == 1


def test_each_users_products_are_their_own_and_listed_by_name(app_env):
    ania, bartek = make_user("ania@example.com"), make_user("bartek@example.com")
    with session_scope() as session:
        for name, unit in (("zegar", "szt."), ("Audyt", "godz."), ("Baner", "m²")):
            products.create(session, ania, products.ProductForm(name, unit, "10", "23"))
        theirs = products.create(session, bartek, products.ProductForm("Cudzy", "szt.", "10", "23")).id
    with session_scope() as session:
        assert [p.name for p in products.all_for_choice(session, ania)] == ["Audyt", "Baner", "zegar"]
        assert [p.name for p in products.search(session, ania, "GODZ").rows] == ["Audyt"]  # by unit too
        assert [p.name for p in products.search(session, ania, "ba").rows] == ["Baner"]
        assert products.search(session, ania, "Cudzy").total == 0
        for act in (
            lambda: products.get(session, ania, theirs),
            lambda: products.update(session, ania, theirs, products.ProductForm("Mój", "szt.", "1", "23")),
            lambda: products.delete(session, ania, theirs),
        ):
            with pytest.raises(DomainError) as error:
                act()
            assert error.value.key == "product.not_found"
    with session_scope() as session:
        assert session.get_one(Product, theirs).name == "Cudzy"
