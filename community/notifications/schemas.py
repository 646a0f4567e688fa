"""Marshmallow schemas of the notifications API. Texts come written out in the caller's language;
times are ISO 8601 with the caller's offset."""
from marshmallow import Schema, fields


class NoticeListArgs(Schema):
    read = fields.Boolean(load_default=None, allow_none=True,
                          metadata={"description": "true: read notices only; false: unread only; absent: all"})


class NoticeSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": 'What happened, "<domain>.<event>", e.g. amenities.booking_approved'})
    group = fields.String(allow_none=True, metadata={"description": "The event group its e-mails are chosen by"})
    subject = fields.String(metadata={"description": "One line, in the caller's language (plain text)"})
    body = fields.String(metadata={"description": "The details, in the caller's language (plain text)"})
    url = fields.String(allow_none=True, metadata={"description": "Page on this site the notice leads to, or null"})
    object_type = fields.String(allow_none=True, metadata={"description": '"<domain>.<Model>", e.g. amenities.Booking'})
    object_id = fields.Integer(allow_none=True)
    params = fields.Dict(metadata={"description": "The values the texts were written from"})
    read = fields.Boolean()
    created_at = fields.String(metadata={"format": "date-time"})
    read_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class ReadAllSchema(Schema):
    marked = fields.Integer(metadata={"description": "How many notices were unread and are now read"})
