"""Registration through accounts.register with a real SQLite file and a real SMTP server on loopback."""

from __future__ import annotations

import asyncio
import re

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from fakturowo_ui.db import session_scope
from fakturowo_ui.i18n import messages, t
from fakturowo_ui.models import BlockedAddress, ConsentRecord, OneTimeToken, Subscription, User
from fakturowo_ui.services import accounts, clock, onetime, ratelimit
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.settings import reset_settings_cache
from fakturowo_ui.state.common import flag, text_field
from tests.conftest import action_link, html_of, text_of
from tests.unit.factories import PASSWORD, count_rows

BASE_URL = "http://localhost:3000"


def register(email: str, password: str = PASSWORD, repeat: str | None = None, **consents) -> str:
    form = accounts.RegistrationForm(email, password, password if repeat is None else repeat, **consents)
    return asyncio.run(accounts.register(form, "127.0.0.1"))


def register_from_form(form_data: dict) -> str:
    """What RegisterState.submit does with the submitted form before calling the service."""
    form = accounts.RegistrationForm(
        email=text_field(form_data, "email", 1000),
        password=text_field(form_data, "password", 1000),
        password_repeat=text_field(form_data, "password_repeat", 1000),
        reminder_consent=flag(form_data, "consent_reminders"),
        info_consent=flag(form_data, "consent_info"),
    )
    return asyncio.run(accounts.register(form, "127.0.0.1"))


def all_row_counts() -> dict[str, int]:
    with session_scope() as session:
        return {
            name: session.scalar(sa.select(sa.func.count()).select_from(table))
            for name, table in SQLModel.metadata.tables.items()
        }


POLISH_MESSAGES = set(messages("pl").values())

BAD_FORMS = {
    "empty": {"email": "", "password": "", "password_repeat": ""},
    "only spaces": {"email": "   ", "password": PASSWORD, "password_repeat": PASSWORD},
    "10,000 characters address": {
        "email": "a" * 10_000 + "@example.com",
        "password": PASSWORD,
        "password_repeat": PASSWORD,
    },
    "10,000 characters password": {
        "email": "jan@example.com",
        "password": "p" * 10_000,
        "password_repeat": "p" * 10_000,
    },
    "unicode address": {"email": "żółw@przykład.pl", "password": PASSWORD, "password_repeat": PASSWORD},
    "emoji address": {"email": "jan🙂@example.com", "password": PASSWORD, "password_repeat": PASSWORD},
    "HTML address": {"email": "<b>jan</b>@example.com", "password": PASSWORD, "password_repeat": PASSWORD},
    "script address": {
        "email": "<script>alert(1)</script>",
        "password": PASSWORD,
        "password_repeat": PASSWORD,
    },
    "script in a valid-looking address": {
        "email": "jan<script>@example.com",
        "password": PASSWORD,
        "password_repeat": PASSWORD,
    },
    "NUL in the address": {"email": "jan\x00@example.com", "password": PASSWORD, "password_repeat": PASSWORD},
    "NUL in the password": {
        "email": "jan@example.com",
        "password": "zielony\x00slon 4ever",
        "password_repeat": "zielony\x00slon 4ever",
    },
    "no @": {"email": "jan.example.com", "password": PASSWORD, "password_repeat": PASSWORD},
    "two @": {"email": "jan@@example.com", "password": PASSWORD, "password_repeat": PASSWORD},
    "no dot in the domain": {"email": "jan@localhost", "password": PASSWORD, "password_repeat": PASSWORD},
    "space inside": {"email": "jan kowalski@example.com", "password": PASSWORD, "password_repeat": PASSWORD},
    "mismatch": {"email": "jan@example.com", "password": PASSWORD, "password_repeat": PASSWORD + "!"},
    "address as password": {
        "email": "jan.kowalski@example.com",
        "password": "JAN.KOWALSKI@example.com",
        "password_repeat": "JAN.KOWALSKI@example.com",
    },
    "a list instead of text": {
        "email": ["jan@example.com"],
        "password": PASSWORD,
        "password_repeat": PASSWORD,
    },
    "numbers instead of text": {"email": 12345, "password": 123456789012, "password_repeat": 123456789012},
    "None everywhere": {"email": None, "password": None, "password_repeat": None},
    "a dict instead of text": {"email": {"$ne": ""}, "password": PASSWORD, "password_repeat": PASSWORD},
    "missing fields": {},
}


