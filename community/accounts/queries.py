"""Reads about accounts, always scoped to what the viewer may see before paginating."""
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from community.accounts.models import ApiToken, Community, RoleGrant, User
from community.core.audit import AuditEntry
from community.core.labels import audit_action_prefixes
from community.core.permissions import COMMUNITY_ADMIN, RESIDENT, community_ids_with_role
from community.extensions import db


def administered_community_ids(viewer):
    """None = all (platform admin); otherwise the communities the viewer administers."""
    return community_ids_with_role(viewer, COMMUNITY_ADMIN)


def communities_for(viewer):
    stmt = sa.select(Community).order_by(Community.name)
    ids = administered_community_ids(viewer)
    if ids is not None:
        stmt = stmt.where(Community.id.in_(ids))
    return stmt


def api_tokens_of(user, at):
    """The user's own tokens: the ones that still work first, then newest first."""
    usable = sa.and_(ApiToken.revoked_at.is_(None), ApiToken.expires_at > at)
    return (sa.select(ApiToken).where(ApiToken.user_id == user.id)
            .order_by(sa.case((usable, 0), else_=1), ApiToken.created_at.desc(), ApiToken.id.desc()))


def users_for(viewer, *, search="", role="", community_id=None, awaiting=False):
    # The list shows each user's tier and whether it expired in their community's calendar.
    stmt = sa.select(User).order_by(User.id).options(selectinload(User.talent), selectinload(User.community))
    ids = administered_community_ids(viewer)
    if ids is not None:
        in_scope = sa.select(RoleGrant.user_id).where(RoleGrant.community_id.in_(ids))
        stmt = stmt.where(sa.or_(User.community_id.in_(ids), User.id.in_(in_scope)))
    if search:
        like = f"%{search.strip().lower()}%"
        stmt = stmt.where(sa.or_(sa.func.lower(User.email).like(like), User.mobile.like(like),
                                 sa.func.lower(User.display_name).like(like)))
    if role:
        # Holding the role in the viewer's communities: a grant elsewhere is not the viewer's to see.
        holders = sa.select(RoleGrant.user_id).where(RoleGrant.role == role)
        if ids is not None:
            holders = holders.where(RoleGrant.community_id.in_(ids))
        stmt = stmt.where(User.id.in_(holders))
    if community_id:
        stmt = stmt.where(User.community_id == community_id)
    if awaiting:
        stmt = stmt.where(User.community_id.is_not(None), ~_resident_of_home_community())
    return stmt


def visible_grants(viewer, user) -> list:
    """The user's grants the viewer may see: their own, all of them for a platform admin, and
    otherwise those held in the communities the viewer administers (a grant elsewhere, or at a
    merchant, belongs to another office)."""
    if viewer.id == user.id:
        return list(user.role_grants)
    ids = administered_community_ids(viewer)
    return [g for g in user.role_grants if ids is None or g.community_id in ids]


def _resident_of_home_community():
    return sa.exists().where(RoleGrant.user_id == User.id, RoleGrant.role == RESIDENT,
                             RoleGrant.community_id == User.community_id)


def awaiting_verification_count(viewer) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(
        users_for(viewer, awaiting=True).order_by(None).options().subquery()))


def audit_for(viewer, *, action="", actor="", domain="", object_type="", community_id=None):
    stmt = sa.select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    ids = administered_community_ids(viewer)
    if ids is not None:
        stmt = stmt.where(AuditEntry.community_id.in_(ids))
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action, autoescape=True))
    if domain:
        # A domain's entries are the actions it recorded (prefixes it claimed); unknown: none.
        stmt = stmt.where(sa.or_(sa.false(), *(AuditEntry.action.startswith(f"{prefix}.", autoescape=True)
                                               for prefix in audit_action_prefixes(domain))))
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if community_id:
        stmt = stmt.where(AuditEntry.community_id == community_id)
    if actor:
        like = f"%{actor.strip().lower()}%"
        stmt = stmt.where(AuditEntry.actor_id.in_(
            sa.select(User.id).where(sa.or_(sa.func.lower(User.email).like(like), User.mobile.like(like)))
        ))
    return stmt



AUDIT_USER, AUDIT_COMMUNITY = "accounts.User", "accounts.Community"  # audit object types


def audit_object_names(entries) -> dict:
    """(object_type, object_id) -> a name a person recognises, for the users and communities
    the entries are about; two queries for a whole page."""
    wanted = {}
    for entry in entries:
        if entry.object_id is not None:
            wanted.setdefault(entry.object_type, set()).add(entry.object_id)
    names = {}
    if wanted.get(AUDIT_USER):
        for user in db.session.execute(sa.select(User.id, User.display_name, User.email, User.mobile)
                                       .where(User.id.in_(wanted[AUDIT_USER]))):
            names[(AUDIT_USER, user.id)] = f"{user.display_name} ({user.email or user.mobile})"
    if wanted.get(AUDIT_COMMUNITY):
        for community in db.session.execute(sa.select(Community.id, Community.name)
                                            .where(Community.id.in_(wanted[AUDIT_COMMUNITY]))):
            names[(AUDIT_COMMUNITY, community.id)] = community.name
    return names
