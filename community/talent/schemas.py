"""Marshmallow schemas of the talent API (the contract is in docs/talent.md and issue 11)."""
from marshmallow import Schema, fields, validate

from community.core.fields import JSONBoolean
from community.talent.models import APPLICATION_STATUSES, TIERS

TALENT_STATUSES = ("unverified", "pending", "verified", "expired", "revoked")


class TalentStatusSchema(Schema):
    type = fields.String(allow_none=True)
    tier = fields.String(allow_none=True, metadata={"enum": list(TIERS)})
    valid_until = fields.Date(allow_none=True)
    status = fields.String(metadata={"enum": list(TALENT_STATUSES)})
    certificate_no = fields.String(allow_none=True)


class CriteriaSchema(Schema):
    junior = fields.String()
    intermediate = fields.String()
    senior = fields.String()


class TalentTypeSchema(Schema):
    code = fields.String()
    name = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    criteria = fields.Nested(CriteriaSchema)


class TalentApplicationCreateArgs(Schema):
    type = fields.String(required=True, validate=validate.Length(min=1, max=32))
    tier = fields.String(required=True, validate=validate.OneOf(TIERS))
    employer = fields.String(required=True, validate=validate.Length(min=1, max=120))
    statement = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    position = fields.String(load_default="", validate=validate.Length(max=120))
    years_in_field = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=80))
    draft = JSONBoolean(load_default=False, metadata={"description": "Save without submitting"})


class TalentApplicationCreatedSchema(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"enum": list(APPLICATION_STATUSES)})
    stage = fields.String(allow_none=True, metadata={"description": "Name of the stage it is at"})


class TalentEventSchema(Schema):
    at = fields.String()
    action = fields.String()
    stage = fields.String(allow_none=True)
    tier = fields.String(allow_none=True)
    message = fields.String()


class TalentApplicationSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    type = fields.String()
    claimed_tier = fields.String()
    tier = fields.String()
    employer = fields.String()
    position = fields.String()
    statement = fields.String()
    status = fields.String(metadata={"enum": list(APPLICATION_STATUSES)})
    stage = fields.String(allow_none=True)
    notice_until = fields.Date(allow_none=True)
    timeline = fields.List(fields.Nested(TalentEventSchema))


class CardSchema(Schema):
    token = fields.String()
    expires_at = fields.String(metadata={"format": "date-time"})


class VerifyArgs(Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class VerdictSchema(Schema):
    valid = fields.Boolean()
    reason = fields.String(metadata={"enum": ["ok", "forged", "expired", "revoked", "lapsed"]})
    tier = fields.String(allow_none=True)
    name_masked = fields.String(allow_none=True)
    valid_until = fields.Date(allow_none=True)


class PublicKeySchema(Schema):
    algorithm = fields.String()
    public_key_pem = fields.String()
    token_format = fields.String()
