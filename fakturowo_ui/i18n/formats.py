"""The one place dates, times, amounts, money and quantities are written for people (Babel).

Every function takes `lang` (default: the current language, see i18n.current_language): the pages
and their messages in the page's language, an e-mail in the account's, the invoice PDF and the
data export in Polish (`lang="pl"`: the PDF is a Polish VAT invoice).

Stored moments are naive UTC datetimes and are shown in Warsaw time (services/clock.warsaw);
calendar days (issue dates, a plan's last day) are shown as they are.

Polish writes what the app always wrote: dates DD-MM-YYYY as the seed does ("02-12-2026"), times
24-hour ("05:15"), amounts with a no-break space between thousands and a comma before the grosze
("1 230,00"), money "1 230,00 zł". English follows Babel's "en" throughout: "Dec 2, 2026",
"5:15 PM" (the 12-hour clock goes with the US-English date order of the same locale; mixing in a
24-hour clock would be a convention no English locale uses), "1,230.00", money "PLN 1,230.00"
(Babel writes "PLN1,230.00"; our pattern puts a no-break space after the code). Amounts are
rounded to whole grosze half up first (services/money.round_grosze), and an amount that rounds to
zero is "0,00", never "-0,00".
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

from babel import Locale, dates, numbers

from fakturowo_ui.i18n import current_language, supported
from fakturowo_ui.services.clock import warsaw
from fakturowo_ui.services.money import QUANTITY_STEP, round_grosze

NBSP = "\u00a0"

# Polish: the seed's own patterns. English: Babel's "en" formats by name.
_DATE = {"pl": "dd-MM-yyyy", "en": "medium"}
_TIME = {"pl": "HH:mm", "en": "short"}
_TIME_SECONDS = {"pl": "HH:mm:ss", "en": "medium"}
_AMOUNT = "#,##0.00"
_QUANTITY = "#,##0.###"
_PLAIN_AMOUNT = "0.00"
_PLAIN_QUANTITY = "0.###"
_MONEY = {"pl": f"#,##0.00{NBSP}¤", "en": f"¤{NBSP}#,##0.00"}
CURRENCY = "PLN"


def _lang(lang: str | None) -> str:
    return supported(lang) if lang is not None else current_language()


# -- dates and times ------------------------------------------------------------------------------


@functools.cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


_PATTERNS = {"date": _DATE, "time": _TIME, "seconds": _TIME_SECONDS}


@functools.cache
def _pattern(kind: str, lang: str) -> dates.DateTimePattern:
    """The language's date, time or time-with-seconds pattern (a pattern, or a format name of the
    locale) parsed once: Babel's format_date and format_time parse theirs at every call."""
    wanted = _PATTERNS[kind][lang]
    if wanted in ("short", "medium", "long", "full"):
        locale = _locale(lang)
        return (locale.date_formats if kind == "date" else locale.time_formats)[wanted]
    return dates.parse_pattern(wanted)


# The same days and minutes come back all the time (every save shows the moment it made, its day
# and minute shared with the saves around it): Babel's apply takes some 20 us, so the texts of the
# recent ones are kept, by the calendar day or the wall-clock time of day shown (no pattern here
# shows a time zone, so the time of day is all a time's text depends on).
@functools.lru_cache(maxsize=4096)
def _applied(kind: str, value: dt.date | dt.time, lang: str) -> str:
    return _pattern(kind, lang).apply(value, _locale(lang))


def date(day: dt.date, lang: str | None = None) -> str:
    """A calendar day: "02-12-2026" / "Dec 2, 2026". A datetime is taken as a stored moment
    (naive UTC), its day in Warsaw."""
    if isinstance(day, dt.datetime):
        day = warsaw(day).date()
    return _applied("date", day, _lang(lang))


