"""Marshmallow schemas of the leases API. Money is integer fen with ``currency`` beside it;
dates are ISO 8601 days in the community's calendar."""
from marshmallow import Schema, fields

from community.core.fields import JSONBoolean
from community.leases.operations.leases import terms_digest


class SignatureSchema(Schema):
    party = fields.String()
    terms_version = fields.String()
    signed_at = fields.DateTime()


class LeaseSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    unit = fields.Function(lambda lease: f"{lease.unit.building.name} {lease.unit.number}",
                           metadata={"type": "string"})
    unit_id = fields.Integer()
    starts_on = fields.Date()
    ends_on = fields.Date()
    rent = fields.Integer(attribute="rent_fen", metadata={"description": "Monthly rent, integer fen"})
    deposit = fields.Integer(attribute="deposit_fen", metadata={"description": "Integer fen"})
    currency = fields.String()
    payment_day = fields.Integer()
    notice_days = fields.Integer()
    co_occupants = fields.List(fields.String())
    terms_version = fields.String()
    terms_sha256 = fields.Function(terms_digest, metadata={"type": "string"})
    signatures = fields.List(fields.Nested(SignatureSchema))


class LeaseBillSchema(Schema):
    id = fields.Integer()
    lease_id = fields.Integer()
    period_start = fields.Date()
    period_end = fields.Date()
    issued_on = fields.Date()
    due_on = fields.Date()
    rent = fields.Integer(attribute="rent_fen", metadata={"description": "Rent for the period, integer fen"})
    subsidy = fields.Integer(attribute="subsidy_fen", metadata={"description": "Talent subsidy, integer fen"})
    amount_due = fields.Integer(attribute="amount_due_fen", metadata={"description": "rent - subsidy, fen"})
    currency = fields.String()
    tier = fields.String(allow_none=True)
    subsidy_percent = fields.Integer()
    status = fields.String(metadata={"description": "open, paid, overdue or waived"})


class LeaseNoticeArgs(Schema):
    ends_on = fields.Date(load_default=None, metadata={"description": "Last day; default the earliest allowed"})
    confirm = JSONBoolean(load_default=True, metadata={"description": "false: only answer the day, change nothing"})


class LeaseNoticeSchema(Schema):
    ends_on = fields.Date()
    confirmed = fields.Boolean()
    lease = fields.Nested(LeaseSchema, allow_none=True)


class LeaseRenewalArgs(Schema):
    starts_on = fields.Date(load_default=None, metadata={"description": "Must be the day after the lease ends"})
    ends_on = fields.Date(load_default=None, metadata={"description": "Last day of the new term; default 12 months"})
    confirm = JSONBoolean(load_default=True)


class LeaseRenewalSchema(Schema):
    id = fields.Integer(allow_none=True)
    status = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    confirmed = fields.Boolean()
