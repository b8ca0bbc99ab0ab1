"""services/tokens.py: tokens of 256 random bits in URL-safe text, stored only as SHA-256 digests,
keyed digests that change with the key, and the cheap shape check that runs before a look-up."""

from __future__ import annotations

import hashlib
import hmac
import re

import pytest

from fakturowo_ui.services import tokens

URL_SAFE = re.compile(r"[A-Za-z0-9_-]+")


def test_a_new_token_is_url_safe_text_of_the_bytes_asked_for_and_never_repeats():
    made = {tokens.new_token() for _ in range(500)}
    assert len(made) == 500
    for token in made:
        assert URL_SAFE.fullmatch(token) and len(token) == 43  # 32 bytes in base64 without padding
        assert tokens.looks_like_token(token)
    assert len(tokens.new_token(16)) == 22
    # Every position varies: no fixed prefix or suffix the tokens share.
    assert all(len({token[i] for token in made}) > 10 for i in range(42))


def test_the_digest_is_sha256_hex_the_same_each_time_and_different_per_token():
    token = tokens.new_token()
    assert tokens.digest(token) == tokens.digest(token) == hashlib.sha256(token.encode()).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", tokens.digest(token))
    assert tokens.digest(token) != tokens.digest(token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert token not in tokens.digest(token)


def test_digests_take_any_text_even_a_lone_surrogate():
    """A cookie or link value is whatever the client sent; digesting it must not raise."""
    assert len(tokens.digest("\ud800abc")) == 64
    assert len(tokens.keyed_digest(b"k", "\udfff")) == 64


def test_a_keyed_digest_is_hmac_sha256_and_depends_on_the_key():
    value = "jan.kowalski@example.com"
    first, second = tokens.keyed_digest(b"key one", value), tokens.keyed_digest(b"key two", value)
    assert first == hmac.new(b"key one", value.encode(), hashlib.sha256).hexdigest()
    assert first != second and first != tokens.digest(value)
    assert tokens.keyed_digest(b"key one", value + " ") != first


@pytest.mark.parametrize(
    "value",
    ["a" * 16, "A-_9" * 32, tokens.new_token(12)],
)
def test_token_shapes_accepted(value):
    assert tokens.looks_like_token(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "a" * 15,  # too short
        "a" * 129,  # too long
        "abc+def/ghi=jklmnop",  # standard base64, not URL-safe
        "abcdefgh ijklmnop",
        "abcdefgh.ijklmnop",
        "ąćęłńóśźżąćęłńóśźż",  # letters, but not ASCII
        "abcdefghijklmnop\n",
        "abcdefgh%2Fijklmnop",
    ],
)
def test_token_shapes_refused(value):
    assert not tokens.looks_like_token(value)
