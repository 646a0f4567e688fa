"""Marshmallow schemas of the apartments API. Times are ISO 8601 with the community's offset;
money is {"amount": fen, "currency": "CNY"}."""
from zoneinfo import ZoneInfo

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from community.apartments.models import LAYOUTS, OFFER_STATUSES, OUTCOMES, ROUND_STATUSES
from community.apartments.presentation import reason_text
from community.core.api import rfc3339


def _tz(round_):
    return ZoneInfo(round_.community.timezone)


class ApartmentMoneySchema(Schema):
    amount = fields.Integer(attribute="fen", metadata={"description": "Integer fen (1/100 yuan)"})
    currency = fields.String()


class PreferenceSchema(Schema):
    layout = fields.String(validate=validate.OneOf(LAYOUTS))
    building_id = fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1))

    @validates_schema
    def one_of_the_two(self, data, **kwargs):
        if len(data) != 1:
            raise ValidationError("Give either layout or building_id.")


class ApplicationCreateArgs(Schema):
    preferences = fields.List(fields.Nested(PreferenceSchema), required=True,
                              validate=validate.Length(min=1, max=10),
                              metadata={"description": "Ranked, most wanted first"})


class OfferedUnitSchema(Schema):
    id = fields.Integer()
    building_id = fields.Integer()
    building = fields.Function(lambda u: u.building.name, metadata={"type": "string"})
    number = fields.String()
    floor = fields.Integer()
    layout = fields.String(metadata={"enum": list(LAYOUTS)})
    area_m2 = fields.Function(lambda u: u.area_text, metadata={"type": "string", "description": "Decimal text"})
    orientation = fields.String()
    furnished = fields.Boolean()
    accessible = fields.Boolean()
    rent = fields.Nested(ApartmentMoneySchema)
    deposit = fields.Function(lambda u: {"amount": u.deposit_fen, "currency": u.currency},
                              metadata={"type": "object"})
    status = fields.String()


class RoundSchema(Schema):
    id = fields.Integer()
    community_id = fields.Integer()
    title = fields.String()
    announcement = fields.String()
    status = fields.String(metadata={"enum": list(ROUND_STATUSES)})
    opens_at = fields.Function(lambda r: rfc3339(r.opens_at, _tz(r)), metadata={"type": "string", "format": "date-time"})
    closes_at = fields.Function(lambda r: rfc3339(r.closes_at, _tz(r)), metadata={"type": "string", "format": "date-time"})
    is_open = fields.Boolean()
    talent_types = fields.List(fields.String())
    min_tier = fields.String(allow_none=True)
    district = fields.String()
    require_no_lease = fields.Boolean()
    recent_allocation_months = fields.Integer()
    household_sizes = fields.Dict(metadata={"description": "layout -> [min, max] people"})
    tier_points = fields.Dict()
    points_per_waiting_month = fields.Integer()
    points_per_member = fields.Integer()
    priority_industry_points = fields.Integer()
    priority_industries = fields.List(fields.String())
    offer_days = fields.Integer()
    seed_hash = fields.String(allow_none=True, metadata={"description": "SHA-256 of the lottery seed"})
    seed = fields.String(allow_none=True, metadata={"description": "Revealed once allocated, else null"})
    units = fields.List(fields.Nested(OfferedUnitSchema))


class RoundSummarySchema(RoundSchema):
    class Meta:
        exclude = ("units",)


class ReasonSchema(Schema):
    code = fields.String()
    message = fields.String()


class EligibilitySchema(Schema):
    eligible = fields.Boolean()
    reasons = fields.List(fields.Nested(ReasonSchema))


class ApplicationSchema(Schema):
    id = fields.Integer()
    round_id = fields.Integer()
    round_title = fields.Function(lambda a: a.round.title, metadata={"type": "string"})
    status = fields.String()
    preferences = fields.List(fields.Dict())
    created_at = fields.Function(lambda a: rfc3339(a.created_at, _tz(a.round)), metadata={"type": "string"})
    rank = fields.Integer(allow_none=True)
    score = fields.Integer(allow_none=True)
    score_breakdown = fields.Dict(allow_none=True)
    lottery_number = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True, metadata={"enum": list(OUTCOMES)})
    unit_id = fields.Integer(allow_none=True)
    reasons = fields.Method("get_reasons", metadata={"type": "array"})

    def get_reasons(self, application):
        return [{"code": r["code"], "message": str(reason_text(r))} for r in application.outcome_reasons or ()]


class LeaseDraftSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    starts_on = fields.Date()
    ends_on = fields.Date()
    rent = fields.Nested(ApartmentMoneySchema)
    deposit = fields.Function(lambda d: {"amount": d.deposit_fen, "currency": d.currency}, metadata={"type": "object"})


class OfferSchema(Schema):
    id = fields.Integer()
    round_id = fields.Integer()
    application_id = fields.Integer()
    unit = fields.Nested(OfferedUnitSchema)
    status = fields.String(metadata={"enum": list(OFFER_STATUSES)})
    expires_at = fields.Function(lambda o: rfc3339(o.expires_at, _tz(o.round)), metadata={"type": "string"})
    lease_draft = fields.Nested(LeaseDraftSchema, allow_none=True)
