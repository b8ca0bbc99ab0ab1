"""Login: one message for every wrong credential, rate limits, the one-time code, safe next paths."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa
from passlib.context import CryptContext

from fakturowo_ui.db import session_scope
from fakturowo_ui.i18n import t
from fakturowo_ui.models import AuthSession, OneTimeToken, RateLimitHit, User
from fakturowo_ui.services import accounts, passwords
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.settings import reset_settings_cache
from tests.unit.factories import PASSWORD, count_rows, make_user

EMAIL = "jan@example.com"
IP = "203.0.113.7"


def log_in(email: str, password: str, ip: str = IP, next_path: str | None = None) -> str:
    return asyncio.run(accounts.log_in(email, password, ip, next_path))


def refusal(email: str, password: str, ip: str = IP) -> DomainError:
    with pytest.raises(DomainError) as refused:
        log_in(email, password, ip)
    return refused.value


@pytest.fixture
def user(app_env, frozen_clock) -> int:
    return make_user(EMAIL)


def test_a_right_password_gives_a_code_for_a_session(user):
    code = log_in(" JAN@Example.com ", PASSWORD)
    token, path = accounts.exchange_login_code(code)
    assert path == "/konto/"
    assert count_rows(AuthSession, AuthSession.user_id == user) == 1
    assert len(token) >= 22


def test_unknown_address_and_wrong_password_read_the_same(user):
    unknown = refusal("nikt@example.com", PASSWORD)
    wrong = refusal(EMAIL, PASSWORD + "x")
    assert unknown.key == wrong.key == "login.failed"
    assert unknown.message() == wrong.message() == t("login.failed")
    assert not isinstance(unknown, accounts.UnconfirmedAddress)
    assert not isinstance(wrong, accounts.UnconfirmedAddress)


def test_an_unconfirmed_address_shows_only_after_the_right_password(app_env, frozen_clock):
    make_user("nowy@example.com", confirmed=False)
    wrong = refusal("nowy@example.com", PASSWORD + "x")
    assert wrong.key == "login.failed" and not isinstance(wrong, accounts.UnconfirmedAddress)
    with pytest.raises(accounts.UnconfirmedAddress) as unconfirmed:
        log_in("nowy@example.com", PASSWORD)
    assert "nie został jeszcze potwierdzony" in unconfirmed.value.message()
    assert count_rows(OneTimeToken) == 0


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("", ""),
        ("a" * 10_000, "b" * 10_000),
        ("żółw@przykład.pl", PASSWORD),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),
        ("jan@example.com\x00", PASSWORD),
        (EMAIL, "\x00" * 20),
        (EMAIL, ""),
    ],
)
def test_junk_is_refused_with_the_usual_message(user, email, password):
    error = refusal(email, password)
    assert error.key == "login.failed"
    assert count_rows(OneTimeToken) == 0 and count_rows(AuthSession) == 0
    with session_scope() as session:
        keys = session.scalars(sa.select(RateLimitHit.key)).all()
    assert all("script" not in key and "@" not in key for key in keys)


def test_five_failures_lock_the_account_for_five_minutes(user, frozen_clock):
    for _ in range(5):
        assert refusal(EMAIL, "zle haslo 12345").key == "login.failed"
    locked = refusal(EMAIL, PASSWORD)  # even the right password waits
    assert locked.key == "common.try_again_at"
    message = locked.message()
    assert "13:05" in message and "5 min" in message  # 12:05 UTC is 13:05 in Warsaw
    # From another client address too: the limit belongs to the account.
    assert refusal(EMAIL, PASSWORD, ip="198.51.100.1").key == "common.try_again_at"
    # Another account is not affected.
    make_user("ewa@example.com")
    assert log_in("ewa@example.com", PASSWORD)
    frozen_clock.advance(minutes=4, seconds=59)
    assert refusal(EMAIL, PASSWORD).key == "common.try_again_at"
    frozen_clock.advance(seconds=1)
    assert accounts.exchange_login_code(log_in(EMAIL, PASSWORD)) is not None


def test_a_success_clears_the_failures(user):
    for _ in range(4):
        refusal(EMAIL, "zle haslo 12345")
    log_in(EMAIL, PASSWORD)
    for _ in range(4):
        refusal(EMAIL, "zle haslo 12345")
    assert log_in(EMAIL, PASSWORD)


def test_an_unknown_address_is_limited_like_a_real_one(app_env, frozen_clock):
    for _ in range(5):
        assert refusal("nikt@example.com", PASSWORD).key == "login.failed"
    assert refusal("nikt@example.com", PASSWORD).key == "common.try_again_at"


def test_twenty_attempts_a_minute_per_client(user, frozen_clock):
    refusal("ktos@example.com", "zle haslo 12345")
    for n in range(19):
        # Different addresses, so only the per-client limit can bite; empty passwords skip argon2.
        assert refusal(f"osoba{n}@example.com", "").key == "login.failed"
    blocked = refusal(EMAIL, PASSWORD)
    assert blocked.key == "common.try_again_at"
    assert "13:01" in blocked.message()
    # Another client is not affected; after the minute this one may try again.
    assert log_in(EMAIL, PASSWORD, ip="198.51.100.1")
    frozen_clock.advance(minutes=1)
    assert log_in(EMAIL, PASSWORD)


def test_rate_limits_off_lifts_every_limit(user, monkeypatch):
    monkeypatch.setenv("FAKTUROWO_RATE_LIMITS", "off")
    reset_settings_cache()
    for _ in range(7):
        assert refusal(EMAIL, "zle haslo 12345").key == "login.failed"
    for n in range(25):
        refusal(f"osoba{n}@example.com", "")
    assert accounts.exchange_login_code(log_in(EMAIL, PASSWORD)) is not None
    assert count_rows(RateLimitHit) == 0


def test_rate_limit_keys_never_hold_the_address(app_env, frozen_clock):
    address = "tajny.adres.xq7@example.org"
    for variant in (address, address.upper(), f"  {address} "):
        refusal(variant, "zle haslo 12345")
    with session_scope() as session:
        keys = session.scalars(sa.select(RateLimitHit.key)).all()
    assert keys, "failed logins were not counted"
    assert not any("tajny" in key.lower() or "example.org" in key.lower() for key in keys)
    # Nor anywhere in the database files, WAL included.
    files = list(Path(app_env["FAKTUROWO_VAR_DIR"]).glob("fakturowo.db*"))
    assert files
    for path in files:
        data = path.read_bytes().lower()
        assert b"tajny.adres" not in data, path.name
        assert "tajny.adres".encode("utf-16-le") not in data, path.name
    assert count_rows(User) == 0


def test_the_login_code_is_single_use_and_lives_60_seconds(user, frozen_clock):
    first = log_in(EMAIL, PASSWORD)
    second = log_in(EMAIL, PASSWORD)
    frozen_clock.advance(seconds=59)
    assert accounts.exchange_login_code(first) is not None
    assert accounts.exchange_login_code(first) is None
    frozen_clock.advance(seconds=1)
    assert accounts.exchange_login_code(second) is None
    assert count_rows(AuthSession) == 1


@pytest.mark.parametrize("code", ["", "x", "<script>", "a" * 5000, "kod\x00kod\x00kod\x00kod"])
def test_a_junk_code_gives_no_session(user, code):
    assert accounts.exchange_login_code(code) is None
    assert count_rows(AuthSession) == 0


def test_the_code_carries_a_safe_next_path(user):
    _token, path = accounts.exchange_login_code(log_in(EMAIL, PASSWORD, next_path="/klienci/?strona=2"))
    assert path == "/klienci/?strona=2"
    _token, path = accounts.exchange_login_code(log_in(EMAIL, PASSWORD, next_path="//evil.example"))
    assert path == "/konto/"


def test_a_weak_hash_is_upgraded_at_login(user):
    weak = CryptContext(
        schemes=["argon2"],
        argon2__type="ID",
        argon2__memory_cost=1024,
        argon2__time_cost=1,
        argon2__parallelism=1,
    ).hash(PASSWORD)
    with session_scope() as session:
        session.execute(sa.update(User).where(User.id == user).values(password_hash=weak))
    assert passwords.needs_rehash(weak)
    refusal(EMAIL, "zle haslo zle haslo")
    with session_scope() as session:
        assert session.get(User, user).password_hash == weak  # a wrong password upgrades nothing
    log_in(EMAIL, PASSWORD)
    with session_scope() as session:
        stored = session.get(User, user).password_hash
    assert stored != weak and not passwords.needs_rehash(stored)
    assert f"m={passwords.ARGON2_MEMORY_KIB}" in stored
    assert passwords.verify_password(PASSWORD, stored)
    assert accounts.exchange_login_code(log_in(EMAIL, PASSWORD)) is not None  # the upgraded hash works
    assert passwords.verify_password(PASSWORD, stored)


@pytest.mark.parametrize(
    "path",
    [
        None,
        "",
        "//evil.example",
        "//evil.example/konto",
        "https://evil.example/konto",
        "http://localhost:3000/konto",
        "/\\evil.example",
        "\\\\evil.example",
        "/konto\\..\\evil",
        "javascript:alert(1)",
        "konto",
        "/logowanie/",
        "/rejestracja/",
        "/",
        "/pomoc/jak-usunac-konto-uzytkownika",
        "/potwierdz-email/?token=x",
        "/konto\n/evil",
        "/konto\r\nSet-Cookie: a=b",
        "/konto/" + "a" * 300,
        ["/konto"],
        42,
    ],
)
def test_safe_next_path_refuses_other_sites_and_public_pages(path):
    assert accounts.safe_next_path(path) == "/konto/"


@pytest.mark.parametrize(
    "path",
    [
        "/konto",
        "/konto/",
        "/klienci/",
        "/produkty/",
        "/dokumenty/?rok=2026",
        "/ustawienia/",
        "/zmiana-hasla/",
    ],
)
def test_safe_next_path_keeps_private_pages(path):
    assert accounts.safe_next_path(path) == path
