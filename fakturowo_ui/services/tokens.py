"""The one token maker: random tokens for links and cookies, stored only as digests."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

# 256 bits: e-mailed links and session cookies alike.
TOKEN_BYTES = 32


def new_token(nbytes: int = TOKEN_BYTES) -> str:
    """A fresh URL-safe random token of nbytes of entropy."""
    return secrets.token_urlsafe(nbytes)


def digest(token: str) -> str:
    """SHA-256 hex of a token: what the database keeps instead of the token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def keyed_digest(key: bytes, value: str) -> str:
    """HMAC-SHA256 hex of a value under the app's secret key (blocked addresses, rate keys)."""
    return hmac.new(key, value.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,128}")


def looks_like_token(value: str) -> bool:
    """Cheap shape check before a database look-up: URL-safe base64 of a sane length."""
    return _TOKEN_SHAPE.fullmatch(value) is not None
