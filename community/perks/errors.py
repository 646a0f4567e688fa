"""The perks domain's errors; each carries a stable ``code`` (docs/perks.md lists them)."""
from flask_babel import lazy_gettext as _l

from community.core.errors import Conflict, NotFound, PermissionDenied, RuleViolation


class SoldOut(Conflict):
    """Every voucher of the campaign was claimed."""

    code = "sold_out"
    default_message = _l("All vouchers of this campaign have been claimed.")


class LimitReached(Conflict):
    """The resident already holds as many vouchers of the campaign as one resident may claim."""

    code = "limit_reached"
    default_message = _l("You have already claimed as many vouchers of this campaign as one resident may.")


class NotEligible(PermissionDenied):
    """The caller's tier or community is not among the campaign's (or perk's) eligible ones."""

    code = "not_eligible"
    default_message = _l("This offer is not open to your talent tier or community.")


class AlreadyRedeemed(Conflict):
    """The voucher was redeemed before; ``extra`` says when and at which merchant."""

    code = "already_redeemed"


class UnknownCode(NotFound):
    """No voucher has this code (``code_mistyped``: its check symbol does not match, a typo)."""

    code = "unknown_code"
    default_message = _l("No voucher has this code. Check the code and try again.")


class NotStaff(PermissionDenied):
    code = "not_staff"
    default_message = _l("Only staff of the voucher's merchant can redeem it.")


class VoucherRefused(RuleViolation):
    """The voucher cannot be used now: ``code`` is expired, not_yet_valid, revoked or campaign_paused."""

    code = "voucher_refused"


class PerksRuleViolation(RuleViolation):
    """A rule of the alliance said no (422); ``code`` names it."""

    code = "perks_rule"
