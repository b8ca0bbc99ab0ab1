"""Properties of an invoice's totals (services/documents.py) over generated lines, checked against
the method of Polish invoices computed here in whole grosze with integers: each line's net value is
quantity x price rounded to grosze, halves up; each rate's VAT is taken once from that rate's net
sum, rounded the same way; gross is net + VAT; the invoice's totals are the rates' sums."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from fakturowo_ui.models import DocumentItem
from fakturowo_ui.services import documents, products
from fakturowo_ui.services.documents import Line
from tests.unit.properties import FAST

PERCENT = {"23": 23, "8": 8, "5": 5, "0": 0, "zw": 0}
assert set(PERCENT) == set(products.VAT_RATES)


def half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to a whole number, halves up (both not negative)."""
    return (2 * numerator + denominator) // (2 * denominator)


@st.composite
def a_line(draw) -> tuple[Line, int, int]:
    """A line with its quantity in thousandths and its price in grosze."""
    thousandths = draw(st.integers(1, 99_999_999))
    grosze = draw(st.one_of(st.integers(0, 10_000), st.integers(0, 9_999_999_999)))
    rate = draw(st.sampled_from(products.VAT_RATES))
    line = Line("Pozycja", Decimal(thousandths).scaleb(-3), "szt.", Decimal(grosze).scaleb(-2), rate)
    return line, thousandths, grosze


lines_of_an_invoice = st.lists(a_line(), min_size=1, max_size=documents.MAX_ITEMS // 4)


def grosze(amount: Decimal) -> int:
    assert amount.as_tuple().exponent == -2, f"{amount!r} is not in grosze"
    return int(amount.scaleb(2))


@FAST
@given(lines_of_an_invoice)
def test_totals_follow_the_polish_method_to_the_grosz(generated):
    lines = [line for line, _q, _p in generated]
    totals = documents.compute_totals(lines)

    net_by_rate: dict[str, int] = {}
    for line, thousandths, price in generated:
        net = half_up(thousandths * price, 1000)  # grosze x thousandths -> grosze
        assert grosze(line.net_value) == net
        net_by_rate[line.vat_rate] = net_by_rate.get(line.vat_rate, 0) + net

    assert [r.vat_rate for r in totals.by_rate] == [r for r in products.VAT_RATES if r in net_by_rate]
    for rate_total in totals.by_rate:
        net = net_by_rate[rate_total.vat_rate]
        vat = half_up(net * PERCENT[rate_total.vat_rate], 100)
        assert (grosze(rate_total.net), grosze(rate_total.vat), grosze(rate_total.gross)) == (
            net,
            vat,
            net + vat,
        )

    assert grosze(totals.net) == sum(net_by_rate.values()) == sum(grosze(line.net_value) for line in lines)
    assert grosze(totals.vat) == sum(grosze(r.vat) for r in totals.by_rate)
    assert grosze(totals.gross) == grosze(totals.net) + grosze(totals.vat)
    assert totals.gross == sum((r.gross for r in totals.by_rate), Decimal(0))


@FAST
@given(lines_of_an_invoice)
def test_vat_on_each_rates_sum_is_within_half_a_grosz_of_the_exact_tax(generated):
    """Taken once per rate, the rounding error is at most half a grosz per rate, however many
    lines (per-line rounding could be off by half a grosz per line)."""
    lines = [line for line, _q, _p in generated]
    totals = documents.compute_totals(lines)
    exact = sum(line.net_value * documents.rate_percent(line.vat_rate) for line in lines)
    assert abs(totals.vat - exact) <= Decimal("0.005") * len(totals.by_rate)
    for rate_total in totals.by_rate:
        if rate_total.vat_rate in ("0", "zw"):
            assert rate_total.vat == 0 and rate_total.gross == rate_total.net


@FAST
@given(st.data(), lines_of_an_invoice)
def test_totals_do_not_depend_on_the_order_of_the_lines(data, generated):
    lines = [line for line, _q, _p in generated]
    shuffled = data.draw(st.permutations(lines))
    assert documents.compute_totals(shuffled) == documents.compute_totals(lines)


@FAST
@given(lines_of_an_invoice, st.sampled_from(products.VAT_RATES))
def test_a_line_of_another_rate_changes_only_that_rates_totals(generated, rate):
    lines = [line for line, _q, _p in generated]
    before = {r.vat_rate: r for r in documents.compute_totals(lines).by_rate}
    added = Line("Dodatkowa", Decimal("1.000"), "szt.", Decimal("100.00"), rate)
    after = {r.vat_rate: r for r in documents.compute_totals([*lines, added]).by_rate}
    assert {k: v for k, v in after.items() if k != rate} == {k: v for k, v in before.items() if k != rate}
    assert after[rate].net == (before[rate].net if rate in before else 0) + Decimal("100.00")


@FAST
@given(st.lists(a_line(), min_size=1, max_size=12), st.randoms(use_true_random=False))
def test_stored_items_come_back_as_lines_in_the_order_of_their_positions(generated, random):
    items = [
        DocumentItem(
            document_id=1,
            position=n,
            name=f"Pozycja {n}",
            quantity=line.quantity,
            unit=line.unit,
            net_price=line.net_price,
            vat_rate=line.vat_rate,
        )
        for n, (line, _q, _p) in enumerate(generated, start=1)
    ]
    random.shuffle(items)
    lines = documents.lines_of(items)
    assert [line.name for line in lines] == [f"Pozycja {n}" for n in range(1, len(generated) + 1)]
    assert [(line.quantity, line.net_price, line.vat_rate) for line in lines] == [
        (line.quantity, line.net_price, line.vat_rate) for line, _q, _p in generated
    ]
