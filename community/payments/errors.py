"""Refusals of the payments domain (core.errors maps them to pages and problem+json)."""
from flask_babel import lazy_gettext as _l

from community.core.errors import Conflict, DomainError, RuleViolation


class OnlinePaymentUnavailable(DomainError):
    status = 503
    code = "online_payment_unavailable"
    default_message = _l("Online payment is not available. Please pay at the community office.")


class StripeRefused(DomainError):
    status = 502
    code = "payment_provider_error"
    default_message = _l("The payment provider could not be reached. Nothing was charged; please try again.")


class AlreadyPaid(Conflict):
    code = "already_paid"
    default_message = _l("This has already been paid.")


class NotPayable(Conflict):
    code = "not_payable"
    default_message = _l("This cannot be paid now.")


class PaymentRuleViolation(RuleViolation):
    code = "payment_rule_violation"
