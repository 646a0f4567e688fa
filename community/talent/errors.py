"""The talent domain's errors, each with a stable ``code``; core.errors turns them into a flash
message or problem+json."""
from community.core.errors import Conflict, RuleViolation


class ApplicationOpen(Conflict):
    """The person already has an open application (a draft, under review, returned or on notice)."""

    code = "application_open"


class StageAlreadyDecided(Conflict):
    """Someone else decided this stage first (the page was stale)."""

    code = "stage_already_decided"


class NotDecidable(Conflict):
    """The application is not at a stage that can be decided now (withdrawn, on notice, finished)."""

    code = "not_decidable"


class TierAboveClaim(RuleViolation):
    code = "tier_above_claim"


class NoticeClosed(Conflict):
    """An objection after the notice ended, or on an application not on notice."""

    code = "notice_closed"


class EntryNotActive(Conflict):
    code = "entry_not_active"
