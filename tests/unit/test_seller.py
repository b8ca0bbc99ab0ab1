"""services/seller.py: the seller's details are one row per user, every field checked before
anything is stored, the bank account printed in the groups Polish banks use."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import col

from fakturowo_ui.db import session_scope
from fakturowo_ui.models import SellerProfile
from fakturowo_ui.services import seller
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.services.sessions import CurrentUser
from tests.unit.factories import count_rows, make_user

FORM = seller.SellerForm("Firma Sp. z o.o.", "526-025-02-74", "  ul. Długa 1 \n\n 00-001 Warszawa ", "")


@pytest.mark.parametrize(
    "raw, printed",
    [
        ("61109010140000071219812874", "61 1090 1014 0000 0712 1981 2874"),
        ("61 1090 1014 0000 0712 1981 2874", "61 1090 1014 0000 0712 1981 2874"),
        ("61-1090-1014-0000-0712-1981-2874", "61 1090 1014 0000 0712 1981 2874"),
        ("pl 61 1090\u00a01014 0000 0712 1981 2874", "PL61 1090 1014 0000 0712 1981 2874"),
        ("DE89370400440532013000", "DE89 3704 0044 0532 0130 00"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_bank_accounts_are_printed_in_groups_of_four_after_two_digits(raw, printed):
    assert seller.clean_bank_account(raw) == printed


@pytest.mark.parametrize(
    "raw",
    [
        "123456789",
        "1" * 33,
        "12 1020 1026 0000 0402 0207 012X",
        "P161109010140000071219812874",
        "PLN12102010260000",
    ],
)
def test_what_is_not_an_account_number_is_refused(raw):
    with pytest.raises(DomainError) as error:
        seller.clean_bank_account(raw)
    assert error.value.key == "seller.bank_account"


def _user(user_id: int) -> CurrentUser:
    return CurrentUser(user_id=user_id, email="x@example.com", session_id=0, must_change_password=False)


def test_saving_twice_keeps_one_row_with_the_fields_cleaned(app_env):
    user = make_user("sprzedawca@example.com")
    with session_scope() as session:
        assert seller.profile_for(session, _user(user)) is None
        first = seller.save_for(session, _user(user), FORM)
        assert (first.company_name, first.nip, first.address) == (
            "Firma Sp. z o.o.",
            "5260250274",
            "ul. Długa 1\n00-001 Warszawa",
        )
    with session_scope() as session:
        again = seller.save_for(
            session,
            _user(user),
            seller.SellerForm("Nowa Firma", "7740001454", "Łódź", "61109010140000071219812874"),
        )
        assert again.id == first.id
    assert count_rows(SellerProfile, col(SellerProfile.user_id) == user) == 1
    with session_scope() as session:
        profile = seller.profile_for(session, _user(user))
        assert profile is not None
        assert (profile.company_name, profile.nip, profile.bank_account) == (
            "Nowa Firma",
            "7740001454",
            "61 1090 1014 0000 0712 1981 2874",
        )


@pytest.mark.parametrize(
    "form, key",
    [
        (seller.SellerForm("", "5260250274", "ul. Długa 1", ""), "text.required"),
        (seller.SellerForm("Firma", "", "ul. Długa 1", ""), "nip.empty"),
        (seller.SellerForm("Firma", "5260250275", "ul. Długa 1", ""), "nip.checksum"),
        (seller.SellerForm("Firma", "5260250274", " \n ", ""), "text.required"),
        (seller.SellerForm("Firma", "5260250274", "ul. Długa 1", "123"), "seller.bank_account"),
        # One digit mistyped: the checksum says so (issue 13).
        (
            seller.SellerForm("Firma", "5260250274", "ul. Długa 1", "61109010140000071219812875"),
            "seller.bank_account_checksum",
        ),
        (
            seller.SellerForm("Firma", "5260250274", "ul. Długa 1", "DE89370400440532013001"),
            "seller.bank_account_checksum",
        ),
        (
            seller.SellerForm("Firma", "5260250274", "ul. Długa 1", "1234567890123"),
            "seller.bank_account_checksum",
        ),
        (seller.SellerForm("F" * 201, "5260250274", "ul. Długa 1", ""), "text.too_long"),
    ],
)
def test_a_wrong_field_stores_nothing_and_keeps_what_was_saved(app_env, form, key):
    user = make_user("sprzedawca@example.com")
    with session_scope() as session:
        seller.save(session, user, FORM)
    with pytest.raises(DomainError) as error, session_scope() as session:
        seller.save(session, user, form)
    assert error.value.key == key
    with session_scope() as session:
        rows = session.scalars(sa.select(SellerProfile).where(col(SellerProfile.user_id) == user)).all()
        assert [(r.company_name, r.nip) for r in rows] == [("Firma Sp. z o.o.", "5260250274")]


def test_each_user_sees_only_their_own_details(app_env):
    ania, bartek = make_user("ania@example.com"), make_user("bartek@example.com")
    with session_scope() as session:
        seller.save_for(session, _user(ania), FORM)
        assert seller.profile_for(session, _user(bartek)) is None


def test_an_invoice_needs_the_name_the_nip_and_the_address():
    assert not seller.is_complete(None)
    assert seller.is_complete(SellerProfile(user_id=1, company_name="F", nip="5260250274", address="A"))
    for missing in ("company_name", "nip", "address"):
        values = {"company_name": "F", "nip": "5260250274", "address": "A", missing: ""}
        assert not seller.is_complete(SellerProfile(user_id=1, **values)), missing
