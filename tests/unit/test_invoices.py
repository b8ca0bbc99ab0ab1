"""Invoices without a browser: money parsing, NIP checksums, totals and rounding against invoices
computed by hand, numbering per month, and the free plan's limit with a moved clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from fakturowo_ui.db import session_scope
from fakturowo_ui.models import Document, Subscription
from fakturowo_ui.services import clients, documents, money, nip, products, seller, subscriptions
from fakturowo_ui.services.documents import ItemForm, Line
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.services.sessions import CurrentUser
from tests.unit.factories import make_user

D = Decimal


# -- money and quantities -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("12,50", D("12.50")),
        ("12.5", D("12.50")),
        ("1 234,56", D("1234.56")),
        ("1\u00a0234", D("1234.00")),
        ("0", D("0.00")),
        (" 7 ", D("7.00")),
        ("99999999,99", D("99999999.99")),
        (",5", D("0.50")),
        # Thousands grouped with dots, as Polish writes them (issue 13); one group without a
        # decimal comma stays a decimal point.
        ("1.230,50", D("1230.50")),
        ("12.000.000", D("12000000.00")),
        ("1\u202f230,50", D("1230.50")),
        ("1.230", D("1.23")),
    ],
)
def test_prices_people_type(raw, expected):
    assert money.parse_price(raw) == expected


@pytest.mark.parametrize(
    "raw, key",
    [
        ("-1", "number.negative"),
        ("-0,01", "number.negative"),
        ("NaN", "number.invalid"),
        ("nan", "number.invalid"),
        ("Infinity", "number.invalid"),
        ("inf", "number.invalid"),
        ("1e3", "number.invalid"),
        ("12,5,0", "number.invalid"),
        ("abc", "number.invalid"),
        ("", "number.empty"),
        ("1.123456789012", "number.too_precise"),
        ("0,001", "number.too_precise"),
        ("100000000000000000000", "number.too_large"),
        ("100000000", "number.too_large"),
        (None, "number.invalid"),
        (["1"], "number.invalid"),
    ],
)
def test_nonsense_prices_are_refused_with_a_clear_message(raw, key):
    with pytest.raises(DomainError) as error:
        money.parse_price(raw)
    assert error.value.key == key
    assert error.value.message().startswith("Cena netto:")


@pytest.mark.parametrize(
    "raw, key",
    [
        ("0", "number.zero"),
        ("-2", "number.negative"),
        ("NaN", "number.invalid"),
        ("1,0001", "number.too_precise"),
        ("1.123456789012", "number.too_precise"),
        ("1e20", "number.invalid"),
        ("100000000000000000000", "number.too_large"),
    ],
)
def test_nonsense_quantities_are_refused(raw, key):
    with pytest.raises(DomainError) as error:
        money.parse_quantity(raw)
    assert error.value.key == key
    assert "Ilość" in error.value.message()


def test_quantities_keep_three_places():
    assert money.parse_quantity("1,5") == D("1.500")
    assert money.parse_quantity("0,001") == D("0.001")


def test_rounding_to_grosze_takes_halves_up():
    assert money.round_grosze(D("0.005")) == D("0.01")
    assert money.round_grosze(D("0.345")) == D("0.35")  # bankers' rounding would give 0.34
    assert money.round_grosze(D("2.0664")) == D("2.07")
    assert money.round_grosze(D("0.0049")) == D("0.00")


# -- NIP ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["5260250274", "526-025-02-74", "PL 526 025 02 74", "pl5260250274", "7740001454"]
)
def test_valid_nips(raw):
    assert nip.clean(raw) in ("5260250274", "7740001454")


@pytest.mark.parametrize(
    "raw, key",
    [
        ("5260250275", "nip.checksum"),
        ("1234567890", "nip.checksum"),
        ("526025027", "nip.format"),
        ("52602502745", "nip.format"),
        ("52602502a4", "nip.format"),
    ],
)
def test_invalid_nips(raw, key):
    with pytest.raises(DomainError) as error:
        nip.clean(raw)
    assert error.value.key == key


def test_a_checksum_of_ten_is_never_valid():
    # 1234567890: weighted sum 1*6+2*5+3*7+4*2+5*3+6*4+7*5+8*6+9*7 = 230, 230 % 11 = 10
    assert not nip.is_valid("1234567890")
    assert not nip.is_valid("1234567891")


def test_nip_is_optional_for_a_client_but_required_for_the_seller():
    assert nip.clean("  ") == ""
    with pytest.raises(DomainError):
        nip.clean("", required=True)
    assert nip.format_nip("5260250274") == "526-025-02-74"


# -- totals against invoices computed by hand -----------------------------------------------------


def line(quantity: str, price: str, rate: str) -> Line:
    return Line("x", D(quantity), "szt.", D(price), rate)


def test_one_rate_invoice():
    # 3 x 19,99 = 59,97; 1 x 0,01 = 0,01; net 59,98; VAT 23% of 59,98 = 13,7954 -> 13,80; gross 73,78
    totals = documents.compute_totals([line("3", "19.99", "23"), line("1", "0.01", "23")])
    assert (totals.net, totals.vat, totals.gross) == (D("59.98"), D("13.80"), D("73.78"))
    assert [(r.vat_rate, r.net, r.vat, r.gross) for r in totals.by_rate] == [
        ("23", D("59.98"), D("13.80"), D("73.78"))
    ]


def test_mixed_rates_invoice():
    # 8%: 2,5 x 10,33 = 25,825 -> 25,83; VAT 2,0664 -> 2,07; gross 27,90
    # 5%: 1 x 0,05 = 0,05; VAT 0,0025 -> 0,00; gross 0,05
    # zw: 1 x 100,00; VAT 0; gross 100,00
    # 23% (listed first): 1 x 1,50; VAT 0,345 -> 0,35; gross 1,85
    totals = documents.compute_totals(
        [
            line("2.5", "10.33", "8"),
            line("1", "100", "zw"),
            line("1", "0.05", "5"),
            line("1", "1.50", "23"),
        ]
    )
    assert [(r.vat_rate, r.net, r.vat, r.gross) for r in totals.by_rate] == [
        ("23", D("1.50"), D("0.35"), D("1.85")),
        ("8", D("25.83"), D("2.07"), D("27.90")),
        ("5", D("0.05"), D("0.00"), D("0.05")),
        ("zw", D("100.00"), D("0.00"), D("100.00")),
    ]
    assert (totals.net, totals.vat, totals.gross) == (D("127.38"), D("2.42"), D("129.80"))


def test_vat_is_computed_from_each_rates_sum_not_per_line():
    # Three lines of 0,07 at 23%: per line 0,0161 -> 0,02 would make 0,06; from the sum 0,21 -> 0,0483 -> 0,05.
    totals = documents.compute_totals([line("1", "0.07", "23")] * 3)
    assert (totals.net, totals.vat, totals.gross) == (D("0.21"), D("0.05"), D("0.26"))


def test_line_values_round_halves_up_and_zero_rate_prints_apart_from_exempt():
    assert line("1.005", "1.00", "23").net_value == D("1.01")
    assert line("0.333", "10.00", "0").net_value == D("3.33")
    totals = documents.compute_totals([line("1", "10", "0"), line("1", "10", "zw")])
    assert [r.vat_rate for r in totals.by_rate] == ["0", "zw"]
    assert documents.rate_label("zw") == "zw" and documents.rate_label("8") == "8%"


def test_a_bad_line_is_named_in_the_message():
    form = documents.DocumentForm(
        1,
        "2026-11-23",
        "2026-11-23",
        [ItemForm("ok", "1", "szt.", "10", "23"), ItemForm("zła", "1", "szt.", "NaN", "23")],
    )
    with pytest.raises(DomainError) as error:
        documents.check_form(form)
    assert error.value.message() == "Pozycja 2: Cena netto: podaj liczbę, np. 12,50."
    with pytest.raises(DomainError) as error:
        documents.check_form(documents.DocumentForm(1, "2026-11-23", "2026-11-23", []))
    assert error.value.key == "document.no_items"
    with pytest.raises(DomainError) as error:
        documents.check_form(
            documents.DocumentForm(1, "2026-13-01", "2026-11-23", [ItemForm("a", "1", "", "1", "23")])
        )
    assert error.value.key == "date.invalid"
    with pytest.raises(DomainError) as error:
        documents.check_form(
            documents.DocumentForm(1, "2026-11-01", "2026-11-23", [ItemForm("a", "1", "", "1", "17")])
        )
    assert "Stawka VAT" in error.value.message()


def test_numbers_and_file_names():
    assert documents.format_number(1, dt.date(2026, 11, 23)) == "FV 1/11/2026"
    assert documents.file_name("FV 12/1/2027") == "FV_12_1_2027.pdf"


# -- with a database: numbering and the plan's limit under a moved clock --------------------------


def _setup(email: str = "faktury@example.com") -> tuple[int, int]:
    user_id = make_user(email)
    with session_scope() as session:
        seller.save(session, user_id, seller.SellerForm("Firma Sp. z o.o.", "5260250274", "ul. Długa 1", ""))
        client_id = clients.create(session, user_id, clients.ClientForm("Klient Ąę")).id
    return user_id, client_id


def _issue(user_id: int, client_id: int, day: str = "2026-11-23") -> Document:
    return documents.issue(
        user_id, documents.DocumentForm(client_id, day, day, [ItemForm("Usługa", "1", "szt.", "100", "23")])
    )


def _end_trial(user_id: int, last_day: dt.date) -> None:
    with session_scope() as session:
        session.execute(
            sa.update(Subscription).where(Subscription.user_id == user_id).values(trial_ends_on=last_day)
        )


def test_numbers_run_per_month_of_issue(app_env, frozen_clock):
    user_id, client_id = _setup()
    assert [_issue(user_id, client_id).number for _ in range(3)] == [
        "FV 1/11/2026",
        "FV 2/11/2026",
        "FV 3/11/2026",
    ]
    assert _issue(user_id, client_id, "2026-12-01").number == "FV 1/12/2026"
    assert _issue(user_id, client_id, "2026-11-30").number == "FV 4/11/2026"
    # A deleted number in the middle is not reused: the next is one more than the highest.
    with session_scope() as session:
        second = session.scalars(sa.select(Document).where(Document.number == "FV 2/11/2026")).one()
        documents.delete(session, user_id, second.id)
    assert _issue(user_id, client_id).number == "FV 5/11/2026"
    # Another user's numbering is their own.
    other, other_client = _setup("inny@example.com")
    assert _issue(other, other_client).number == "FV 1/11/2026"


def test_the_trial_has_no_limit_until_its_last_warsaw_day_ends(app_env, frozen_clock, monkeypatch):
    user_id, client_id = _setup()
    _end_trial(user_id, dt.date(2026, 11, 30))
    frozen_clock.moment = dt.datetime(2026, 11, 30, 22, 59)  # 23:59 in Warsaw (CET), still the 30th
    for _ in range(7):
        _issue(user_id, client_id)
    with session_scope() as session:
        assert subscriptions.plan_status(session, user_id).kind == subscriptions.TRIAL
    frozen_clock.advance(minutes=1)  # 00:00 on 1 December in Warsaw: the free plan, a fresh month
    with session_scope() as session:
        plan = subscriptions.plan_status(session, user_id)
    assert (plan.kind, plan.documents_left) == (subscriptions.FREE, 5)


def test_the_sixth_document_of_a_warsaw_month_is_refused_until_the_next_month(app_env, frozen_clock):
    user_id, client_id = _setup()
    _end_trial(user_id, dt.date(2026, 10, 1))
    frozen_clock.moment = dt.datetime(2026, 11, 30, 22, 30)  # 23:30 on 30 November in Warsaw
    for _ in range(5):
        _issue(user_id, client_id, "2026-11-30")
    with pytest.raises(DomainError) as error:
        _issue(user_id, client_id, "2026-11-30")
    assert error.value.key == "document.limit"
    message = error.value.message()
    assert "5 dokumentów" in message and "od 01-12-2026" in message
    with session_scope() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Document)) == 5
    frozen_clock.advance(minutes=30)  # 23:00 UTC = midnight in Warsaw: December
    assert _issue(user_id, client_id, "2026-12-01").number == "FV 1/12/2026"


def test_deleting_a_document_gives_no_slot_back(app_env, frozen_clock):
    user_id, client_id = _setup()
    _end_trial(user_id, dt.date(2026, 10, 1))
    issued = [_issue(user_id, client_id) for _ in range(5)]
    with session_scope() as session:
        documents.delete(session, user_id, issued[-1].id)
        plan = subscriptions.plan_status(session, user_id)
    assert plan.documents_left == 0
    with pytest.raises(DomainError) as error:
        _issue(user_id, client_id)
    assert error.value.key == "document.limit"
    with session_scope() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Document)) == 4


def test_a_paid_period_lifts_the_limit(app_env, frozen_clock):
    user_id, client_id = _setup()
    _end_trial(user_id, dt.date(2026, 10, 1))
    with session_scope() as session:
        session.execute(
            sa.update(Subscription)
            .where(Subscription.user_id == user_id)
            .values(paid_until=dt.date(2026, 12, 31))
        )
    for _ in range(6):
        _issue(user_id, client_id)


def test_without_seller_details_no_invoice_is_issued(app_env, frozen_clock):
    user_id = make_user("bez-sprzedawcy@example.com")
    with session_scope() as session:
        client_id = clients.create(session, user_id, clients.ClientForm("Klient")).id
    with pytest.raises(DomainError) as error:
        _issue(user_id, client_id)
    assert error.value.key == "document.no_seller"


def test_product_rates_and_units():
    assert products.clean_vat_rate("23%") == "23"
    assert products.clean_vat_rate("ZW") == "zw"
    with pytest.raises(DomainError):
        products.clean_vat_rate("22")
    assert products.clean_unit("") == "szt."


# -- what an accountant looks for (issue 13): place, payment method, due date, amount in words ----


@pytest.mark.parametrize(
    "amount, words",
    [
        ("1230.50", "tysiąc dwieście trzydzieści złotych, pięćdziesiąt groszy"),
        ("1", "jeden złoty, zero groszy"),
        ("22", "dwadzieścia dwa złote, zero groszy"),
        ("0.99", "zero złotych, dziewięćdziesiąt dziewięć groszy"),
        ("21.01", "dwadzieścia jeden złotych, jeden grosz"),
        ("1000000", "milion złotych, zero groszy"),
        ("369.005", "trzysta sześćdziesiąt dziewięć złotych, jeden grosz"),
    ],
)
def test_the_amount_in_words_uses_polish_plural_forms(amount, words):
    assert documents.amount_in_words(D(amount)) == words


def _form(**payment) -> documents.DocumentForm:
    return documents.DocumentForm(
        1, "2026-11-23", "2026-11-23", [ItemForm("Usługa", "1", "szt.", "100", "23")], **payment
    )


def test_payment_fields_are_checked():
    issue_date = dt.date(2026, 11, 23)
    checked = documents.check_payment(
        _form(place_of_issue="  Łódź ", payment_method="card", due_date="07.12.2026"), issue_date
    )
    assert checked == documents.Payment("Łódź", "card", dt.date(2026, 12, 7))
    # No due date is allowed (the form suggests one); the same day as the issue is too.
    assert documents.check_payment(_form(), issue_date) == documents.Payment("", "transfer", None)
    assert documents.check_payment(_form(due_date="2026-11-23"), issue_date).due_date == issue_date
    assert documents.default_due_date(issue_date) == dt.date(2026, 12, 7)
    markup = "<script>alert(1)</script>"
    assert documents.check_payment(_form(place_of_issue=markup), issue_date).place_of_issue == markup


@pytest.mark.parametrize(
    "payment, key",
    [
        ({"payment_method": "bitcoin"}, "document.payment_method"),
        ({"payment_method": ""}, "document.payment_method"),
        ({"payment_method": ["transfer"]}, "document.payment_method"),
        ({"due_date": "2026-11-22"}, "document.due_before_issue"),
        ({"due_date": "jutro"}, "date.invalid"),
        ({"due_date": "2026-02-30"}, "date.invalid"),
        ({"place_of_issue": "x" * 101}, "text.too_long"),
    ],
)
def test_bad_payment_fields_are_refused_before_anything_is_stored(app_env, frozen_clock, payment, key):
    user_id, client_id = _setup()
    form = documents.DocumentForm(
        client_id, "2026-11-23", "2026-11-23", [ItemForm("Usługa", "1", "szt.", "100", "23")], **payment
    )
    with pytest.raises(DomainError) as refused:
        documents.issue(user_id, form)
    assert refused.value.key == key
    with session_scope() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_an_issued_invoice_keeps_its_place_method_and_due_date_and_the_next_form_suggests_them(
    app_env, frozen_clock
):
    user_id, client_id = _setup()
    form = documents.DocumentForm(
        client_id,
        "2026-11-23",
        "2026-11-23",
        [ItemForm("Usługa", "1", "szt.", "100", "23")],
        place_of_issue="Gdańsk",
        payment_method="cash",
        due_date="2026-11-30",
    )
    issued = documents.issue(user_id, form)
    with session_scope() as session:
        stored = documents.get(session, user_id, issued.id)
        assert (stored.place_of_issue, stored.payment_method, stored.due_date) == (
            "Gdańsk",
            "cash",
            dt.date(2026, 11, 30),
        )
        me = CurrentUser(
            user_id=user_id, email="faktury@example.com", session_id=0, must_change_password=False
        )
        choices = documents.issue_choices_for(session, me)
    assert (choices.last_place, choices.last_method) == ("Gdańsk", "cash")
