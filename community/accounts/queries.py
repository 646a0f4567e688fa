"""Reads about accounts, always scoped to what the viewer may see before paginating."""
import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext
from sqlalchemy.orm import selectinload

from community.accounts.models import ApiToken, Building, Community, RoleGrant, User
from community.core.audit import AuditEntry
from community.core.labels import AuditName, audit_action_prefixes
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


def _user_scope(viewer):
    """The people an operator sees: those who live in (or registered for) a community they run,
    or hold a grant there; None for a platform admin (everyone)."""
    ids = administered_community_ids(viewer)
    if ids is None:
        return None
    in_scope = sa.select(RoleGrant.user_id).where(RoleGrant.community_id.in_(ids))
    return sa.or_(User.community_id.in_(ids), User.id.in_(in_scope))


def users_for(viewer, *, search="", role="", community_id=None, awaiting=False):
    # The list shows each user's tier and whether it expired in their community's calendar.
    stmt = sa.select(User).order_by(User.id).options(selectinload(User.talent), selectinload(User.community))
    ids = administered_community_ids(viewer)
    scope = _user_scope(viewer)
    if scope is not None:
        stmt = stmt.where(scope)
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


# -- names for the audit log (core.labels.audit_names asks these, one query per type a page) ------

def audit_user_names(ids, viewer) -> dict:
    """id -> "Name (login)", linked to the user's page when the viewer may open it: a person who
    moved out of the viewer's community is still named in its log, but their page is not the
    viewer's to open."""
    scope = _user_scope(viewer)
    linkable = sa.true() if scope is None else sa.case((scope, True), else_=False)
    rows = db.session.execute(sa.select(User.id, User.display_name, User.email, User.mobile,
                                        linkable.label("linkable")).where(User.id.in_(ids)))
    return {row.id: AuditName(f"{row.display_name} ({row.email or row.mobile})",
                              url_for("admin.user", user_id=row.id) if row.linkable else None)
            for row in rows}


def audit_community_names(ids, viewer) -> dict:
    runs = administered_community_ids(viewer)
    rows = db.session.execute(sa.select(Community.id, Community.name).where(Community.id.in_(ids)))
    return {row.id: AuditName(row.name, url_for("admin.community", community_id=row.id)
                              if runs is None or row.id in runs else None) for row in rows}


def audit_building_names(ids, viewer) -> dict:
    rows = db.session.execute(sa.select(Building.id, Building.name, Community.name.label("community"))
                              .join(Community, Building.community_id == Community.id).where(Building.id.in_(ids)))
    return {row.id: f"{row.name} · {row.community}" for row in rows}


def audit_token_names(ids, viewer) -> dict:
    """A token by its name and its owner's; never its digest."""
    rows = db.session.execute(sa.select(ApiToken.id, ApiToken.name, User.display_name)
                              .join(User, ApiToken.user_id == User.id).where(ApiToken.id.in_(ids)))
    return {row.id: gettext("“%(token)s” of %(name)s", token=row.name, name=row.display_name) for row in rows}
