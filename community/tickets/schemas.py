"""Marshmallow schemas of the tickets API. Times are ISO 8601 with the community's offset.

Replies are dumped from a list the handler has already scoped (a resident's never holds an
internal note); the ``internal`` field tells staff which of theirs are notes."""
from zoneinfo import ZoneInfo

from marshmallow import Schema, fields, validate

from community.core.api import rfc3339
from community.core.fields import JSONBoolean
from community.core.urls import external_url
from community.tickets import rules
from community.tickets.models import LOCATION_KINDS, PRIORITIES, STATUSES

DATE_TIME = {"type": "string", "format": "date-time"}


def _local(instant, ticket):
    return rfc3339(instant, ZoneInfo(ticket.community.timezone)) if instant else None


class CategorySchema(Schema):
    id = fields.Integer()
    community_id = fields.Integer()
    name = fields.String()
    description = fields.String()
    default_priority = fields.String(metadata={"enum": list(PRIORITIES)})


class PersonSchema(Schema):
    id = fields.Integer()
    name = fields.String(attribute="display_name")


class TicketCreateArgs(Schema):
    category_id = fields.Integer(required=True, strict=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=rules.TITLE_MAX))
    description = fields.String(required=True, validate=validate.Length(min=1, max=rules.DESCRIPTION_MAX))
    location_kind = fields.String(load_default="public", validate=validate.OneOf(LOCATION_KINDS),
                                  metadata={"description": "building (give building_id) or public (a public area)"})
    building_id = fields.Integer(strict=True, allow_none=True, load_default=None)
    location_detail = fields.String(load_default="", validate=validate.Length(max=rules.DETAIL_MAX))
    contact_time = fields.String(load_default="", validate=validate.Length(max=rules.CONTACT_MAX),
                                 metadata={"description": "When the resident prefers to be contacted"})


class TicketListArgs(Schema):
    scope = fields.String(validate=validate.OneOf(["filed", "mine", "unassigned", "all"]),
                          metadata={"description": "filed: requests the caller filed (a resident's default); "
                                                   "mine: assigned to the caller (staff default); unassigned: the "
                                                   "community queue; all: every request of the caller's communities"})
    status = fields.String(load_default="", validate=validate.OneOf(["", "open", "any", *STATUSES]))
    q = fields.String(load_default="", validate=validate.Length(max=100))


class ReplyFileSchema(Schema):
    """A file of a reply. ``url`` is absolute (PUBLIC_BASE_URL) and serves the file to the same
    caller (session or bearer token) only while they may see the reply: staff of the community,
    or the ticket's resident for a public reply; anyone else gets 404."""
    id = fields.Integer()
    name = fields.String(attribute="original_name", metadata={"example": "answer-form.pdf"})
    size = fields.Integer(metadata={"description": "Bytes"})
    content_type = fields.String(attribute="mimetype", metadata={"example": "application/pdf"})
    url = fields.Function(lambda a: external_url("attachments.download", attachment_id=a.id, name=a.file_name),
                          metadata={"type": "string", "format": "uri"})


class ReplySchema(Schema):
    id = fields.Integer()
    body = fields.String()
    internal = fields.Boolean()
    author = fields.Nested(PersonSchema, allow_none=True)
    created_at = fields.Function(lambda r: _local(r.created_at, r.ticket), metadata=DATE_TIME)
    files = fields.List(fields.Nested(ReplyFileSchema),
                        metadata={"description": "The reply's files (images, PDFs); an internal note's only for staff"})


class TicketSchema(Schema):
    id = fields.Integer()
    reference = fields.String(metadata={"example": "TC-2026-000123"})
    community_id = fields.Integer()
    category_id = fields.Integer()
    category = fields.Function(lambda t: t.category.name, metadata={"type": "string"})
    title = fields.String()
    description = fields.String()
    status = fields.String(metadata={"enum": list(STATUSES)})
    priority = fields.String(metadata={"enum": list(PRIORITIES)})
    assignee = fields.Nested(PersonSchema, allow_none=True)
    location_kind = fields.String(metadata={"enum": list(LOCATION_KINDS)})
    building_id = fields.Integer(allow_none=True)
    location_detail = fields.String()
    contact_time = fields.String()
    created_at = fields.Function(lambda t: _local(t.created_at, t), metadata=DATE_TIME)
    first_response_due_at = fields.Function(lambda t: _local(t.first_response_due_at, t), allow_none=True,
                                            metadata=DATE_TIME)
    resolution_due_at = fields.Function(lambda t: _local(t.resolution_due_at, t), allow_none=True, metadata=DATE_TIME)
    first_response_at = fields.Function(lambda t: _local(t.first_response_at, t), allow_none=True, metadata=DATE_TIME)
    resolved_at = fields.Function(lambda t: _local(t.resolved_at, t), allow_none=True, metadata=DATE_TIME)
    closed_at = fields.Function(lambda t: _local(t.closed_at, t), allow_none=True, metadata=DATE_TIME)
    rating = fields.Integer(allow_none=True)
    rating_comment = fields.String()


class TicketDetailSchema(TicketSchema):
    replies = fields.List(fields.Nested(ReplySchema),
                          metadata={"description": "Public replies; staff also get internal notes (internal=true)"})


class ReplyArgs(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=rules.BODY_MAX))
    internal = JSONBoolean(load_default=False,
                              metadata={"description": "Staff only: an internal note; a resident's is refused (403)"})


class StatusArgs(Schema):
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    reason = fields.String(load_default="", validate=validate.Length(max=rules.REASON_MAX))


class RatingArgs(Schema):
    score = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=5))
    comment = fields.String(load_default="", validate=validate.Length(max=rules.COMMENT_MAX))
