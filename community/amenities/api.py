"""Amenities JSON API under /api/v1 (the contract is in docs/amenities.md). Handlers parse, scope,
call one operation or query, and serialise; every rule lives in the operations and every error
becomes problem+json in core.errors."""
from flask import jsonify
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.orm import joinedload

from community.amenities import operations as ops
from community.amenities import queries
from community.amenities.models import Resource
from community.amenities.schemas import (
    AvailabilityArgs, AvailabilitySchema, BookingCancelledSchema, BookingCreateArgs, CancelArgs, BookingCreatedSchema,
    BookingListArgs, BookingSchema, RejectArgs, ResourceListArgs, ResourceSchema,
)
from community.core import conditional
from community.core.api import login_required_api, rfc3339
from community.core.clock import local_today
from community.core.pagination import api_page

blp = Blueprint("amenities_api", __name__, url_prefix="/api/v1",
                description="Amenities: resources, availability and bookings")
# Every endpoint here needs a caller; answering 401 before parsing arguments keeps
# anonymous callers from learning anything from validation errors.
blp.before_request(login_required_api)


def _page(stmt, pagination_parameters):
    """Count the scoped statement, then fetch one page of it."""
    return api_page(stmt, pagination_parameters)


class _Cancelled:
    """The booking asked about, plus every booking the request cancelled."""

    def __init__(self, booking, cancelled):
        self._booking = booking
        self.cancelled = cancelled

    def __getattr__(self, name):
        return getattr(self._booking, name)


class _Created:
    """The first booking of a request, plus every occurrence when it was recurring."""

    def __init__(self, bookings):
        self._first = bookings[0]
        self.occurrences = bookings

    def __getattr__(self, name):
        return getattr(self._first, name)


@blp.route("/resources")
@blp.arguments(ResourceListArgs, location="query")
@blp.response(200, ResourceSchema(many=True))
@blp.paginate(page_size=50, max_page_size=100)
def list_resources(args, pagination_parameters):
    """Resources the caller may book (admins: every resource of their communities)."""
    stmt = queries.resources_for(current_user, kind=args.get("kind")).options(joinedload(Resource.community))
    return _page(stmt, pagination_parameters)


@blp.route("/resources/<int:resource_id>")
@blp.response(200, ResourceSchema)
@blp.alt_response(404, description="No such resource, or not visible to the caller")
def get_resource(resource_id):
    """One resource."""
    return queries.resource_for(current_user, resource_id)


@blp.route("/resources/<int:resource_id>/availability")
@blp.arguments(AvailabilityArgs, location="query")
@blp.response(200, AvailabilitySchema)
@blp.alt_response(404, description="No such resource, or not visible to the caller")
def resource_availability(args, resource_id):
    """Slots of `days` local days from `start`: remaining places and a state
    (free, partial, full, closed, past), and `mine` where the caller holds a booking. Computed
    from one query (bookings and closures); the `ETag` names what it shows, and `If-None-Match`
    with it answers 304 Not Modified."""
    resource = queries.resource_for(current_user, resource_id)
    start = args["start"] or local_today(resource.community.timezone)
    read = queries.read_availability([resource], start, args["days"], user=current_user)
    tag = read.tag("api", conditional.locale_part())
    unchanged = conditional.not_modified(tag)  # the client's copy is what we would send: 304
    if unchanged is not None:
        return unchanged
    tz = resource.tz
    slots = [{"start": rfc3339(s.start, tz), "end": rfc3339(s.end, tz),
              "remaining": s.remaining, "state": s.state, "reason": s.reason, "bookable": s.bookable,
              "mine": s.mine}
             for day in read.days_of(resource) for s in day.slots]
    # Already the documented shape (AvailabilitySchema): answering it as is skips a marshmallow
    # dump of every slot, about a quarter of this endpoint's time at a week of 30-minute slots.
    return conditional.tagged(jsonify({"resource_id": resource.id, "timezone": resource.community.timezone,
                                       "start": start.isoformat(), "days": args["days"], "slots": slots}), tag)


