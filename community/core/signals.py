"""Domain signals, documented in one place. Listeners connect in each domain's register(app)
(or its package __init__.py), never in another domain's modules.

Every signal is sent by an operation after its flush and audit entry, so a listener sees the rows
with their ids and runs inside the same unit of work: what it writes commits or rolls back with
the request (or job). A signal is never sent when the operation raised. A listener must not
commit, and an exception in a listener fails the operation, so a listener that may fail on its own
(an external call) should leave through the outbox instead. Keyword arguments are keyword-only and
may grow; listeners should accept ``**kwargs``.
"""
from blinker import Namespace

_signals = Namespace()

# -- accounts (community/accounts/operations.py) ----------------------------------------------

user_registered = _signals.signal("user-registered", doc="""
sender: the new User (register_user). No kwargs.""")

role_granted = _signals.signal("role-granted", doc="""
sender: the RoleGrant created (grant_role, verify_resident). No kwargs.""")

role_revoked = _signals.signal("role-revoked", doc="""
sender: the RoleGrant removed (revoke_role); it is already detached from its user. No kwargs.""")

talent_tier_changed = _signals.signal("talent-tier-changed", doc="""
sender: the TalentProfile whose type, tier or valid-until date was set (set_talent), sent on every
call, changed or not. No kwargs.""")

# -- amenities (community/amenities/operations/) ----------------------------------------------

booking_created = _signals.signal("booking-created", doc="""
sender: a Booking just created (book, book_recurring), in its initial status (pending_approval,
pending_payment or confirmed). kwargs: series (the BookingSeries it belongs to, or None). Sent once
for each booking, so a recurring request sends it once an occurrence; booking_series_created
follows once for the whole request.""")

booking_series_created = _signals.signal("booking-series-created", doc="""
sender: the BookingSeries of a recurring request (book_recurring). kwargs: bookings (every
Booking created, in date order). Sent after booking_created of each of them.""")

booking_cancelled = _signals.signal("booking-cancelled", doc="""
sender: the Booking a person cancelled (cancel_booking), or the office cancelled with a change of its
resource (a closure, fewer places, other hours, closing or archiving: operations.resources). kwargs:
actor (who cancelled), by_office (True when an administrator cancelled someone else's booking; its
decision_reason says why), late (cancelled after the resource's cut-off). A booking cancelled after
it was paid keeps paid_at: amenities.rules.refund_due(booking) says its fee is owed back (the
payments domain's hook). Expiry by the job is booking_status_changed.""")

booking_status_changed = _signals.signal("booking-status-changed", doc="""
sender: the Booking whose status changed other than by creation or cancel_booking: approved
(approve_booking), rejected (reject_booking), paid (mark_paid), checked in (check_in,
check_in_by_qr), released as a no-show (release_no_shows) or cancelled as unconfirmed at its start
(expire_unconfirmed). kwargs: previous (the status before), actor (the person, or None for a job
or a payment webhook).""")

# -- apartments (community/apartments/operations/) --------------------------------------------

round_allocated = _signals.signal("round-allocated", doc="""
sender: the Round just allocated (commit_allocation). kwargs: actor, offers (every Offer made).""")

offer_accepted = _signals.signal("offer-accepted", doc="""
sender: the Offer a resident accepted (accept_offer); its unit is now reserved. kwargs: lease_draft
(the LeaseDraft with unit, resident, dates, rent and deposit), actor. The leases domain listens to
turn the draft into a lease.""")

offer_closed = _signals.signal("offer-closed", doc="""
sender: the Offer declined by its resident (decline_offer) or expired (expire_offers). kwargs:
status ("declined" or "expired"), passed_to (the next Offer of the unit, or None when the waitlist
had nobody for it).""")
