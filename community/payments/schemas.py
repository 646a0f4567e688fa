"""Marshmallow schemas of the payments API. Money is {"amount": fen, "currency": "CNY"}; times are
ISO 8601 with the community's offset."""
from zoneinfo import ZoneInfo

from marshmallow import Schema, fields

from community.core.api import rfc3339
from community.payments.models import METHODS, PAYMENT_STATUSES, REFUND_STATUSES


def _zone(obj) -> ZoneInfo:
    community = obj.community if hasattr(obj, "community") else obj.payment.community
    return ZoneInfo(community.timezone or "Asia/Shanghai")


def _at(name):
    return fields.Function(lambda obj: rfc3339(getattr(obj, name), _zone(obj)),
                           metadata={"type": "string", "format": "date-time", "nullable": True})


class AmountSchema(Schema):
    amount = fields.Integer(metadata={"description": "Integer fen (1/100 yuan)"})
    currency = fields.String()


class RefundSchema(Schema):
    id = fields.Integer()
    amount = fields.Function(lambda r: {"amount": r.amount_fen, "currency": r.currency}, metadata={"type": "object"})
    status = fields.String(metadata={"enum": list(REFUND_STATUSES)})
    reason = fields.String()
    created_at = _at("created_at")
    settled_at = _at("settled_at")


class PaymentSchema(Schema):
    id = fields.Integer()
    payable_kind = fields.String()
    payable_id = fields.Integer()
    community_id = fields.Integer()
    title = fields.String()
    amount = fields.Function(lambda p: {"amount": p.amount_fen, "currency": p.currency}, metadata={"type": "object"})
    refunded = fields.Function(lambda p: {"amount": p.refunded_fen, "currency": p.currency},
                               metadata={"type": "object"})
    method = fields.String(metadata={"enum": list(METHODS)})
    status = fields.String(metadata={"enum": list(PAYMENT_STATUSES)})
    reference = fields.String()
    created_at = _at("created_at")
    paid_at = _at("paid_at")
    refunds = fields.List(fields.Nested(RefundSchema))


class CheckoutSchema(Schema):
    url = fields.String(metadata={"description": "Stripe Checkout page to send the payer to"})
    payment_id = fields.Integer()
