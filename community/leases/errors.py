"""The leases domain's errors, each with a stable ``code``; core.errors turns them into a flash
message or problem+json."""
from flask_babel import lazy_gettext as _l

from community.core.errors import Conflict, RuleViolation


class IllegalTransition(Conflict):
    """The lease's state does not allow the action; ``extra``: lease_status and action."""

    code = "illegal_transition"
    default_message = _l("This cannot be done to the lease in its present state.")


class UnitAlreadyLeased(Conflict):
    code = "unit_already_leased"
    default_message = _l("The unit is already leased for some of these dates.")


class LeaseRuleViolation(RuleViolation):
    """A lease rule said no; ``code`` names it (notice_too_short, renewal_too_early...) and the
    message says the rule."""

    code = "lease_rule"

    def __init__(self, message=None, **kwargs):
        super().__init__(message, **kwargs)
        self.extra.setdefault("rule", str(self.message))


class BillNotOpen(Conflict):
    code = "bill_not_open"
    default_message = _l("This bill is no longer open.")
