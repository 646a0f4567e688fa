"""Marshmallow schemas of the amenities API. Times are ISO 8601 with the community's offset;
money is {"amount": fen, "currency": "CNY"}."""
import os

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from community.amenities.models import BOOKING_STATUSES, RESOURCE_KINDS, RESOURCE_STATUSES
from community.amenities.operations.booking import CANCEL_SCOPES
from community.amenities.queries import MAX_AVAILABILITY_DAYS, STATES
from community.amenities.rules import MAX_SLOTS_PER_BOOKING
from community.core.api import date_field, instant_field, rfc3339
from community.core.urls import external_url

DATE_TIME = {"type": "string", "format": "date-time"}


def local_iso(instant, resource):
    """An instant as ISO 8601 in the resource's community time zone (offset included; RFC 3339)."""
    return rfc3339(instant, resource.tz)


class MoneySchema(Schema):
    amount = fields.Integer(attribute="fen", metadata={"description": "Integer fen (1/100 yuan)"})
    currency = fields.String()


class ResourceListArgs(Schema):
    kind = fields.String(validate=validate.OneOf(RESOURCE_KINDS))


class ResourceSchema(Schema):
    id = fields.Integer()
    community_id = fields.Integer()
    name = fields.String()
    kind = fields.String(metadata={"enum": list(RESOURCE_KINDS)})
    status = fields.String(metadata={"enum": list(RESOURCE_STATUSES)})
    location = fields.String()
    description = fields.String()
    capacity = fields.Integer()
    slot_minutes = fields.Integer()
    timezone = fields.Function(lambda r: r.community.timezone, metadata={"type": "string"})
    opening_hours = fields.Dict(metadata={"description": 'Weekday "0" (Monday) .. "6" -> [["HH:MM", "HH:MM"], ...]'})
    booking_window_days = fields.Integer()
    min_notice_minutes = fields.Integer()
    max_bookings_per_day = fields.Integer(allow_none=True)
    max_bookings_per_week = fields.Integer(allow_none=True)
    max_minutes_per_day = fields.Integer(allow_none=True)
    max_minutes_per_week = fields.Integer(allow_none=True)
    cancel_cutoff_minutes = fields.Integer()
    requires_approval = fields.Boolean()
    fee = fields.Nested(MoneySchema, metadata={"description": "Fee per slot"})
    checkin_grace_minutes = fields.Integer()
    max_attendees = fields.Integer(allow_none=True)
    visible_tiers = fields.List(fields.String(), metadata={"description": "Empty: every resident"})
    photo_url = fields.Method("get_photo_url", allow_none=True,
                              metadata={"type": "string", "format": "uri",
                                        "description": "The photo (same login or token needed), or null"})

    def get_photo_url(self, resource):
        if not resource.photo_path:
            return None
        return external_url("amenities.photo", resource_id=resource.id, name=os.path.basename(resource.photo_path))


class AvailabilityArgs(Schema):
    start = date_field(load_default=None, metadata={"description": "YYYY-MM-DD, default today (community time)."})
    days = fields.Integer(load_default=7, validate=validate.Range(min=1, max=MAX_AVAILABILITY_DAYS))


class SlotSchema(Schema):
    start = fields.String(metadata=DATE_TIME)
    end = fields.String(metadata=DATE_TIME)
    remaining = fields.Integer()
    state = fields.String(metadata={"enum": list(STATES)})
    reason = fields.String(metadata={"description": "Why the slot is closed, when it is"})
    bookable = fields.Boolean(metadata={"description": "Free or partly free, inside the booking window and notice, "
                                                       "and not already the caller's"})
    mine = fields.Boolean(metadata={"description": "The caller holds a booking in this slot"})


class AvailabilitySchema(Schema):
    resource_id = fields.Integer()
    timezone = fields.String()
    start = fields.Date()
    days = fields.Integer()
    slots = fields.List(fields.Nested(SlotSchema))


class BookingCreateArgs(Schema):
    resource_id = fields.Integer(required=True, strict=True)
    start = instant_field(required=True, metadata={"description": "ISO 8601 with offset, a slot start."})
    end = instant_field(metadata={"description": "ISO 8601 with offset, a slot end; or give slots instead."})
    slots = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_SLOTS_PER_BOOKING),
                           metadata={"description": "How many consecutive slots from start (instead of end)"})
    attendees = fields.Integer(strict=True, validate=validate.Range(min=1, max=10_000), allow_none=True)
    rrule = fields.String(validate=validate.Length(min=1, max=255), allow_none=True,
                          metadata={"description": "RFC 5545 subset, e.g. FREQ=WEEKLY;COUNT=4: all or nothing"})

    @validates_schema(skip_on_field_errors=False)
    def end_or_slots(self, data, **kwargs):
        if ("end" in data) == ("slots" in data):
            raise ValidationError(_("Give either end or slots."), field_name="end")


class BookingSchema(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"enum": list(BOOKING_STATUSES)})
    resource_id = fields.Integer()
    resource_name = fields.Function(lambda b: b.resource.name, metadata={"type": "string"})
    community_id = fields.Integer()
    start = fields.Function(lambda b: local_iso(b.start_at, b.resource), metadata=DATE_TIME)
    end = fields.Function(lambda b: local_iso(b.end_at, b.resource), metadata=DATE_TIME)
    attendees = fields.Integer(allow_none=True)
    series_id = fields.Integer(allow_none=True)
    qr_token = fields.String(metadata={"description": "What the booking's QR code encodes"})
    fee = fields.Nested(MoneySchema)
    late_cancel = fields.Boolean()
    cancelled_at = fields.Function(lambda b: local_iso(b.cancelled_at, b.resource), allow_none=True, metadata=DATE_TIME)
    checked_in_at = fields.Function(lambda b: local_iso(b.checked_in_at, b.resource), allow_none=True, metadata=DATE_TIME)
    paid_at = fields.Function(lambda b: local_iso(b.paid_at, b.resource), allow_none=True, metadata=DATE_TIME)
    decision_reason = fields.String()
    created_at = fields.Function(lambda b: local_iso(b.created_at, b.resource), metadata=DATE_TIME)


class BookingCreatedSchema(BookingSchema):
    occurrences = fields.List(fields.Nested(BookingSchema),
                              metadata={"description": "Every booking of a recurring request (first one above)"})


class BookingListArgs(Schema):
    scope = fields.String(load_default="upcoming", validate=validate.OneOf(["upcoming", "past"]))


class CancelArgs(Schema):
    reason = fields.String(validate=validate.Length(max=255), load_default="",
                           metadata={"description": "Required when an admin cancels a resident's booking; "
                                                    "the resident sees it"})
    scope = fields.String(load_default="this", validate=validate.OneOf(CANCEL_SCOPES),
                          metadata={"description": "this: the one booking; following: it and the later dates "
                                                   "of its series; series: every date of its series still to "
                                                   "come. All or nothing."})


class BookingCancelledSchema(BookingSchema):
    cancelled = fields.List(fields.Nested(BookingSchema),
                            metadata={"description": "Every booking this request cancelled, soonest first"})


class RejectArgs(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=255))
