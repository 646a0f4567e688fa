"""Every model, imported in one place so Alembic and create_all see the whole schema."""
from community.accounts.models import ApiToken, Building, Community, RoleGrant, TalentProfile, User  # noqa: F401
from community.amenities.models import (  # noqa: F401
    Booking, BookingSeries, CalendarFeed, Closure, Resource, Suspension,
)
from community.core.attachments import Attachment  # noqa: F401
from community.core.audit import AuditEntry  # noqa: F401
from community.core.jobs import JobRun  # noqa: F401
from community.notifications.models import OutboxEmail  # noqa: F401
