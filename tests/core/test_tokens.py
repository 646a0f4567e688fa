"""core.tokens: random tokens, their stored digests, signed tokens; and that the digests already
stored (API tokens, calendar feeds) keep matching."""
import hashlib
import hmac
import re
from base64 import urlsafe_b64encode

import pytest
import sqlalchemy as sa

from community.core import tokens

URL_SAFE = re.compile(r"^[A-Za-z0-9_-]+$")


def test_generate_is_url_safe_random_and_sized():
    made = {tokens.generate() for _ in range(200)}
    assert len(made) == 200
    assert all(URL_SAFE.match(t) and len(t) == 32 for t in made)  # 24 bytes -> 32 characters
    assert len(tokens.generate(16)) == 22 and len(tokens.generate(32)) == 43


def test_digest_is_plain_sha256_hex_as_stored_before():
    assert tokens.digest("tc_abc") == hashlib.sha256(b"tc_abc").hexdigest()
    assert len(tokens.digest("x")) == 64
    assert tokens.digest("口令") == hashlib.sha256("口令".encode()).hexdigest()


def test_matches_compares_with_the_stored_digest():
    stored = tokens.digest("secret-token")
    assert tokens.matches("secret-token", stored)
    assert not tokens.matches("secret-tokeN", stored)
    assert not tokens.matches("", stored) and not tokens.matches(None, stored)
    assert not tokens.matches("secret-token", None) and not tokens.matches("secret-token", "")


def test_signed_is_hmac_sha256_of_the_joined_parts(app):
    key = b"k" * 32
    expected = urlsafe_b64encode(hmac.new(key, b"calendar-feed:7:abc", hashlib.sha256).digest()).rstrip(b"=").decode()
    assert tokens.signed("calendar-feed", 7, "abc", key=key) == expected
    assert len(expected) == 43 and URL_SAFE.match(expected)
    with app.app_context():
        under_secret = tokens.signed("calendar-feed", 7, "abc")
        assert under_secret == tokens.signed("calendar-feed", 7, "abc", key=app.config["SECRET_KEY"])
        assert under_secret != expected


def test_a_signed_token_is_bound_to_its_purpose_and_parts():
    key = "secret"
    token = tokens.signed("card", 1, "2027-01-01", key=key)
    assert tokens.signature_matches(token, "card", 1, "2027-01-01", key=key)
    assert not tokens.signature_matches(token, "voucher", 1, "2027-01-01", key=key)
    assert not tokens.signature_matches(token, "card", 2, "2027-01-01", key=key)
    assert not tokens.signature_matches(token, "card", 1, "2027-01-01", key="other")
    assert not tokens.signature_matches(None, "card", 1, key=key) and not tokens.signature_matches("", "card", key=key)


def test_parts_may_not_contain_the_separator():
    """Else ("a:b", "c") and ("a", "b:c") would sign the same message."""
    for purpose, parts in (("feed", ("a:b", "c")), ("feed", ("a", "b:c")), ("fe:ed", ())):
        with pytest.raises(ValueError):
            tokens.signed(purpose, *parts, key="k")


def test_existing_api_tokens_keep_working(client, db, resident):
    """A row written with sha256 hex before core.tokens existed still authenticates."""
    from datetime import timedelta

    from community.accounts.models import ApiToken
    from community.core.clock import now

    clear = "tc_" + "legacy" * 6
    db.session.add(ApiToken(user_id=resident.id, token_hash=hashlib.sha256(clear.encode()).hexdigest(),
                            name="old", expires_at=now() + timedelta(days=30)))
    db.session.commit()
    response = client.get("/api/v1/bookings", headers={"Authorization": f"Bearer {clear}"})
    assert response.status_code == 200


def test_existing_calendar_feeds_keep_working(app, client, db, resident):
    """A feed row from before: nonce of 32 hex characters, token_hash = sha256 of the HMAC token."""
    from community.amenities.models import CalendarFeed

    nonce = "0123456789abcdef" * 2
    mac = hmac.new(app.config["SECRET_KEY"].encode(), f"calendar-feed:{resident.id}:{nonce}".encode(), hashlib.sha256)
    url_token = urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()
    db.session.add(CalendarFeed(user_id=resident.id, nonce=nonce, token_hash=hashlib.sha256(url_token.encode()).hexdigest()))
    db.session.commit()
    response = client.get(f"/amenities/calendar/{url_token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    from community.amenities import queries

    feed = db.session.scalar(sa.select(CalendarFeed))
    assert queries.feed_url_token(feed) == url_token
