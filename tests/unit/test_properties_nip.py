"""Properties of the NIP check (services/nip.py) over generated numbers: of the ten ways to end
nine digits at most one is a NIP; a NIP stops being one when any digit changes or two neighbours
of its first nine swap (the weights 6 5 7 2 3 4 5 6 7 modulo the prime 11 catch both); and it reads
back from the ways it is printed and typed."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from fakturowo_ui.services import nip
from fakturowo_ui.services.errors import DomainError
from tests.unit.properties import FAST

# The weights of the Polish regulation (the Minister of Finance's, on the NIP), written out here
# from the regulation rather than taken from the module under test.
WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)

prefixes = st.text(alphabet="0123456789", min_size=9, max_size=9)


def completions(prefix: str) -> list[str]:
    """The NIPs among the prefix followed by each digit."""
    return [prefix + d for d in "0123456789" if nip.is_valid(prefix + d)]


@st.composite
def valid_nips(draw) -> str:
    prefix = draw(prefixes)
    found = completions(prefix)
    assume(found)  # 1 prefix in 11 has no check digit (the sum is 10 modulo 11)
    return found[0]


@FAST
@given(prefixes)
def test_nine_digits_end_in_at_most_one_nip_the_regulations_check_digit(prefix):
    check = sum(int(d) * w for d, w in zip(prefix, WEIGHTS, strict=True)) % 11
    assert completions(prefix) == ([] if check == 10 else [prefix + str(check)])


@FAST
@given(valid_nips(), st.integers(0, 9), st.integers(1, 9))
def test_changing_any_one_digit_of_a_nip_is_refused(number, position, delta):
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    assert not nip.is_valid(changed)
    with pytest.raises(DomainError) as error:
        nip.clean(changed)
    assert error.value.key == "nip.checksum"


@FAST
@given(valid_nips(), st.integers(0, 7))
def test_swapping_two_neighbouring_digits_of_the_first_nine_is_refused(number, position):
    a, b = number[position], number[position + 1]
    assume(a != b)
    swapped = number[:position] + b + a + number[position + 2 :]
    assert not nip.is_valid(swapped)


@FAST
@given(valid_nips())
def test_a_printed_nip_has_dashes_and_reads_back(number):
    printed = nip.format_nip(number)
    assert re.fullmatch(r"\d{3}-\d{3}-\d{2}-\d{2}", printed)
    assert printed.replace("-", "") == number
    assert nip.normalise(printed) == number
    assert nip.clean(printed, required=True) == number


@FAST
@given(
    st.data(),
    valid_nips(),
    st.sampled_from(["", "PL", "pl", "Pl", "PL ", "PL-"]),
    st.lists(st.sampled_from([" ", "-", "\u00a0", "\t", "  "]), max_size=10),
)
def test_a_nip_typed_with_separators_and_a_pl_prefix_is_read_as_the_digits(data, number, prefix, separators):
    typed = number
    for separator in separators:
        at = data.draw(st.integers(0, len(typed)))
        typed = typed[:at] + separator + typed[at:]
    assert nip.clean(prefix + typed) == number


@FAST
@given(
    st.data(),
    valid_nips(),
    st.sampled_from(list("aOoIl.,/_+#") + ["PL", "DE", "٣"]),
)
def test_anything_but_digits_and_separators_inside_is_refused_as_a_format_error(data, number, junk):
    at = data.draw(st.integers(1, 10), label="at")  # "PL" at the very start is the EU prefix
    with pytest.raises(DomainError) as error:
        nip.clean(number[:at] + junk + number[at:])
    assert error.value.key == "nip.format"


@FAST
@given(st.text(alphabet="0123456789", max_size=15).filter(lambda s: len(s) != 10))
def test_any_other_number_of_digits_is_refused_as_a_format_error_and_printed_as_typed(digits):
    if digits:
        with pytest.raises(DomainError) as error:
            nip.clean(digits)
        assert error.value.key == "nip.format"
    else:
        assert nip.clean(digits) == ""
    assert nip.format_nip(digits) == digits


def test_digits_of_other_scripts_are_stored_as_ascii() -> None:
    from fakturowo_ui.services import nip as nip_service

    assert nip_service.clean("５２６０２５０２７４") == "5260250274"
    assert nip_service.clean("٥٢٦٠٢٥٠٢٧٤") == "5260250274"
