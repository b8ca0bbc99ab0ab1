"""Password rules and argon2id hashing."""

from __future__ import annotations

import asyncio
import re
import threading
import time

import pytest
from passlib.context import CryptContext

from fakturowo_ui.i18n import t
from fakturowo_ui.services import accounts, passwords
from tests.unit.factories import PASSWORD, password_hash

EMAIL = "jan.kowalski@example.com"


def _argon2_params(hash_string: str) -> dict[str, int]:
    match = re.match(
        r"^\$argon2(?P<type>id|i|d)\$v=(?P<v>\d+)\$m=(?P<m>\d+),t=(?P<t>\d+),p=(?P<p>\d+)\$", hash_string
    )
    assert match, f"not an argon2 hash: {hash_string[:40]!r}"
    return {"type": match["type"], **{k: int(match[k]) for k in ("v", "m", "t", "p")}}


def test_hash_is_argon2id_with_strong_parameters():
    hashed = password_hash()
    params = _argon2_params(hashed)
    assert params["type"] == "id"
    assert params["m"] >= 19456
    assert params["t"] >= 2
    assert params["p"] >= 1
    assert passwords.verify_password(PASSWORD, hashed)
    assert not passwords.verify_password(PASSWORD + "!", hashed)
    assert PASSWORD not in hashed


def test_hashes_are_salted():
    assert passwords.hash_password(PASSWORD) != password_hash()


def test_the_common_list_is_large_and_used():
    common = passwords.common_passwords()
    assert len(common) >= 10_000
    assert "password" in common or "123456" in common


def test_hashing_runs_off_the_event_loop(monkeypatch):
    """Hashing and verifying run in the hashing pool's threads, and the event loop goes on
    running other work while they do (a hash slowed down to 0.3 s here)."""
    real_hash, real_verify = passwords.hash_password, passwords.verify_password
    threads: list[tuple[str, str, bool]] = []

    def on_the_loop() -> bool:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return False
        return True

    def slow_hash(password: str) -> str:
        threads.append(("hash", threading.current_thread().name, on_the_loop()))
        time.sleep(0.3)
        return real_hash(password)

    def slow_verify(password: str, password_hash: str) -> bool:
        threads.append(("verify", threading.current_thread().name, on_the_loop()))
        time.sleep(0.3)
        return real_verify(password, password_hash)

    monkeypatch.setattr(passwords, "hash_password", slow_hash)
    monkeypatch.setattr(passwords, "verify_password", slow_verify)

    async def while_ticking(work):
        ticks = 0
        task = asyncio.ensure_future(work)
        while not task.done():
            await asyncio.sleep(0.01)
            ticks += 1
        return task.result(), ticks

    async def scenario():
        loop_thread = threading.current_thread().name
        hashed, hash_ticks = await while_ticking(passwords.hash_password_async(PASSWORD))
        ok, verify_ticks = await while_ticking(passwords.verify_password_async(PASSWORD, hashed))
        wrong, _ticks = await while_ticking(passwords.verify_password_async(PASSWORD + "!", hashed))
        return loop_thread, hashed, ok, wrong, hash_ticks, verify_ticks

    loop_thread, hashed, ok, wrong, hash_ticks, verify_ticks = asyncio.run(scenario())
    assert ok and not wrong and _argon2_params(hashed)["type"] == "id"
    assert [kind for kind, _name, _loop in threads] == ["hash", "verify", "verify"]
    for _kind, name, loop_running in threads:
        assert name != loop_thread and name.startswith("fakturowo-hash"), name
        assert not loop_running
    # The loop kept ticking every 10 ms through each 0.3 s call (none had it been blocked).
    assert hash_ticks >= 10 and verify_ticks >= 10, (hash_ticks, verify_ticks)


def _long_common_password() -> str:
    return next(p for p in sorted(passwords.common_passwords()) if 12 <= len(p) <= 40 and p.isascii())


