"""Card tokens: valid, expired, tampered, signed by another key, revoked or lapsed holder."""
import base64
import json
from datetime import datetime, timedelta, timezone

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from community.core import clock
from community.talent import card
from community.talent import operations as ops


def test_a_fresh_token_is_valid(db, entered):
    _resident, entry = entered
    token, expires = card.issue_token(entry)
    verdict = card.verify_token(token)
    assert (verdict.valid, verdict.reason, verdict.tier) == (True, "ok", "senior")
    assert expires - clock.now() <= timedelta(seconds=card.CARD_TOKEN_SECONDS)


def test_an_expired_token_is_refused(db, entered):
    _resident, entry = entered
    token, _ = card.issue_token(entry)
    verdict = card.verify_token(token, at=clock.now() + timedelta(seconds=card.CARD_TOKEN_SECONDS + 1))
    assert (verdict.valid, verdict.reason) == (False, "expired")


def test_a_tampered_token_is_forged(db, entered):
    _resident, entry = entered
    token, _ = card.issue_token(entry)
    prefix, body, signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["t"] = "senior" if payload["t"] != "senior" else "junior"
    forged_body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    assert card.verify_token(f"{prefix}.{forged_body}.{signature}").reason == "forged"
    assert card.verify_token("nonsense").reason == "forged"
    assert card.verify_token("TC1.x.y").reason == "forged"


def test_a_token_signed_by_another_key_is_forged(db, entered):
    _resident, entry = entered
    token, _ = card.issue_token(entry, key=Ed25519PrivateKey.generate())
    assert card.verify_token(token).reason == "forged"


def test_offline_verification_with_the_published_key(db, entered):
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    _resident, entry = entered
    token, _ = card.issue_token(entry)
    public = load_pem_public_key(card.public_key_pem().encode())
    assert card.read_token(token, public_key=public)["e"] == entry.id


def test_a_revoked_holder_is_refused(db, entered, community_admin):
    _resident, entry = entered
    token, _ = card.issue_token(entry)
    ops.revoke_entry(entry, actor=community_admin, reason="unlawful")
    db.session.commit()
    assert card.verify_token(token).reason == "revoked"


def test_a_lapsed_holder_is_refused(db, entered):
    _resident, entry = entered
    clock.freeze(datetime(2027, 6, 11, 4, tzinfo=timezone.utc))
    token, _ = card.issue_token(entry)
    assert card.verify_token(token).reason == "lapsed"


def test_configured_key_is_used(db, entered, app):
    from cryptography.hazmat.primitives import serialization

    _resident, entry = entered
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    app.config["TALENT_CARD_SIGNING_KEY"] = pem
    try:
        assert card.public_key_pem() == card.public_key_pem(key)
        token, _ = card.issue_token(entry)
        assert card.verify_token(token).valid
    finally:
        app.config.pop("TALENT_CARD_SIGNING_KEY")
