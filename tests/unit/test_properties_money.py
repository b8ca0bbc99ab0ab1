"""Properties of services/money.py over generated amounts: what i18n/formats.py prints reads back
as the same amount (in both languages), whatever way people type an amount is read as it, junk is
refused as junk, and the refusals of negative, too precise and too large numbers follow the
fields' limits."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fakturowo_ui.i18n import formats
from fakturowo_ui.services import money
from fakturowo_ui.services.errors import DomainError
from tests.unit.properties import FAST

NBSP = "\u00a0"
# Grouped by threes with non-breaking spaces, no leading zeros, a comma and two places.
AMOUNT_RE = re.compile(rf"-?(0|[1-9]\d{{0,2}}({NBSP}\d{{3}})*),\d\d")
QUANTITY_RE = re.compile(rf"(0|[1-9]\d{{0,2}}({NBSP}\d{{3}})*)(,\d{{0,2}}[1-9])?")
# English: grouped by threes with commas, a dot before the decimals.
ENGLISH_AMOUNT_RE = re.compile(r"-?(0|[1-9]\d{0,2}(,\d{3})*)\.\d\d")

prices = st.integers(0, 9_999_999_999).map(lambda grosze: Decimal(grosze).scaleb(-2))
quantities = st.integers(1, 99_999_999).map(lambda thousandths: Decimal(thousandths).scaleb(-3))
any_decimals = st.decimals(
    min_value=Decimal("-1e13"), max_value=Decimal("1e13"), allow_nan=False, allow_infinity=False, places=5
)


def refusal(parse, raw) -> str:
    with pytest.raises(DomainError) as error:
        parse(raw)
    return error.value.key


@st.composite
def typed(draw, value: Decimal, places: int) -> str:
    """`value` (at most `places` decimals, not negative) the way a person may type it: grouped by
    spaces or non-breaking spaces or not at all, a comma or a dot, trailing zeros of the fraction
    dropped or kept, leading zeros, a plus sign, blanks around."""
    integer, _, fraction = f"{value:.{places}f}".partition(".")
    grouping = draw(st.sampled_from(["", " ", NBSP]))
    if grouping:
        groups = []
        while len(integer) > 3:
            groups.insert(0, integer[-3:])
            integer = integer[:-3]
        integer = grouping.join([integer, *groups])
    integer = draw(st.sampled_from(["", "0", "00"])) + integer
    kept = draw(st.integers(len(fraction.rstrip("0")), places))
    fraction = fraction[:kept]
    if fraction:
        text = integer + draw(st.sampled_from([",", "."])) + fraction
        if integer.strip("0") == "" and draw(st.booleans()):
            text = text.lstrip("0") or text  # ",5" is fifty grosze
    else:
        text = integer + draw(st.sampled_from(["", ",", "."]))  # "12," is twelve złoty
    sign = draw(st.sampled_from(["", "+"]))
    blank = st.sampled_from(["", " ", "  ", NBSP, "\t"])
    return draw(blank) + sign + text + draw(blank)


# -- printed amounts read back --------------------------------------------------------------------


@FAST
@given(prices)
def test_a_printed_price_reads_back_as_the_same_price(price):
    for lang in ("pl", "en"):
        for printed in (formats.amount(price, lang), formats.plain_amount(price, lang)):
            assert money.parse_price(printed, lang=lang) == price
            assert money.parse_price(printed, lang=lang).as_tuple().exponent == -2


@FAST
@given(quantities)
def test_a_printed_quantity_reads_back_as_the_same_quantity(quantity):
    for lang in ("pl", "en"):
        for printed in (formats.quantity(quantity, lang), formats.plain_quantity(quantity, lang)):
            assert money.parse_quantity(printed, lang=lang) == quantity
    assert QUANTITY_RE.fullmatch(formats.quantity(quantity, "pl")), formats.quantity(quantity, "pl")
    assert NBSP not in formats.plain_quantity(quantity, "pl")
    assert "," not in formats.plain_quantity(quantity, "en")


@FAST
@given(any_decimals)
def test_an_amount_prints_grouped_in_threes_rounded_to_grosze(value):
    printed = formats.amount(value, "pl")
    assert AMOUNT_RE.fullmatch(printed), printed
    assert Decimal(printed.replace(NBSP, "").replace(",", ".")) == money.round_grosze(value)
    assert formats.plain_amount(value, "pl") == printed.replace(NBSP, "")
    english = formats.amount(value, "en")
    assert ENGLISH_AMOUNT_RE.fullmatch(english), english
    assert Decimal(english.replace(",", "")) == money.round_grosze(value)
    assert formats.plain_amount(value, "en") == english.replace(",", "")
    # An amount that rounds to zero has no sign.
    assert not printed.startswith("-0,00") and not english.startswith("-0.00")


@FAST
@given(any_decimals, any_decimals)
def test_rounding_to_grosze_is_the_nearest_grosz_halves_away_from_zero_and_keeps_order(a, b):
    rounded = money.round_grosze(a)
    assert rounded.as_tuple().exponent == -2
    error = abs(rounded - a)
    assert error <= Decimal("0.005")
    if error == Decimal("0.005"):
        assert abs(rounded) > abs(a)  # 0,005 -> 0,01 and -0,005 -> -0,01
    if a <= b:
        assert rounded <= money.round_grosze(b)


@FAST
@given(st.integers(0, 10**12), st.sampled_from([1, -1]))
def test_half_a_grosz_rounds_away_from_zero(grosze, sign):
    """0,345 -> 0,35 as on Polish invoices (bankers' rounding would give 0,34)."""
    half_up = sign * (Decimal(grosze).scaleb(-2) + Decimal("0.005"))
    assert money.round_grosze(half_up) == sign * Decimal(grosze + 1).scaleb(-2)
    just_below = sign * (Decimal(grosze).scaleb(-2) + Decimal("0.00499"))
    assert money.round_grosze(just_below) == sign * Decimal(grosze).scaleb(-2)


# -- what people type -----------------------------------------------------------------------------


@FAST
@given(st.data(), prices)
def test_a_price_typed_any_usual_way_is_read_as_that_price(data, price):
    raw = data.draw(typed(price, 2))
    assert money.parse_price(raw) == price


@FAST
@given(st.data(), quantities)
def test_a_quantity_typed_any_usual_way_is_read_as_that_quantity(data, quantity):
    raw = data.draw(typed(quantity, 3))
    assert money.parse_quantity(raw) == quantity


@FAST
@given(
    st.data(),
    prices,
    st.sampled_from(list("abxyzeEłąĄ_#%*/'\"()[]{}!?;:=&$€") + ["zł", "PLN", "0x", "e5", "nan", "½"]),
)
def test_a_number_with_anything_else_in_it_is_refused_as_invalid(data, price, junk):
    raw = formats.plain_amount(price, "pl")
    at = data.draw(st.integers(0, len(raw)), label="at")
    spoilt = raw[:at] + junk + raw[at:]
    assert refusal(money.parse_price, spoilt) == "number.invalid"
    assert refusal(money.parse_quantity, spoilt) == "number.invalid"


@FAST
@given(st.data(), prices, st.sampled_from([",", ".", "-", "+"]))
def test_a_second_separator_or_a_sign_inside_is_refused_as_invalid(data, price, mark):
    raw = formats.plain_amount(price, "pl")  # always has a comma
    at = data.draw(st.integers(1, len(raw)), label="at")  # never before the first digit
    spoilt = raw[:at] + mark + raw[at:]
    if mark == "." and money._POLISH_GROUPED_RE.fullmatch(spoilt):
        # A dot where Polish groups thousands ("1.000,00"): the same amount, never another one.
        assert money.parse_price(spoilt) == price
        return
    assert refusal(money.parse_price, spoilt) == "number.invalid"


@FAST
@given(
    st.one_of(
        st.floats(allow_nan=True),
        st.booleans(),
        st.none(),
        st.binary(max_size=5),
        st.lists(st.integers(), max_size=2),
        st.sampled_from([Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")]),
    )
)
def test_values_that_are_not_typed_numbers_are_refused_as_invalid(raw):
    """Floats too: a binary fraction is no amount of grosze."""
    assert refusal(money.parse_price, raw) == "number.invalid"
    assert refusal(money.parse_quantity, raw) == "number.invalid"


@FAST
@given(st.text(alphabet=" \t\u00a0", max_size=4))
def test_a_blank_field_is_refused_as_empty(raw):
    assert refusal(money.parse_price, raw) == "number.empty"
    assert refusal(money.parse_quantity, raw) == "number.empty"


# -- the fields' limits ---------------------------------------------------------------------------


@FAST
@given(any_decimals, st.sampled_from([".", ","]))
def test_a_price_is_refused_exactly_when_negative_too_precise_or_too_large(value, separator):
    raw = f"{value:f}".replace(".", separator)
    if value < 0:
        assert refusal(money.parse_price, raw) == "number.negative"
    elif value != value.quantize(Decimal("0.01")):
        assert refusal(money.parse_price, raw) == "number.too_precise"
    elif value > money.MAX_PRICE:
        assert refusal(money.parse_price, raw) == "number.too_large"
    else:
        assert money.parse_price(raw) == value


@FAST
@given(any_decimals)
def test_a_quantity_is_refused_exactly_when_not_positive_too_precise_or_too_large(value):
    raw = f"{value:f}"
    if value < 0:
        assert refusal(money.parse_quantity, raw) == "number.negative"
    elif value == 0:
        assert refusal(money.parse_quantity, raw) == "number.zero"
    elif value != value.quantize(Decimal("0.001")):
        assert refusal(money.parse_quantity, raw) == "number.too_precise"
    elif value > money.MAX_QUANTITY:
        assert refusal(money.parse_quantity, raw) == "number.too_large"
    else:
        assert money.parse_quantity(raw) == value


def test_price_in_fullwidth_digits_reads_as_ascii() -> None:
    from decimal import Decimal as _D

    from fakturowo_ui.services import money as money_service

    assert money_service.parse_price("１ ２３０,５０") == _D("1230.50")