@pytest.mark.parametrize("case", list(BAD_FORMS))
def test_bad_input_is_refused_and_nothing_is_stored(smtp, case):
    before = all_row_counts()
    with pytest.raises(DomainError) as refused:
        register_from_form(BAD_FORMS[case])
    error = refused.value
    message = error.message()
    assert message in POLISH_MESSAGES, message
    assert isinstance(error.params.get("errors"), dict) and error.params["errors"]
    assert all(m in POLISH_MESSAGES for m in error.params["errors"].values())
    assert all_row_counts() == before
    assert count_rows(User) == 0
    assert smtp.mailbox.messages == []


def test_every_bad_field_gets_its_message():
    errors = accounts.registration_errors(accounts.RegistrationForm("nie-adres", "krotkie", "inne"))
    assert errors == {"email": t("error.email_invalid"), "password": t("error.password_too_short")}


def test_address_is_trimmed_and_lower_cased(smtp):
    assert register("  Jan.Kowalski@Example.COM \t") == "jan.kowalski@example.com"
    with session_scope() as session:
        user = session.scalars(sa.select(User)).one()
        assert user.email == "jan.kowalski@example.com"
        assert user.email_confirmed_at is None
        assert user.password_hash.startswith("$argon2id$")
        assert session.scalars(sa.select(Subscription)).one().user_id == user.id
    assert smtp.mailbox.to("jan.kowalski@example.com")


def test_markup_and_unicode_in_a_password_are_just_characters(smtp):
    """A password may hold anything printable; it is stored hashed, never in clear."""
    password = "<script>alert('żółć')</script>"
    register("skrypt@example.com", password)
    with session_scope() as session:
        stored = session.scalars(sa.select(User.password_hash)).one()
    assert password not in stored and "script" not in stored


def test_an_address_registers_once(smtp):
    register("anna@example.com")
    for variant in ("anna@example.com", " ANNA@Example.com ", "Anna@EXAMPLE.COM"):
        with pytest.raises(DomainError) as refused:
            register(variant)
        assert refused.value.params["field"] == "email"
        assert refused.value.message() == t("error.email_taken")
    assert count_rows(User) == 1
    assert len(smtp.mailbox.to("anna@example.com")) == 1


@pytest.mark.parametrize(
    "variant", ["usuniety@example.com", "USUNIETY@EXAMPLE.COM", "  Usuniety@Example.com  "]
)
def test_a_blocked_address_cannot_register(smtp, variant):
    with session_scope() as session:
        session.add(
            BlockedAddress(
                email_digest=accounts.blocked_email_digest("usuniety@example.com"), blocked_at=clock.now()
            )
        )
    before = all_row_counts()
    with pytest.raises(DomainError) as refused:
        register(variant)
    assert "zablokowany" in refused.value.message()
    assert refused.value.params["field"] == "email"
    # Nothing changes but the attempt counted against the client (issue 14, point 11).
    assert all_row_counts() == {**before, "rate_limit_hit": before["rate_limit_hit"] + 1}
    assert smtp.mailbox.messages == []


def test_the_block_stores_no_address(app_env):
    digest = accounts.blocked_email_digest(" Usuniety@Example.com")
    assert digest == accounts.blocked_email_digest("usuniety@example.com")
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert "usuniety" not in digest


@pytest.mark.parametrize(
    ("form_flags", "expected"),
    [
        ({}, set()),
        ({"consent_reminders": "on"}, {"reminders"}),
        ({"consent_info": True}, {"info"}),
        ({"consent_reminders": "on", "consent_info": "on"}, {"reminders", "info"}),
        ({"consent_reminders": "nope", "consent_info": ["on"]}, set()),
    ],
)
def test_consents_from_the_form_are_recorded(smtp, form_flags, expected):
    register_from_form(
        {"email": "zgody@example.com", "password": PASSWORD, "password_repeat": PASSWORD, **form_flags}
    )
    with session_scope() as session:
        user = session.scalars(sa.select(User)).one()
        records = session.scalars(sa.select(ConsentRecord)).all()
    assert {r.consent for r in records} == expected
    assert all(r.given and r.source == "registration" and r.user_id == user.id for r in records)
    assert user.reminder_consent is ("reminders" in expected)
    assert user.info_consent is ("info" in expected)


