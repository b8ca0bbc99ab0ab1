"""The Polish tax number (NIP): normalising what people type and checking its checksum."""

from __future__ import annotations

import re
import unicodedata

from fakturowo_ui.services.errors import DomainError

_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)
_SEPARATORS = re.compile(r"[\s\-\u00a0]")


def normalise(raw: str) -> str:
    """Digits only: "PL 526-025-02-74" -> "5260250274" (the PL prefix of EU VAT numbers dropped)."""
    text = _SEPARATORS.sub("", raw or "")
    # Digits of other scripts (fullwidth, Arabic-Indic...) become ASCII ones: the stored NIP is 0-9.
    text = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)
    if text[:2].upper() == "PL":
        text = text[2:]
    return text


def is_valid(nip: str) -> bool:
    """Ten digits whose weighted sum modulo 11 equals the last digit (and is never 10)."""
    if not re.fullmatch(r"[0-9]{10}", nip):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(nip, _WEIGHTS, strict=False))
    check = total % 11
    return check != 10 and check == int(nip[9])


def clean(raw: str, *, required: bool = False) -> str:
    """The normalised NIP, "" when left empty (if allowed); a DomainError when it is wrong."""
    nip = normalise(raw)
    if not nip:
        if required:
            raise DomainError("nip.empty")
        return ""
    if not re.fullmatch(r"[0-9]{10}", nip):
        raise DomainError("nip.format")
    if not is_valid(nip):
        raise DomainError("nip.checksum")
    return nip


def format_nip(nip: str) -> str:
    """526-025-02-74, the way NIPs are usually printed."""
    if len(nip) != 10:
        return nip
    return f"{nip[:3]}-{nip[3:6]}-{nip[6:8]}-{nip[8:]}"
