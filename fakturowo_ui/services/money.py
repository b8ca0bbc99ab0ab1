"""Money and quantities of invoices: parsing what people type, rounding to grosze, Polish formatting.

Amounts are `Decimal` end to end. A value a person types is refused with a clear message when it is
not a plain number, negative, has more decimal places than the field keeps, or is absurdly large.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from fakturowo_ui.services.errors import DomainError

GROSZ = Decimal("0.01")
QUANTITY_STEP = Decimal("0.001")
# Field limits: a line's net value (price x quantity) stays far below the columns' 14 digits.
MAX_PRICE = Decimal("99999999.99")
MAX_QUANTITY = Decimal("99999.999")
MAX_DOCUMENT_GROSS = Decimal("999999999999.99")

_NUMBER_RE = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")


def _parse(raw: object, field: str) -> Decimal:
    if isinstance(raw, Decimal):
        text = str(raw)
    elif isinstance(raw, int) and not isinstance(raw, bool):
        text = str(raw)
    elif isinstance(raw, str):
        # People write 1 234,50 or 1234.50; spaces (also non-breaking) group thousands.
        text = raw.strip().replace("\u00a0", "").replace(" ", "")
    else:
        raise DomainError("number.invalid", field=field)
    if not text:
        raise DomainError("number.empty", field=field)
    if not _NUMBER_RE.fullmatch(text):
        raise DomainError("number.invalid", field=field)
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise DomainError("number.invalid", field=field) from None
    if not value.is_finite():
        raise DomainError("number.invalid", field=field)
    return value


def _decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _parse_bounded(
    raw: object, field: str, *, step: Decimal, maximum: Decimal, shown: Callable[[Decimal], str], zero: bool
) -> Decimal:
    """A typed number from 0 (above 0 unless `zero`) to `maximum` with no more decimal places than
    `step` has, as a Decimal of exactly that many; refused with the field's name (and the maximum
    as `shown` prints it) otherwise."""
    value = _parse(raw, field)
    if value < 0:
        raise DomainError("number.negative", field=field)
    if value == 0 and not zero:
        raise DomainError("number.zero", field=field)
    places = _decimal_places(step)
    if _decimal_places(value) > places:
        raise DomainError("number.too_precise", field=field, places=places)
    if value > maximum:
        raise DomainError("number.too_large", field=field, maximum=shown(maximum))
    return value.quantize(step)


def parse_price(raw: object, field: str = "Cena netto") -> Decimal:
    """A net price in złoty: 0 or more, at most 2 decimal places, at most MAX_PRICE."""
    return _parse_bounded(raw, field, step=GROSZ, maximum=MAX_PRICE, shown=format_amount, zero=True)


def parse_quantity(raw: object, field: str = "Ilość") -> Decimal:
    """A quantity: more than 0, at most 3 decimal places, at most MAX_QUANTITY."""
    return _parse_bounded(
        raw, field, step=QUANTITY_STEP, maximum=MAX_QUANTITY, shown=format_quantity, zero=False
    )


def round_grosze(value: Decimal) -> Decimal:
    """Round to whole grosze, halves up (0,005 zł -> 0,01 zł), as Polish invoices do."""
    return value.quantize(GROSZ, rounding=ROUND_HALF_UP)


def _group(integer: str) -> str:
    groups = []
    while len(integer) > 3:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    groups.insert(0, integer)
    return "\u00a0".join(groups)


def format_amount(value: Decimal) -> str:
    """1234.5 -> "1 234,50" (non-breaking space between thousands, comma before grosze)."""
    value = round_grosze(Decimal(value))
    sign = "-" if value < 0 else ""
    integer, _, fraction = f"{abs(value):.2f}".partition(".")
    return f"{sign}{_group(integer)},{fraction}"


def format_quantity(value: Decimal) -> str:
    """A quantity without trailing zeros: 2.000 -> "2", 1.250 -> "1,25"."""
    value = Decimal(value).quantize(QUANTITY_STEP)
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    integer, _, fraction = text.partition(".")
    return _group(integer) + ("," + fraction if fraction else "")


def plain_amount(value: Decimal) -> str:
    """An amount for an input field or a CSV: 1234.50 -> "1234,50" (no grouping)."""
    return f"{round_grosze(Decimal(value)):.2f}".replace(".", ",")


def plain_quantity(value: Decimal) -> str:
    """A quantity for an input field: 2.000 -> "2"."""
    return format_quantity(value).replace("\u00a0", "")