RULES = {
    "empty": ("", "error.password_empty"),
    "11 characters": ("abcdefghijk", "error.password_too_short"),
    "257 characters": ("x" * 257, "error.password_too_long"),
    "control character": ("zielony\tslon 4ever", "error.password_invalid_chars"),
    "NUL byte": ("zielony slon\x004ever", "error.password_invalid_chars"),
}


@pytest.mark.parametrize("case", list(RULES))
def test_each_rule_has_its_key(case):
    password, key = RULES[case]
    assert passwords.password_problem(password, EMAIL) == key


def test_lengths_at_the_limits_are_accepted():
    assert passwords.password_problem("kwiatlipa 7x", EMAIL) is None  # 12
    assert passwords.password_problem("x" * 256, EMAIL) is None
    # Characters, not bytes: 12 Polish letters are 12 characters.
    assert passwords.password_problem("źdźbłożółćęą", EMAIL) is None


def test_a_common_password_is_refused_in_any_case():
    common = _long_common_password()
    assert passwords.password_problem(common, EMAIL) == "error.password_common"
    assert passwords.password_problem(common.upper(), EMAIL) == "error.password_common"


@pytest.mark.parametrize("variant", [EMAIL, EMAIL.upper(), "Jan.Kowalski@Example.COM"])
def test_the_address_itself_is_refused_in_any_case(variant):
    assert passwords.password_problem(variant, EMAIL) == "error.password_is_email"


def test_every_rule_has_its_own_polish_message():
    form = accounts.RegistrationForm
    cases = {
        "empty": form(EMAIL, "", ""),
        "short": form(EMAIL, "abcdefghijk", "abcdefghijk"),
        "long": form(EMAIL, "x" * 257, "x" * 257),
        "common": form(EMAIL, _long_common_password(), _long_common_password()),
        "address": form(EMAIL, EMAIL.upper(), EMAIL.upper()),
        "control": form(EMAIL, "zielony slon\x004ever", "zielony slon\x004ever"),
        "mismatch": form(EMAIL, PASSWORD, PASSWORD + "x"),
    }
    messages = {}
    for name, case in cases.items():
        errors = accounts.registration_errors(case)
        assert len(errors) == 1, (name, errors)
        field, message = next(iter(errors.items()))
        assert field == ("password_repeat" if name == "mismatch" else "password")
        messages[name] = message
    assert len(set(messages.values())) == len(cases), messages
    assert messages["short"] == t("error.password_too_short") and "12" in messages["short"]
    assert "256" in messages["long"]
    assert messages["mismatch"] == "Hasła nie są takie same."
    for message in messages.values():
        assert re.search(r"[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]|Podaj|Hasło|hasło", message), message


def test_no_composition_rules():
    for password in ("aaaaaaaaaaaaaa b", "wszystkie male litery", "123456789012345678"):
        if password.lower() in passwords.common_passwords():
            continue
        assert passwords.password_problem(password, EMAIL) is None, password


def test_needs_rehash_for_weaker_parameters():
    weak = CryptContext(
        schemes=["argon2"],
        argon2__type="ID",
        argon2__memory_cost=1024,
        argon2__time_cost=1,
        argon2__parallelism=1,
    ).hash(PASSWORD)
    assert _argon2_params(weak)["m"] == 1024
    assert passwords.needs_rehash(weak) is True
    assert passwords.needs_rehash(password_hash()) is False
    # The weak hash still verifies, so the login that finds it can upgrade it.
    assert passwords.verify_password(PASSWORD, weak)


@pytest.mark.parametrize(
    ("password", "hashed"),
    [
        (PASSWORD, ""),
        (PASSWORD, "not a hash"),
        (PASSWORD, "$argon2id$v=19$m=19456,t=2,p=1$broken"),
        (PASSWORD, "$2b$12$" + "a" * 53),
        ("", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"),
        ("\x00" * 20, "x"),
        ("x" * 100_000, "x"),
        (None, "x"),
        (PASSWORD, None),
        (12345, 678),
    ],
)
def test_verify_never_raises_on_junk(password, hashed):
    assert passwords.verify_password(password, hashed) is False


def test_needs_rehash_on_junk_is_true():
    assert passwords.needs_rehash("junk") is True
