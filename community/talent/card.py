"""The talent card (人才码): short-lived tokens signed with Ed25519, so a verifier can check them
offline with the published public key.

A token is ``TC1.<payload>.<signature>``, both parts URL-safe base64 without padding; the payload
is compact JSON ``{"e": entry id, "u": user id, "t": tier, "x": valid-until, "iat": issued, "exp":
expires}`` (UNIX seconds). It lives ``CARD_TOKEN_SECONDS`` (60): the card page draws a new one
every minute, so a screenshot is useless soon after. Verification online also looks the entry up,
so a revoked or lapsed holder is refused even inside the minute.

The signing key comes from ``TALENT_CARD_SIGNING_KEY`` (a PEM text, or the path of a PEM file);
when unset, a key is generated once into the instance folder (``instance/talent_card_ed25519.pem``,
mode 0600, gitignored). Several nodes must share one key: set the config (docs/operations.md)."""
import base64
import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app

from community.core.clock import local_today, now
from community.extensions import db

PREFIX = "TC1"
CARD_TOKEN_SECONDS = 60
KEY_FILE = "talent_card_ed25519.pem"
_KEYS: dict[str, Ed25519PrivateKey] = {}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _load_pem(data: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("TALENT_CARD_SIGNING_KEY is not an Ed25519 private key")
    return key


def signing_key() -> Ed25519PrivateKey:
    configured = current_app.config.get("TALENT_CARD_SIGNING_KEY")
    cache_key = configured or os.path.join(current_app.instance_path, KEY_FILE)
    if cache_key in _KEYS:
        return _KEYS[cache_key]
    if configured:
        text = configured.strip()
        data = text.encode() if text.startswith("-----BEGIN") else open(text, "rb").read()
        key = _load_pem(data)
    else:
        key = _instance_key(cache_key)
    _KEYS[cache_key] = key
    return key


def _instance_key(path: str) -> Ed25519PrivateKey:
    """Read the instance key, or make it: O_EXCL, so two processes starting at once agree on one."""
    if not os.path.exists(path):
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
            return key
    with open(path, "rb") as handle:
        return _load_pem(handle.read())


def public_key_pem(key: Ed25519PrivateKey | None = None) -> str:
    key = key or signing_key()
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def issue_token(entry, *, at: datetime | None = None, key: Ed25519PrivateKey | None = None) -> tuple[str, datetime]:
    """A signed token for a registry entry, and when it expires."""
    at = at or now()
    expires = at + timedelta(seconds=CARD_TOKEN_SECONDS)
    payload = {"e": entry.id, "u": entry.user_id, "t": entry.tier, "x": entry.valid_until.isoformat(),
               "iat": int(at.timestamp()), "exp": int(expires.timestamp())}
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    message = f"{PREFIX}.{body}".encode()
    signature = _b64((key or signing_key()).sign(message))
    return f"{PREFIX}.{body}.{signature}", expires.replace(microsecond=0)


@dataclass
class Verdict:
    valid: bool
    reason: str            # ok, forged, expired, revoked, lapsed
    entry: object = None

    @property
    def tier(self):
        return self.entry.tier if self.entry is not None and self.reason in ("ok", "expired", "lapsed") else None


def read_token(token: str, *, public_key: Ed25519PublicKey | None = None) -> dict | None:
    """The payload if the signature holds, else None (forged, damaged, or another key's)."""
    try:
        prefix, body, signature = (token or "").strip().split(".")
        if prefix != PREFIX:
            return None
        (public_key or signing_key().public_key()).verify(_unb64(signature), f"{prefix}.{body}".encode())
        payload = json.loads(_unb64(body))
        return payload if isinstance(payload, dict) and isinstance(payload.get("e"), int) else None
    except (ValueError, InvalidSignature, TypeError, UnicodeDecodeError):
        return None


def _ENTRY_PARTS():
    """The entry with its holder, the holder's profile and its community in one query (was three
    lazy loads a verification: bench/README.md, Talent)."""
    from sqlalchemy.orm import joinedload

    from community.accounts.models import User
    from community.talent.models import RegistryEntry

    return [joinedload(RegistryEntry.user).joinedload(User.talent), joinedload(RegistryEntry.community)]


def verify_token(token: str, *, at: datetime | None = None) -> Verdict:
    from community.talent.models import ACTIVE, REVOKED, RegistryEntry

    payload = read_token(token)
    if payload is None:
        return Verdict(False, "forged")
    entry = db.session.get(RegistryEntry, payload["e"], options=_ENTRY_PARTS())
    if entry is None or entry.user_id != payload.get("u"):
        return Verdict(False, "forged")
    at = at or now()
    if not isinstance(payload.get("exp"), int) or datetime.fromtimestamp(payload["exp"], timezone.utc) < at:
        return Verdict(False, "expired", entry)
    if entry.status == REVOKED:
        return Verdict(False, "revoked", entry)
    profile = entry.user.talent
    today = local_today(entry.community.timezone if entry.community else None)
    if entry.status != ACTIVE or profile is None or not profile.is_current(today):
        return Verdict(False, "lapsed", entry)
    return Verdict(True, "ok", entry)
