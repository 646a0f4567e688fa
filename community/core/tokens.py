"""Secret tokens: the one place that makes them, stores them and compares them.

Two kinds serve every domain:
  * **random tokens** (API tokens, QR codes, voucher codes): ``generate()`` makes one, the database
    keeps only ``digest(token)`` (SHA-256 hex, 64 characters) when the token is a credential, and a
    lookup hashes what the client sent and searches by the digest (an index hit, no comparison in
    Python); ``matches()`` compares in constant time when a digest is already in hand.
  * **signed tokens** (the calendar feed URL, talent card tokens): ``signed(purpose, *parts)`` is
    HMAC-SHA256 under SECRET_KEY, so it can be derived again instead of stored, and a token made for
    one purpose never passes for another. Changing SECRET_KEY changes every signed token.

Stored digests are plain SHA-256 hex of the token's UTF-8 bytes, as they always were, so existing
rows keep working.
"""
import hashlib
import hmac
import secrets
from base64 import urlsafe_b64encode

from flask import current_app

DEFAULT_BYTES = 24  # 192 bits: far beyond guessing, 32 URL-safe characters
SEPARATOR = ":"


def generate(nbytes: int = DEFAULT_BYTES) -> str:
    """A URL-safe random token of ``nbytes`` random bytes (about 1.3 characters a byte)."""
    return secrets.token_urlsafe(nbytes)


def digest(token: str) -> str:
    """What is stored for a credential token: SHA-256 of its UTF-8 bytes, hex (64 characters)."""
    return hashlib.sha256(token.encode()).hexdigest()


def matches(token: str | None, stored_digest: str | None) -> bool:
    """Whether ``token`` is the one whose digest was stored; constant time, False for None."""
    if not token or not stored_digest:
        return False
    return hmac.compare_digest(digest(token), stored_digest)


def signed(purpose: str, *parts, key: str | bytes | None = None) -> str:
    """HMAC-SHA256 of "purpose:part1:part2..." under ``key`` (default SECRET_KEY), URL-safe
    base64 without padding (43 characters). Parts are turned into text; none may contain ":", so
    two different part lists never sign the same message."""
    message = SEPARATOR.join([purpose, *(str(part) for part in parts)])
    if any(SEPARATOR in str(piece) for piece in (purpose, *parts)):
        raise ValueError("a signed token's purpose and parts may not contain ':'")
    secret = key if key is not None else current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    mac = hmac.new(secret, message.encode(), hashlib.sha256).digest()
    return urlsafe_b64encode(mac).rstrip(b"=").decode()


def signature_matches(token: str | None, purpose: str, *parts, key: str | bytes | None = None) -> bool:
    """Whether ``token`` is ``signed(purpose, *parts)``; constant time, False for None."""
    if not token:
        return False
    return hmac.compare_digest(token.encode(), signed(purpose, *parts, key=key).encode())
