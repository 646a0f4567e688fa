"""Amenities: bookable shared resources (rooms, gym, laundry, bars), bookings, check-in, no-shows
and the private iCalendar feed. See docs/amenities.md."""
from community.amenities import audit_labels  # noqa: F401,E402  (registers the audit log's labels)
