"""The seller's details (company name, NIP, address, bank account) printed on every invoice."""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import Session, col
from stdnum import iban

from fakturowo_ui.i18n import Phrase
from fakturowo_ui.models import SellerProfile
from fakturowo_ui.services import nip as nips
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.services.listing import clean_text

if TYPE_CHECKING:
    from fakturowo_ui.services.sessions import CurrentUser


@dataclasses.dataclass(frozen=True)
class SellerForm:
    """What the /ustawienia form sends. It names no row: the profile is always the caller's own."""

    company_name: str
    nip: str
    address: str
    bank_account: str


def clean_bank_account(raw: str) -> str:
    """A bank account number: a Polish NRB (26 digits) or an IBAN (a country prefix), with a right
    checksum."""
    text = re.sub(r"[\s\-\u00a0]", "", raw or "").upper()
    if not text:
        return ""
    if not re.fullmatch(r"([A-Z]{2})?\d{10,32}", text):
        raise DomainError("seller.bank_account")
    # The checksum (python-stdnum's IBAN check: ISO 13616, mod 97): a one-digit typo would go onto
    # every invoice. A Polish NRB is the IBAN without "PL" (26 digits).
    as_iban = text if text[:2].isalpha() else ("PL" + text if len(text) == 26 else "")
    if not as_iban or not iban.is_valid(as_iban):
        raise DomainError("seller.bank_account_checksum")
    # Printed in groups of four after the first two digits, as Polish banks do.
    prefix = text[:2] if text[:2].isalpha() else ""
    digits = text[len(prefix) :]
    groups = [digits[:2]] + [digits[i : i + 4] for i in range(2, len(digits), 4)]
    return (prefix + " ".join(groups)).strip()


def get(session: Session, user_id: int) -> SellerProfile | None:
    """The user's seller details, if saved."""
    return session.scalars(sa.select(SellerProfile).where(col(SellerProfile.user_id) == user_id)).first()


def save(session: Session, user_id: int, form: SellerForm) -> SellerProfile:
    """Create or update the user's own seller details; every field is checked first."""
    company_name = clean_text(form.company_name, Phrase("field.company_name"), 200, required=True)
    nip = nips.clean(form.nip, required=True)
    address = clean_text(form.address, Phrase("field.address"), 500, required=True, multiline=True)
    bank_account = clean_bank_account(form.bank_account)
    profile = get(session, user_id) or SellerProfile(user_id=user_id)
    profile.company_name, profile.nip = company_name, nip
    profile.address, profile.bank_account = address, bank_account
    session.add(profile)
    session.flush()
    return profile


def is_complete(profile: SellerProfile | None) -> bool:
    """Whether an invoice can be issued with these details."""
    return profile is not None and bool(profile.company_name and profile.nip and profile.address)


# -- the steps of /ustawienia: each the work of one private event (state/events.act) ------------


def profile_for(session: Session, user: CurrentUser) -> SellerProfile | None:
    """The logged-in user's seller details, if saved."""
    return get(session, user.user_id)


def save_for(session: Session, user: CurrentUser, form: SellerForm) -> SellerProfile:
    """Check and store the logged-in user's own seller details (run it with write=True)."""
    return save(session, user.user_id, form)
