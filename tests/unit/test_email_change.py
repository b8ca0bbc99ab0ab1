"""The address change's pure parts: the masked address the old mailbox is shown, the checks."""

from fakturowo_ui.services import email_change


def test_mask_keeps_first_letters_and_top_level_domain():
    assert email_change.mask_email("jan.kowalski@example.pl") == "j***@e***.pl"
    assert email_change.mask_email("a@b.co.uk") == "a***@b***.uk"


def test_mask_never_shows_the_whole_address():
    for address in ("jan@example.pl", "ż@ółw.pl", "x@localhost", "", "@", "no-at-sign"):
        masked = email_change.mask_email(address)
        assert "***" in masked
        assert address == "" or masked != address


def test_same_address_refused_whatever_its_case():
    errors = email_change.address_errors("jan@example.pl", "Jan@Example.PL")
    assert errors == {"new_email": "email_change.same_address"}


def test_malformed_addresses_refused():
    for bad in ("", "no-at-sign", "<b>@x.pl", "a" * 400 + "@x.pl"):
        assert "new_email" in email_change.address_errors(bad, "jan@example.pl")


def test_a_good_new_address_passes():
    assert email_change.address_errors("nowy@example.pl", "jan@example.pl") == {}
