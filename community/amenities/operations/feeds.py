"""The private iCalendar feed: issue, rotate and revoke a user's feed URL.

The URL token is tokens.signed("calendar-feed", user id, nonce), derived again whenever the page
shows it (queries.feed_url_token); the row keeps only its digest for the lookup, so a database
leak alone reveals no URL, and a new nonce (rotation) kills the old one."""
from community.amenities.models import CalendarFeed
from community.amenities.queries import feed_of, feed_url_token
from community.core import audit, tokens
from community.core.clock import now
from community.extensions import db

NONCE_BYTES = 16  # 22 characters; calendar_feeds.nonce is varchar(32)


def feed_token(user, *, rotate: bool = False) -> str:
    """The user's feed URL token: the same one every time, a new one (old URL dead) when rotating
    or when the feed had been revoked."""
    feed = feed_of(user)
    fresh = feed is None or rotate or feed.revoked_at is not None
    if feed is None:
        feed = CalendarFeed(user_id=user.id)
        db.session.add(feed)
    if fresh:
        feed.nonce = tokens.generate(NONCE_BYTES)
        feed.created_at = now()
        feed.revoked_at = None
    token = feed_url_token(feed)
    # Also re-derives the digest when SECRET_KEY changed: the page must show a URL that works.
    if feed.token_hash != tokens.digest(token):
        feed.token_hash = tokens.digest(token)
    db.session.flush()
    if fresh:
        audit.record(user, "amenity.feed_issued", feed, community_id=user.community_id, rotated=rotate)
    return token


def revoke_feed(user, *, actor=None) -> None:
    """Kill the feed URL; feed_token() issues a new one when asked again."""
    feed = feed_of(user)
    if feed is None or feed.revoked_at is not None:
        return
    feed.revoked_at = now()
    db.session.flush()
    audit.record(actor or user, "amenity.feed_revoked", feed, community_id=user.community_id)