@blp.route("/bookings", methods=["POST"])
@blp.arguments(BookingCreateArgs)
@blp.response(201, BookingCreatedSchema)
@blp.alt_response(409, description="Slot full, already booked, or recurring dates conflict (`conflicts`)")
@blp.alt_response(422, description="A booking rule is broken; `code` names it")
def create_booking(body):
    """Book consecutive slots (until `end`, or `slots` of them), or every occurrence of `rrule`
    (all or nothing). The same lookup and operation as the booking page."""
    resource = queries.bookable_resource(current_user, body["resource_id"])
    return _Created(ops.place_booking(current_user, resource, body["start"], end_at=body.get("end"),
                                      slots=body.get("slots"), rrule=body.get("rrule"),
                                      attendees=body.get("attendees")))


@blp.route("/bookings")
@blp.arguments(BookingListArgs, location="query")
@blp.response(200, BookingSchema(many=True))
@blp.paginate(page_size=20, max_page_size=100)
def list_bookings(args, pagination_parameters):
    """The caller's bookings: upcoming (soonest first) or past (latest first)."""
    stmt = queries.bookings_for(current_user, upcoming=args["scope"] == "upcoming")
    return _page(stmt, pagination_parameters)


@blp.route("/bookings/pending")
@blp.response(200, BookingSchema(many=True))
@blp.paginate(page_size=20, max_page_size=100)
def pending_bookings(pagination_parameters):
    """Bookings waiting for approval in the communities the caller administers."""
    return _page(queries.pending_for_admin(current_user), pagination_parameters)


@blp.route("/bookings/<int:booking_id>")
@blp.response(200, BookingSchema)
@blp.alt_response(404, description="No such booking, or neither yours nor in a community you administer")
def get_booking(booking_id):
    """One booking (its owner or an admin of its community)."""
    return queries.booking_for(current_user, booking_id)


@blp.route("/bookings/<int:booking_id>/cancel", methods=["POST"])
@blp.arguments(CancelArgs, required=False)  # a resident cancels with no body at all
@blp.response(200, BookingCancelledSchema)
@blp.alt_response(422, description="Already started (cancel_too_late), not cancellable, or an admin "
                                   "cancelling a resident's booking without a reason (reason_required)")
def cancel_booking(body, booking_id):
    """Cancel; after the cut-off it is recorded as a late cancellation. An admin of the community
    may cancel a resident's booking any time, with a reason the resident sees. `scope`
    "following" cancels the later dates of its series too, "series" every date still to come
    (all or nothing); `cancelled` lists what was cancelled."""
    booking = queries.booking_for(current_user, booking_id)
    cancelled = ops.cancel_in_scope(booking, body["scope"], actor=current_user, reason=body["reason"])
    return _Cancelled(booking, cancelled)


@blp.route("/bookings/<int:booking_id>/checkin", methods=["POST"])
@blp.response(200, BookingSchema)
@blp.alt_response(422, description="Outside the check-in window, or not confirmed")
def check_in_booking(booking_id):
    """"I'm here": check in from 15 minutes before the start until the grace period ends."""
    booking = queries.booking_for(current_user, booking_id)
    via = "self" if booking.user_id == current_user.id else "staff"
    return ops.check_in(booking, actor=current_user, via=via)


@blp.route("/bookings/<int:booking_id>/approve", methods=["POST"])
@blp.response(200, BookingSchema)
@blp.alt_response(403, description="Not an administrator of the booking's community")
def approve_booking(booking_id):
    """Approve a pending booking (community admin)."""
    return ops.approve_booking(queries.booking_for(current_user, booking_id), actor=current_user)


@blp.route("/bookings/<int:booking_id>/reject", methods=["POST"])
@blp.arguments(RejectArgs)
@blp.response(200, BookingSchema)
@blp.alt_response(403, description="Not an administrator of the booking's community")
def reject_booking(body, booking_id):
    """Reject a pending booking with a reason the resident sees (community admin)."""
    return ops.reject_booking(queries.booking_for(current_user, booking_id), actor=current_user,
                              reason=body["reason"])
