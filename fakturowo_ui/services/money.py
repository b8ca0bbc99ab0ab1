"""Money and quantities of invoices: parsing what people type, rounding to grosze.

Amounts are `Decimal` end to end. A value a person types is refused with a clear message when it is
not a plain number, negative, has more decimal places than the field keeps, or is absurdly large.
What each language types is read: Polish "1 230,50" / "1230,50" (a dot before the grosze is read
too), English "1,230.50" / "1230.50" as well. Writing amounts for people is i18n/formats.py's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from fakturowo_ui.i18n import Phrase, current_language, supported
from fakturowo_ui.services.errors import DomainError

GROSZ = Decimal("0.01")
QUANTITY_STEP = Decimal("0.001")
# Field limits: a line's net value (price x quantity) stays far below the columns' 14 digits.
MAX_PRICE = Decimal("99999999.99")
MAX_QUANTITY = Decimal("99999.999")
MAX_DOCUMENT_GROSS = Decimal("999999999999.99")

_NUMBER_RE = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")
# English groups thousands with commas: "1,230.50", "12,000". Only whole groups of three count,
# so "12,5" stays twelve and a half (a comma before the decimals, as Polish types it).
_ENGLISH_GROUPED_RE = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
# Polish groups thousands with dots too: "1.230,50", "12.000.000". Only whole groups of three,
# and only with a decimal comma or several groups, so "1.230" stays one and 23 hundredths.
_POLISH_GROUPED_RE = re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d*)?")


def _parse(raw: object, field: str | Phrase, lang: str) -> Decimal:
    if isinstance(raw, Decimal):
        text = str(raw)
    elif isinstance(raw, int) and not isinstance(raw, bool):
        text = str(raw)
    elif isinstance(raw, str):
        # People write 1 234,50 or 1234.50; spaces (also non-breaking, narrow or not) group thousands.
        text = raw.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        # Digits of other scripts (fullwidth, Arabic-Indic...) read as the ASCII digits they are.
        text = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)
        if lang == "en" and _ENGLISH_GROUPED_RE.fullmatch(text):
            text = text.replace(",", "")
        elif _POLISH_GROUPED_RE.fullmatch(text) and ("," in text or text.count(".") > 1):
            text = text.replace(".", "")
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
    raw: object,
    field: str | Phrase,
    lang: str | None,
    *,
    step: Decimal,
    maximum: Decimal,
    shown: Callable[[Decimal, str], str],
    zero: bool,
) -> Decimal:
    """A typed number from 0 (above 0 unless `zero`) to `maximum` with no more decimal places than
    `step` has, as a Decimal of exactly that many, read as `lang` types numbers (default: the
    current language); refused with the field's name (and the maximum as `shown` writes it in
    that language) otherwise."""
    lang = supported(lang) if lang is not None else current_language()
    value = _parse(raw, field, lang)
    if value < 0:
        raise DomainError("number.negative", field=field)
    if value == 0 and not zero:
        raise DomainError("number.zero", field=field)
    places = _decimal_places(step)
    if _decimal_places(value) > places:
        raise DomainError("number.too_precise", field=field, places=places)
    if value > maximum:
        raise DomainError("number.too_large", field=field, maximum=shown(maximum, lang))
    return value.quantize(step)


def parse_price(
    raw: object, field: str | Phrase = Phrase("field.net_price_short"), lang: str | None = None
) -> Decimal:
    """A net price in złoty: 0 or more, at most 2 decimal places, at most MAX_PRICE."""
    from fakturowo_ui.i18n import formats

    return _parse_bounded(raw, field, lang, step=GROSZ, maximum=MAX_PRICE, shown=formats.amount, zero=True)


def parse_quantity(
    raw: object, field: str | Phrase = Phrase("field.quantity"), lang: str | None = None
) -> Decimal:
    """A quantity: more than 0, at most 3 decimal places, at most MAX_QUANTITY."""
    from fakturowo_ui.i18n import formats

    return _parse_bounded(
        raw, field, lang, step=QUANTITY_STEP, maximum=MAX_QUANTITY, shown=formats.quantity, zero=False
    )


def round_grosze(value: Decimal) -> Decimal:
    """Round to whole grosze, halves up (0,005 zł -> 0,01 zł), as Polish invoices do."""
    return value.quantize(GROSZ, rounding=ROUND_HALF_UP)