def test_the_confirmation_mail(smtp, frozen_clock):
    email = register("poczta@example.com")
    message = smtp.mailbox.last(email, "Potwierdź adres email")
    assert message["Subject"] == "Potwierdź adres email"
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    text, html = text_of(message), html_of(message)
    link = action_link(message, BASE_URL)
    assert link in text.splitlines(), "the link does not stand alone on its line"
    first_url = re.search(r"https?://\S+", text).group(0)
    assert first_url == link
    assert link.startswith(f"{BASE_URL}/potwierdz-email/?token=")
    assert link in html
    assert "Potwierdź adres email" in html
    # 24 hours from the frozen noon UTC, shown in Warsaw time.
    assert "24-11-2026 13:00" in text
    token = link.split("token=", 1)[1]
    with session_scope() as session:
        row = session.scalars(sa.select(OneTimeToken)).one()
    assert row.purpose == onetime.TokenPurpose.CONFIRM_EMAIL
    assert token not in row.token_hash and len(row.token_hash) == 64
    assert row.expires_at - row.created_at == accounts.CONFIRM_TTL


def test_links_follow_the_base_url(smtp, monkeypatch):
    monkeypatch.setenv("FAKTUROWO_BASE_URL", "https://faktury.example.pl")
    reset_settings_cache()
    email = register("baza@example.com")
    message = smtp.mailbox.last(email, "Potwierdź adres email")
    assert action_link(message, "https://faktury.example.pl").startswith(
        "https://faktury.example.pl/potwierdz-email/?token="
    )
    assert "localhost" not in text_of(message)


@pytest.mark.parametrize("outage", ["down", "refusing"])
def test_a_failed_mail_leaves_no_usable_link(smtp, outage):
    if outage == "down":
        smtp.stop()
    else:
        smtp.mailbox.refuse = True
    with pytest.raises(DomainError) as refused:
        register("awaria@example.com")
    assert refused.value.key == "register.mail_failed"
    assert refused.value.message() in POLISH_MESSAGES
    assert count_rows(OneTimeToken) == 0
    assert smtp.mailbox.messages == []
    # The account stays (the message says so); the link can be sent again once mail works.
    assert count_rows(User) == 1
    if outage == "down":
        smtp.start()
    else:
        smtp.mailbox.refuse = False
    asyncio.run(accounts.resend_confirmation("awaria@example.com"))
    link = action_link(smtp.mailbox.last("awaria@example.com", "Potwierdź adres email"), BASE_URL)
    assert accounts.confirm_email(link.split("token=", 1)[1]) is onetime.LinkState.VALID


def test_registrations_are_limited_per_client(smtp, frozen_clock):
    asyncio.run(
        accounts.register(accounts.RegistrationForm("k0@example.com", PASSWORD, PASSWORD), "10.0.0.7")
    )
    # Nine more counted registrations from the same client, without paying for nine hashes.
    with session_scope() as session:
        for _ in range(9):
            ratelimit.record(session, ratelimit.REGISTRATIONS_PER_CLIENT, "10.0.0.7")
    with pytest.raises(DomainError) as refused:
        asyncio.run(
            accounts.register(accounts.RegistrationForm("k10@example.com", PASSWORD, PASSWORD), "10.0.0.7")
        )
    assert refused.value.key == "common.try_again_at"
    assert "14:00" in refused.value.message()  # an hour after the frozen 13:00 Warsaw time
    assert count_rows(User) == 1
    # Another client is not affected, and the limit lifts after its window.
    asyncio.run(
        accounts.register(accounts.RegistrationForm("inny@example.com", PASSWORD, PASSWORD), "10.0.0.8")
    )
    frozen_clock.advance(hours=1)
    asyncio.run(
        accounts.register(accounts.RegistrationForm("k10@example.com", PASSWORD, PASSWORD), "10.0.0.7")
    )
    assert count_rows(User) == 3
