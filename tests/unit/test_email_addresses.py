"""Addresses (issue 13): checked by email-validator without DNS, internationalised domains
accepted in their ASCII form, what RFC 5321/5322 forbids refused."""

from __future__ import annotations

import pytest

from fakturowo_ui.services.accounts import blocked_email_digest, email_problem, normalise_email


@pytest.mark.parametrize(
    "typed, stored",
    [
        (" Jan@Żółw.PL ", "jan@xn--w-uga1v8h.pl"),
        ("jan@xn--w-uga1v8h.pl", "jan@xn--w-uga1v8h.pl"),
        ("biuro@kraków.pl", "biuro@xn--krakw-3ta.pl"),
        ("Anna.Nowak+faktury@Example.COM", "anna.nowak+faktury@example.com"),
    ],
)
def test_an_internationalised_domain_is_accepted_in_its_ascii_form(typed, stored):
    assert normalise_email(typed) == stored
    assert email_problem(normalise_email(typed)) is None


def test_the_same_address_typed_either_way_is_one_address():
    assert blocked_email_digest("jan@żółw.pl") == blocked_email_digest("JAN@xn--w-uga1v8h.pl")


@pytest.mark.parametrize(
    "typed",
    [
        "a@b",
        "jan..nowak@example.com",
        ".jan@example.com",
        "jan@-zly.pl",
        "jan@exa_mple.com",
        "ąę@example.pl",
        "jan@",
        "@example.com",
        "jan@@example.com",
        "<script>@example.com",
        "x" * 65 + "@example.com",
        "jan@" + "a" * 250 + ".pl",
        "jan@xn--.pl",
    ],
)
def test_what_is_not_an_address_is_refused(typed):
    assert email_problem(normalise_email(typed)) == "error.email_invalid"


def test_no_address_is_its_own_message():
    assert email_problem(normalise_email("   ")) == "error.email_empty"
    assert normalise_email(None) == ""  # type: ignore[arg-type]
