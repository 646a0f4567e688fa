"""The tickets domain's errors, each with a stable ``code``; core.errors turns them into a flash
message or problem+json."""
from community.core.errors import Conflict, RuleViolation


class TransitionNotAllowed(Conflict):
    """The ticket cannot go from its status to the one asked for (409); ``extra`` names both."""

    code = "transition_not_allowed"


class TicketClosed(Conflict):
    code = "ticket_closed"


class AlreadyRated(Conflict):
    code = "already_rated"


class ReopenWindowOver(Conflict):
    """The 7 days to confirm or reopen a resolution are over (the ticket closes by itself)."""

    code = "reopen_window_over"


class TicketRuleViolation(RuleViolation):
    """Invalid input for a ticket operation (422); ``extra["field"]`` names the field."""

    code = "invalid_ticket"

    def __init__(self, message=None, *, field=None, **kwargs):
        super().__init__(message, field=field, **kwargs)
        self.field = field