def time(moment: dt.datetime, lang: str | None = None) -> str:
    """The Warsaw time of a stored (naive UTC) moment: "05:15" / "5:15 AM"."""
    shown = warsaw(moment).time().replace(second=0, microsecond=0)
    return _applied("time", shown, _lang(lang))


def time_seconds(moment: dt.datetime, lang: str | None = None) -> str:
    """As time(), with seconds (an outcome message that must change each time): "05:15:07" /
    "5:15:07 AM"."""
    shown = warsaw(moment).time().replace(microsecond=0)
    return _applied("seconds", shown, _lang(lang))


def datetime(moment: dt.datetime, lang: str | None = None) -> str:
    """The Warsaw day and time of a stored (naive UTC) moment: "02-12-2026 05:15" /
    "Dec 2, 2026, 5:15 AM"."""
    return _datetime(moment, _lang(lang))


# A page shows the same few moments again at every event (a consent's last change): the recent
# ones are kept whole.
@functools.lru_cache(maxsize=1024)
def _datetime(moment: dt.datetime, lang: str) -> str:
    shown = warsaw(moment)
    day, clock_time = date(shown.date(), lang), time(moment, lang)
    if lang == "pl":
        return f"{day} {clock_time}"
    # The locale's own way of joining a date and a time ("{1}, {0}" in English).
    joined = dates.get_datetime_format("medium", locale=_locale(lang))
    return str(joined).replace("'", "").replace("{1}", day).replace("{0}", clock_time)


# -- numbers ---------------------------------------------------------------------------------------


# Parsed once: Babel's format_decimal and format_currency parse their pattern (and look the locale
# up) at every call, which was four tenths of the time of an invoice PDF.
_number = functools.cache(numbers.parse_pattern)


# The same few amounts come back again and again (an invoice's prices, a list's totals): the
# strings of the recent ones are kept (a value is rounded first, so equal values read the same).
@functools.lru_cache(maxsize=4096)
def _written(pattern: str, value: Decimal, lang: str, currency: str | None = None) -> str:
    if currency is None:
        return _number(pattern).apply(value, _locale(lang))
    return _number(pattern).apply(value, _locale(lang), currency=currency, currency_digits=False)


def _grosze(value: Decimal | int | str) -> Decimal:
    rounded = round_grosze(Decimal(value))
    return rounded if rounded != 0 else Decimal("0.00")  # never "-0,00"


def _quantity(value: Decimal | int | str) -> Decimal:
    quantized = Decimal(value).quantize(QUANTITY_STEP)
    return quantized if quantized != 0 else Decimal("0.000")


def amount(value: Decimal | int | str, lang: str | None = None) -> str:
    """An amount in złoty without the currency: "1 230,00" (no-break space) / "1,230.00"."""
    lang = _lang(lang)
    return _written(_AMOUNT, _grosze(value), lang)


def money(value: Decimal | int | str, lang: str | None = None) -> str:
    """An amount with its currency: "1 230,00 zł" / "PLN 1,230.00" (no-break spaces)."""
    lang = _lang(lang)
    return _written(_MONEY[lang], _grosze(value), lang, CURRENCY)


def quantity(value: Decimal | int | str, lang: str | None = None) -> str:
    """A quantity without trailing zeros: "2", "1,25", "1 234,5" / "2", "1.25", "1,234.5"."""
    lang = _lang(lang)
    return _written(_QUANTITY, _quantity(value), lang)


def plain_amount(value: Decimal | int | str, lang: str | None = None) -> str:
    """An amount to put back into an input field, as that language types it: "1234,50" /
    "1234.50" (no grouping; services/money.parse_price reads both)."""
    lang = _lang(lang)
    return _written(_PLAIN_AMOUNT, _grosze(value), lang)


def plain_quantity(value: Decimal | int | str, lang: str | None = None) -> str:
    """A quantity for an input field: "2", "1,25" / "2", "1.25"."""
    lang = _lang(lang)
    return _written(_PLAIN_QUANTITY, _quantity(value), lang)
