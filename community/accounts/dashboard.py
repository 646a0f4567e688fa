"""Dashboard panels for each role's landing view."""
import sqlalchemy as sa

from community.accounts.models import Community, User
from community.accounts.operations import awaits_verification
from community.accounts.queries import awaiting_verification_count
from community.core.audit import AuditEntry
from community.core.clock import local_today
from community.core.dashboard import dashboard_panel
from community.core.labels import audit_names
from community.core.permissions import (
    COMMUNITY_ADMIN, PLATFORM_ADMIN, RESIDENT, community_ids_with_role,
)
from community.extensions import db


@dashboard_panel(10, (RESIDENT,), "core/panels/resident.html")
def resident_panel(user):
    return {"talent": user.talent, "community": user.community, "today": local_today(user.timezone)}


@dashboard_panel(5, (), "core/panels/applicant.html")
def applicant_panel(user):
    """Someone registered for a community, not yet verified as its resident."""
    return {"community": user.community} if awaits_verification(user) else None


@dashboard_panel(40, (COMMUNITY_ADMIN, PLATFORM_ADMIN), "core/panels/operator.html")
def operator_panel(user):
    ids = community_ids_with_role(user, COMMUNITY_ADMIN)
    communities = sa.select(Community).order_by(Community.name)
    residents = sa.select(sa.func.count(User.id))
    recent = sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(5)
    if ids is not None:
        communities = communities.where(Community.id.in_(ids))
        residents = residents.where(User.community_id.in_(ids))
        recent = recent.where(AuditEntry.community_id.in_(ids))
    return {
        "is_platform": ids is None,
        "communities": db.session.scalars(communities).all(),
        "resident_count": db.session.scalar(residents),
        "recent": (entries := db.session.scalars(recent).all()),
        "audit_names": audit_names(entries, user),
        "awaiting": awaiting_verification_count(user),
    }
