"""The apartments domain's errors, each with a stable ``code``; core.errors turns them into a
flash message or problem+json."""
from flask_babel import lazy_gettext as _l

from community.core.errors import Conflict, RuleViolation


class RoundFrozen(Conflict):
    """A published round is not edited: its rules were announced."""

    code = "round_frozen"
    default_message = _l("This round is published; its rules can no longer be changed.")


class AlreadyApplied(Conflict):
    code = "already_applied"
    default_message = _l("You have already applied to this round.")


class AlreadyAllocated(Conflict):
    """The round was allocated before (a second commit, or another operator at the same time)."""

    code = "already_allocated"
    default_message = _l("This round has already been allocated.")


class OfferClosed(Conflict):
    code = "offer_closed"
    default_message = _l("This offer is no longer open.")


class NotEligible(RuleViolation):
    """``extra["reasons"]``: every failing rule (code and parameters) and ``messages`` in words."""

    code = "not_eligible"
    default_message = _l("You are not eligible for this round.")


class ApartmentRuleViolation(RuleViolation):
    """An apartments rule said no; ``code`` names it (outside_window, invalid_preference...)."""

    code = "apartment_rule"


class ImportRejected(RuleViolation):
    """A CSV import with bad rows: ``extra["errors"]`` lists {"line", "message"}; nothing was saved."""

    code = "import_rejected"
    default_message = _l("The file has errors; nothing was imported.")
