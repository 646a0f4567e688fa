"""Every write of the amenities domain, one module a subject; each flushes, audits and sends its
signal, never commits. Callers use this package's names (``from community.amenities import
operations as ops``; ``ops.book(...)``); the modules are how the code is organised:

  resources   settings, photos, status and closures of a resource (the office)
  booking     book, book_recurring, place_booking, cancel (one booking, or a series from a date or
              whole), approve, reject, mark_paid, mark_unpaid, and the resource lock that keeps capacity exact
  attendance  check-in (self, staff, QR), no-shows, suspensions, expiry of unconfirmed bookings
  feeds       the private calendar feed URL: issue, rotate, revoke
  access      the office-only check they share

The rules themselves are pure functions in amenities.rules; the reads (suspensions, tiers, feed
owners) are in amenities.queries.
"""
from community.amenities.operations.attendance import check_in, check_in_by_qr, expire_unconfirmed, release_no_shows
from community.amenities.operations.booking import (
    CANCEL_SCOPES, approve_booking, book, book_recurring, cancel_booking, cancel_in_scope, cancel_series, mark_paid,
    mark_unpaid,
    place_booking, reject_booking,
)
from community.amenities.operations.feeds import feed_token, revoke_feed
from community.amenities.operations.resources import (
    add_closure, create_resource, photo_refusal_message, remove_closure, remove_resource_photo,
    set_resource_photo, set_resource_status, update_resource,
)

__all__ = [
    "add_closure", "approve_booking", "book", "book_recurring", "CANCEL_SCOPES", "cancel_booking", "cancel_in_scope", "cancel_series", "check_in", "check_in_by_qr",
    "create_resource", "expire_unconfirmed", "feed_token", "mark_paid", "mark_unpaid", "photo_refusal_message",
    "place_booking", "reject_booking", "release_no_shows", "remove_closure", "remove_resource_photo",
    "revoke_feed", "set_resource_photo", "set_resource_status", "update_resource",
]
