"""i18n/formats.py: dates, times, amounts, money and quantities in Polish (what the app always
wrote) and in English (Babel's "en"), in the current language unless told; and services/money.py
reading what each language types."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from fakturowo_ui.i18n import formats, use_language
from fakturowo_ui.services import money
from fakturowo_ui.services.errors import DomainError

NBSP = "\u00a0"
NNBSP = "\u202f"  # CLDR's narrow no-break space before AM/PM


# -- dates and times ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, pl, en",
    [
        (dt.date(2026, 12, 2), "02-12-2026", "Dec 2, 2026"),
        (dt.date(2026, 2, 3), "03-02-2026", "Feb 3, 2026"),
        (dt.date(2027, 1, 1), "01-01-2027", "Jan 1, 2027"),
        (dt.date(2000, 10, 31), "31-10-2000", "Oct 31, 2000"),
    ],
)
def test_a_calendar_day(day, pl, en):
    assert formats.date(day, "pl") == pl
    assert formats.date(day, "en") == en


def test_a_stored_moment_given_as_a_date_is_its_day_in_warsaw():
    assert formats.date(dt.datetime(2026, 12, 31, 23, 30), "pl") == "01-01-2027"  # 00:30 in Warsaw


@pytest.mark.parametrize(
    "utc, pl, en",
    [
        # 2026-03-29 01:00 UTC the clocks go from 02:00 to 03:00 (CET -> CEST).
        (dt.datetime(2026, 3, 29, 0, 59), "01:59", "1:59 AM"),
        (dt.datetime(2026, 3, 29, 1, 0), "03:00", "3:00 AM"),
        # 2026-10-25 01:00 UTC they go from 03:00 back to 02:00 (CEST -> CET): 02:30 twice.
        (dt.datetime(2026, 10, 25, 0, 30), "02:30", "2:30 AM"),
        (dt.datetime(2026, 10, 25, 1, 30), "02:30", "2:30 AM"),
        (dt.datetime(2026, 7, 1, 15, 15), "17:15", "5:15 PM"),
        (dt.datetime(2026, 12, 2, 4, 15), "05:15", "5:15 AM"),
        (dt.datetime(2026, 12, 2, 11, 0), "12:00", "12:00 PM"),
        (dt.datetime(2026, 12, 1, 23, 0), "00:00", "12:00 AM"),
    ],
)
def test_a_time_is_warsaw_time_across_the_summer_time_changes(utc, pl, en):
    assert formats.time(utc, "pl") == pl
    assert formats.time(utc, "en") == en.replace(" ", NNBSP)


def test_a_time_with_seconds():
    moment = dt.datetime(2026, 11, 23, 12, 0, 7)
    assert formats.time_seconds(moment, "pl") == "13:00:07"
    assert formats.time_seconds(moment, "en") == f"1:00:07{NNBSP}PM"


@pytest.mark.parametrize(
    "utc, pl, en",
    [
        (dt.datetime(2026, 1, 5, 23, 15), "06-01-2026 00:15", "Jan 6, 2026, 12:15 AM"),  # the next day
        (dt.datetime(2026, 3, 29, 0, 30), "29-03-2026 01:30", "Mar 29, 2026, 1:30 AM"),  # CET
        (dt.datetime(2026, 3, 29, 1, 30), "29-03-2026 03:30", "Mar 29, 2026, 3:30 AM"),  # CEST
        (dt.datetime(2026, 10, 24, 22, 30), "25-10-2026 00:30", "Oct 25, 2026, 12:30 AM"),
        (dt.datetime(2026, 12, 2, 16, 15), "02-12-2026 17:15", "Dec 2, 2026, 5:15 PM"),
    ],
)
def test_a_date_and_time(utc, pl, en):
    assert formats.datetime(utc, "pl") == pl
    assert formats.datetime(utc, "en") == en.replace(" AM", f"{NNBSP}AM").replace(" PM", f"{NNBSP}PM")


# -- amounts, money, quantities -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, pl, en",
    [
        ("0", "0,00", "0.00"),
        ("0.004", "0,00", "0.00"),
        ("-0.004", "0,00", "0.00"),  # rounds to zero: no sign
        ("-0.005", "-0,01", "-0.01"),  # halves away from zero
        ("0.005", "0,01", "0.01"),
        ("0.345", "0,35", "0.35"),  # halves up, not to even
        ("12", "12,00", "12.00"),
        ("999.999", "1 000,00", "1,000.00"),
        ("1230", "1 230,00", "1,230.00"),
        ("-1234.5", "-1 234,50", "-1,234.50"),
        ("1234567.5", "1 234 567,50", "1,234,567.50"),
        ("999999999999.99", "999 999 999 999,99", "999,999,999,999.99"),
    ],
)
def test_an_amount(value, pl, en):
    assert formats.amount(D(value), "pl") == pl.replace(" ", NBSP)
    assert formats.amount(D(value), "en") == en
    assert formats.plain_amount(D(value), "pl") == pl.replace(" ", "")
    assert formats.plain_amount(D(value), "en") == en.replace(",", "")


@pytest.mark.parametrize(
    "value, pl, en",
    [
        ("1230", "1 230,00 zł", "PLN 1,230.00"),
        ("0", "0,00 zł", "PLN 0.00"),
        ("-0.001", "0,00 zł", "PLN 0.00"),
        ("-5", "-5,00 zł", "-PLN 5.00"),
        ("999999999999.99", "999 999 999 999,99 zł", "PLN 999,999,999,999.99"),
    ],
)
def test_money_has_its_currency_kept_on_the_same_line(value, pl, en):
    assert formats.money(D(value), "pl") == pl.replace(" ", NBSP)
    assert formats.money(D(value), "en") == en.replace(" ", NBSP)


@pytest.mark.parametrize(
    "value, pl, en",
    [
        ("2.000", "2", "2"),
        ("1.250", "1,25", "1.25"),
        ("0.001", "0,001", "0.001"),
        ("0.0004", "0", "0"),
        ("1234.5", "1 234,5", "1,234.5"),
        ("99999.999", "99 999,999", "99,999.999"),
    ],
)
def test_a_quantity_has_no_trailing_zeros(value, pl, en):
    assert formats.quantity(D(value), "pl") == pl.replace(" ", NBSP)
    assert formats.quantity(D(value), "en") == en
    assert formats.plain_quantity(D(value), "pl") == pl.replace(" ", "")
    assert formats.plain_quantity(D(value), "en") == en.replace(",", "")


def test_ints_and_strings_are_amounts_too():
    assert formats.amount(1230, "pl") == f"1{NBSP}230,00"
    assert formats.quantity("3", "en") == "3"


def test_the_default_is_the_current_language_and_an_unknown_one_is_polish():
    moment = dt.datetime(2026, 12, 2, 4, 15)
    assert formats.money(D("1230")) == f"1{NBSP}230,00{NBSP}zł"
    with use_language("en"):
        assert formats.money(D("1230")) == f"PLN{NBSP}1,230.00"
        assert formats.date(moment.date()) == "Dec 2, 2026"
        assert formats.time(moment) == f"5:15{NNBSP}AM"
        assert formats.amount(D("1230"), "pl") == f"1{NBSP}230,00"  # an explicit language wins
    assert formats.date(moment.date(), "de") == "02-12-2026"


# -- reading what each language types -------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, pl, en",
    [
        ("1 230,50", "1230.50", "1230.50"),
        ("1230,50", "1230.50", "1230.50"),
        ("1230.50", "1230.50", "1230.50"),
        (f"1{NBSP}230,50", "1230.50", "1230.50"),
        ("1,230.50", None, "1230.50"),  # English groups with commas
        ("1,234,567.5", None, "1234567.50"),
        ("12,000", "12.00", "12000.00"),  # twelve in Polish, twelve thousand in English
        ("12,5", "12.50", "12.50"),  # not a group of three: a decimal comma in both
        ("1,2345", None, None),
        ("1,23,456.00", None, None),  # groups must be threes
        ("1,230,50", None, None),
        ("0", "0.00", "0.00"),
    ],
)
def test_a_price_is_read_as_its_language_types_it(raw, pl, en):
    for lang, expected in (("pl", pl), ("en", en)):
        if expected is None:
            with pytest.raises(DomainError) as error:
                money.parse_price(raw, lang=lang)
            assert error.value.key in ("number.invalid", "number.too_precise"), (lang, raw)
        else:
            assert money.parse_price(raw, lang=lang) == D(expected), (lang, raw)


def test_a_quantity_in_english_and_the_language_of_the_event():
    assert money.parse_quantity("1,000.5", lang="en") == D("1000.500")
    with use_language("en"):
        assert money.parse_quantity("1,000") == D("1000.000")
    assert money.parse_quantity("1,000") == D("1.000")


def test_the_maximum_in_a_refusal_is_written_in_the_language_of_the_form():
    with pytest.raises(DomainError) as error:
        money.parse_price("100000000", lang="pl")
    assert error.value.params["maximum"] == f"99{NBSP}999{NBSP}999,99"
    with pytest.raises(DomainError) as error:
        money.parse_price("100,000,000", lang="en")
    assert error.value.params["maximum"] == "99,999,999.99"


def test_a_consents_last_change_is_said_in_the_language_of_each_event():
    """The consents region's sentences are kept for the moments they show (state/account.py),
    per language: the same moment reads in whichever language the event is in."""
    from fakturowo_ui.state.account import _changed_text

    moment = dt.datetime(2026, 12, 2, 4, 15)  # 05:15 in Warsaw
    for _ in range(2):
        with use_language("pl"):
            assert _changed_text(moment) == "Ostatnia zmiana: 02-12-2026 05:15"
            assert _changed_text(None) == "Jeszcze nie zmieniano."
        with use_language("en"):
            assert _changed_text(moment) == "Last changed: Dec 2, 2026, 5:15\u202fAM"
            assert _changed_text(None) == "Not changed yet."
