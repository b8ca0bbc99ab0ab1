"""Changing the password while logged in: each refusal with its own message, nothing changed on
refusal; the rotation code that swaps the tab's session after it, single use and short-lived."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from fakturowo_ui import routes
from fakturowo_ui.db import session_scope
from fakturowo_ui.models import AuthSession, User
from fakturowo_ui.services import password_change, passwords, sessions
from fakturowo_ui.services.errors import DomainError
from tests.unit.factories import PASSWORD, as_user, make_user

NEW = "nowe haslo na wiosne 2027"
EMAIL = "zmiana@example.com"


def change(user_id: int, current: str, new: str, repeat: str | None = None) -> str:
    return asyncio.run(
        password_change.change_password(user_id, current, new, new if repeat is None else repeat)
    )


def refusal(user_id: int, current: str, new: str, repeat: str | None = None) -> dict[str, str]:
    with pytest.raises(DomainError) as caught:
        change(user_id, current, new, repeat)
    assert caught.value.key == "error.form"
    return caught.value.params["errors"]


def stored_hash(user_id: int) -> str:
    with session_scope() as session:
        return session.get(User, user_id).password_hash


@pytest.fixture
def user_id(app_env, frozen_clock) -> int:
    return make_user(EMAIL)


@pytest.mark.parametrize(
    ("current", "new", "repeat", "field", "message"),
    [
        ("", NEW, NEW, "current_password", "Podaj obecne hasło."),
        (PASSWORD, "", "", "new_password", "Podaj hasło."),
        (
            PASSWORD,
            "krotkie",
            "krotkie",
            "new_password",
            "Hasło jest za krótkie: musi mieć co najmniej 12 znaków.",
        ),
        (
            PASSWORD,
            "x" * 257,
            "x" * 257,
            "new_password",
            "Hasło jest za długie: może mieć najwyżej 256 znaków.",
        ),
        (PASSWORD, "password1234", "password1234", "new_password", "To hasło jest zbyt popularne"),
        (
            PASSWORD,
            EMAIL.upper(),
            EMAIL.upper(),
            "new_password",
            "Hasło nie może być takie samo jak adres email.",
        ),
        (PASSWORD, NEW, NEW + "!", "new_password_repeat", "Hasła nie są takie same."),
        ("to nie jest moje haslo", NEW, NEW, "current_password", "Obecne hasło jest nieprawidłowe."),
        (PASSWORD, PASSWORD, PASSWORD, "new_password", "Nowe hasło musi być inne niż obecne."),
    ],
)
def test_each_refusal_names_its_field_and_says_why(user_id, current, new, repeat, field, message):
    before = stored_hash(user_id)
    errors = refusal(user_id, current, new, repeat)
    assert field in errors and errors[field].startswith(message)
    assert stored_hash(user_id) == before


def test_the_refusal_messages_are_all_different(user_id):
    seen = {
        refusal(user_id, "", NEW)["current_password"],
        refusal(user_id, PASSWORD, "krotkie")["new_password"],
        refusal(user_id, PASSWORD, "password1234")["new_password"],
        refusal(user_id, PASSWORD, EMAIL)["new_password"],
        refusal(user_id, PASSWORD, NEW, "inne")["new_password_repeat"],
        refusal(user_id, "zle haslo zle haslo", NEW)["current_password"],
        refusal(user_id, PASSWORD, PASSWORD)["new_password"],
    }
    assert len(seen) == 7


def test_the_same_password_typed_differently_is_still_the_same(user_id):
    # NFKC: a full-width "ｚ" is the same letter once normalised.
    errors = refusal(user_id, PASSWORD, "ｚ" + PASSWORD[1:])
    assert errors["new_password"] == "Nowe hasło musi być inne niż obecne."


def test_a_refusal_keeps_every_session(user_id):
    with session_scope() as session:
        token = sessions.create(session, user_id)
    refusal(user_id, "zle haslo zle haslo", NEW)
    with session_scope() as session:
        assert sessions.resolve(session, token) is not None


def test_success_stores_an_argon2id_hash_and_the_time(user_id, frozen_clock):
    frozen_clock.advance(days=3)
    code = change(user_id, PASSWORD, NEW)
    assert code
    with session_scope() as session:
        user = session.get(User, user_id)
        assert user.password_hash.startswith("$argon2id$")
        assert passwords.verify_password(NEW, user.password_hash)
        assert not passwords.verify_password(PASSWORD, user.password_hash)
        assert not passwords.needs_rehash(user.password_hash)
        assert user.password_changed_at == frozen_clock.now()


def test_wrong_current_passwords_are_limited_per_account(user_id, frozen_clock):
    for _ in range(password_change.CHANGE_FAILURES_PER_ACCOUNT.count):
        refusal(user_id, "zle haslo zle haslo", NEW)
    with pytest.raises(DomainError) as caught:
        change(user_id, PASSWORD, NEW)
    assert caught.value.key == "common.try_again_at"
    assert "Zbyt wiele prób" in caught.value.message()
    frozen_clock.advance(minutes=16)
    assert change(user_id, PASSWORD, NEW)


def test_rule_refusals_do_not_count_as_wrong_passwords(user_id):
    for _ in range(password_change.CHANGE_FAILURES_PER_ACCOUNT.count + 2):
        refusal(user_id, PASSWORD, "krotkie")
    assert change(user_id, PASSWORD, NEW)


def test_a_change_made_meanwhile_elsewhere_wins(user_id, monkeypatch):
    """If the hash changed between the check and the write, nothing is overwritten."""
    real_hash = passwords.hash_password_async

    async def change_elsewhere_first(password: str) -> str:
        with session_scope() as session:
            session.execute(sa.update(User).where(User.id == user_id).values(password_hash="elsewhere"))
        return await real_hash(password)

    monkeypatch.setattr(passwords, "hash_password_async", change_elsewhere_first)
    with pytest.raises(DomainError) as caught:
        change(user_id, PASSWORD, NEW)
    assert caught.value.key == "password_change.conflict"
    assert stored_hash(user_id) == "elsewhere"


def test_success_ends_every_session_of_the_user_only(user_id):
    other_user = make_user("inny@example.com")
    with session_scope() as session:
        mine = [sessions.create(session, user_id) for _ in range(3)]
        theirs = sessions.create(session, other_user)
    change(user_id, PASSWORD, NEW)
    with session_scope() as session:
        assert all(sessions.resolve(session, token) is None for token in mine)
        assert sessions.resolve(session, theirs) is not None
        assert (
            session.scalar(
                sa.select(sa.func.count()).select_from(AuthSession).where(AuthSession.user_id == user_id)
            )
            == 0
        )


def changed_recently(user_id: int) -> bool:
    with session_scope() as session:
        return password_change.changed_recently_for(session, as_user(user_id, EMAIL))


def test_changed_recently_is_true_only_just_after_a_change(user_id, frozen_clock):
    frozen_clock.advance(minutes=10)  # the account was made 10 minutes ago
    assert not changed_recently(user_id)
    change(user_id, PASSWORD, NEW)
    assert changed_recently(user_id)
    frozen_clock.advance(minutes=6)
    assert not changed_recently(user_id)


def test_a_rotation_code_is_single_use_and_short_lived(user_id, frozen_clock):
    code = asyncio.run(password_change.change_password(user_id, PASSWORD, NEW, NEW))
    first = password_change.exchange_rotation_code(code)
    assert first is not None and first[1] == routes.PASSWORD_CHANGED
    assert password_change.exchange_rotation_code(code) is None
    code = asyncio.run(password_change.change_password(user_id, NEW, PASSWORD + "!", PASSWORD + "!"))
    frozen_clock.advance(seconds=61)
    assert password_change.exchange_rotation_code(code) is None
    assert password_change.exchange_rotation_code("") is None
    assert password_change.exchange_rotation_code("nie-kod") is None
