"""Amenities: bookable shared resources (rooms, gym, laundry, bars), bookings, check-in, no-shows
and the private iCalendar feed. See docs/amenities.md."""
