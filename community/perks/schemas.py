"""Marshmallow schemas of the perks API (the contract is in docs/perks.md)."""
from marshmallow import Schema, fields, validate

from zoneinfo import ZoneInfo

from community.core.api import rfc3339
from community.core.clock import local_today
from community.perks import codes
from community.perks.models import CATEGORIES, VOUCHER_STATUSES
from community.perks.rules import mask_name, voucher_validity


def _local(instant, merchant):
    return rfc3339(instant, ZoneInfo(merchant.community.timezone)) if instant else None


def _validity(campaign):
    return voucher_validity(campaign, local_today(campaign.merchant.community.timezone))


class FaceValueSchema(Schema):
    amount = fields.Integer(attribute="fen", metadata={"description": "Integer fen (1/100 yuan)"})
    currency = fields.String()


class PerkListArgs(Schema):
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    q = fields.String(validate=validate.Length(max=100))


class MerchantBriefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    category = fields.String()
    address = fields.String()
    opening_hours = fields.String()


class PerkSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    category = fields.String(metadata={"enum": list(CATEGORIES)})
    description = fields.String()
    discount_text = fields.String()
    terms = fields.String()
    valid_from = fields.Date(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    eligible_tiers = fields.List(fields.String(), metadata={"description": "Empty: every tier"})
    merchant = fields.Nested(MerchantBriefSchema)
    images = fields.Function(lambda p: getattr(p, "image_urls", []),
                             metadata={"type": "array", "items": {"type": "string", "format": "uri"},
                                       "description": "Absolute URLs of the perk's images (at most 4), "
                                                      "served to the same callers as the perk"})


class CampaignListArgs(Schema):
    category = fields.String(validate=validate.OneOf(CATEGORIES))


class CampaignSchema(Schema):
    """A campaign open to the caller. ``valid_until``: the last day a voucher claimed today is
    valid (fixed campaigns: their last day)."""

    id = fields.Integer()
    title = fields.String()
    benefit = fields.String()
    terms = fields.String()
    merchant = fields.Function(lambda c: c.merchant.name, metadata={"type": "string"})
    merchant_id = fields.Integer()
    category = fields.Function(lambda c: c.merchant.category, metadata={"type": "string"})
    remaining = fields.Integer()
    total = fields.Integer()
    per_resident_limit = fields.Integer()
    claimed_by_me = fields.Function(lambda c: getattr(c, "claimed_by_me", 0), metadata={"type": "integer"})
    face_value = fields.Nested(FaceValueSchema)
    funded_by = fields.String()
    claim_starts_at = fields.Function(lambda c: _local(c.claim_starts_at, c.merchant),
                                      metadata={"type": "string", "format": "date-time"})
    claim_ends_at = fields.Function(lambda c: _local(c.claim_ends_at, c.merchant),
                                    metadata={"type": "string", "format": "date-time"})
    validity = fields.String(metadata={"enum": ["fixed", "days"]})
    valid_from = fields.Function(lambda c: _validity(c)[0].isoformat(), metadata={"type": "string", "format": "date"})
    valid_until = fields.Function(lambda c: _validity(c)[1].isoformat(), metadata={"type": "string", "format": "date"})
    valid_days = fields.Integer(allow_none=True)


class VoucherListArgs(Schema):
    status = fields.String(validate=validate.OneOf(VOUCHER_STATUSES))


class VoucherSchema(Schema):
    """A voucher as its holder sees it. ``code`` in groups of four; the API accepts it with or
    without dashes, in either case."""

    id = fields.Integer()
    code = fields.Function(lambda v: codes.display(v.code), metadata={"type": "string"})
    status = fields.String(metadata={"enum": list(VOUCHER_STATUSES)})
    campaign_id = fields.Integer()
    title = fields.Function(lambda v: v.campaign.title, metadata={"type": "string"})
    benefit = fields.Function(lambda v: v.campaign.benefit, metadata={"type": "string"})
    terms = fields.Function(lambda v: v.campaign.terms, metadata={"type": "string"})
    merchant = fields.Function(lambda v: v.merchant.name, metadata={"type": "string"})
    merchant_id = fields.Integer()
    valid_from = fields.Date()
    valid_until = fields.Date()
    claimed_at = fields.Function(lambda v: _local(v.claimed_at, v.merchant),
                                 metadata={"type": "string", "format": "date-time"})
    redeemed_at = fields.Function(lambda v: _local(v.redeemed_at, v.merchant),
                                  metadata={"type": "string", "format": "date-time", "nullable": True})


class RedeemArgs(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))


class RedeemedSchema(Schema):
    """What the counter sees: the voucher, whose it is (masked name, tier), when it was redeemed."""

    id = fields.Integer()
    code = fields.Function(lambda v: codes.display(v.code), metadata={"type": "string"})
    status = fields.String()
    title = fields.Function(lambda v: v.campaign.title, metadata={"type": "string"})
    benefit = fields.Function(lambda v: v.campaign.benefit, metadata={"type": "string"})
    holder = fields.Function(lambda v: mask_name(v.user.display_name), metadata={"type": "string"})
    holder_tier = fields.Function(lambda v: v.user.talent.tier if v.user.talent else None,
                                  metadata={"type": "string", "nullable": True})
    merchant = fields.Function(lambda v: v.merchant.name, metadata={"type": "string"})
    valid_until = fields.Date()
    redeemed_at = fields.Function(lambda v: _local(v.redeemed_at, v.merchant),
                                  metadata={"type": "string", "format": "date-time", "nullable": True})
