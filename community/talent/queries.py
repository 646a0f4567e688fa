"""Scoped reads of the talent domain (never imports operations). Every list is scoped by role
and community before it is paginated."""
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from community.accounts.models import User
from community.core.clock import local_today
from community.core.errors import NotFound
from community.core.permissions import COMMUNITY_ADMIN, PLATFORM_ADMIN, TALENT_REVIEWER, community_ids_with_role, has_role
from community.extensions import db
from community.talent import access, rules
from community.talent.models import (
    ACTIVE, DRAFT, IN_REVIEW, ON_NOTICE, OPEN_STATUSES, RENEWAL, ApplicationEvent, Objection,
    RegistryEntry, ReviewStage, TalentApplication, TalentType,
)


def talent_types(*, active_only: bool = True):
    stmt = sa.select(TalentType).order_by(TalentType.position, TalentType.id)
    if active_only:
        stmt = stmt.where(TalentType.active.is_(True))
    return db.session.scalars(stmt).all()


def type_names() -> dict[str, TalentType]:
    return {t.code: t for t in talent_types(active_only=False)}


def stages_of(community_id: int):
    return db.session.scalars(sa.select(ReviewStage).where(ReviewStage.community_id == community_id)
                              .order_by(ReviewStage.position)).all()


def _with_parts(stmt):
    return stmt.options(joinedload(TalentApplication.user), joinedload(TalentApplication.community),
                        selectinload(TalentApplication.events).joinedload(ApplicationEvent.actor))


def my_applications(user):
    return db.session.scalars(_with_parts(sa.select(TalentApplication).where(TalentApplication.user_id == user.id))
                              .order_by(TalentApplication.id.desc())).unique().all()


def open_application(user) -> TalentApplication | None:
    return db.session.scalar(sa.select(TalentApplication).where(
        TalentApplication.user_id == user.id, TalentApplication.status.in_(OPEN_STATUSES)))


def application_for(user, application_id: int) -> TalentApplication:
    """The application if ``user`` is its applicant or one of its reviewers; NotFound otherwise."""
    application = db.session.get(TalentApplication, application_id)
    if application is None or not access.may_view_application(user, application):
        raise NotFound()
    return application


def review_queue(user, *, scope: str = "mine", q: str = ""):
    """``mine``: applications waiting for a decision ``user`` may take; ``all``: every
    application ``user`` reviews (not drafts, not their own)."""
    stmt = sa.select(TalentApplication).join(User, User.id == TalentApplication.user_id).where(
        TalentApplication.status != DRAFT, TalentApplication.user_id != user.id)
    admin_of = community_ids_with_role(user, COMMUNITY_ADMIN)
    reviewer = has_role(user, TALENT_REVIEWER)
    if scope == "mine":
        stage = sa.orm.aliased(ReviewStage)
        stmt = stmt.outerjoin(stage, sa.and_(stage.community_id == TalentApplication.community_id,
                                             stage.position == TalentApplication.stage)).where(
            TalentApplication.status == IN_REVIEW)
        holds = []
        if reviewer:
            holds.append(sa.and_(TalentApplication.kind != RENEWAL, stage.role == TALENT_REVIEWER))
        office = sa.true() if admin_of is None else TalentApplication.community_id.in_(admin_of or [-1])
        holds.append(sa.and_(office, sa.or_(TalentApplication.kind == RENEWAL, stage.role == COMMUNITY_ADMIN)))
        stmt = stmt.where(sa.or_(*holds))
    elif not reviewer and admin_of is not None:
        stmt = stmt.where(TalentApplication.community_id.in_(admin_of or [-1]))
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(sa.or_(User.display_name.ilike(like), TalentApplication.employer.ilike(like)))
    return _with_parts(stmt).order_by(TalentApplication.submitted_at, TalentApplication.id)


def notice_board(user):
    """Applications under public notice that ``user`` may read: those of their community (residents,
    staff of it); reviewers and platform admins read every community's."""
    stmt = sa.select(TalentApplication).where(TalentApplication.status == ON_NOTICE)
    if not (has_role(user, TALENT_REVIEWER) or has_role(user, PLATFORM_ADMIN)):
        ids = {g.community_id for g in user.role_grants if g.community_id} | (
            {user.community_id} if user.community_id else set())
        stmt = stmt.where(TalentApplication.community_id.in_(ids or {-1}))
    return stmt.options(joinedload(TalentApplication.user), joinedload(TalentApplication.community)).order_by(
        TalentApplication.notice_until, TalentApplication.id)


def notice_application_for(user, application_id: int) -> TalentApplication:
    stmt = notice_board(user).where(TalentApplication.id == application_id)
    application = db.session.scalar(stmt)
    if application is None:
        raise NotFound()
    return application


def open_objections(application):
    return db.session.scalars(sa.select(Objection).where(Objection.application_id == application.id)
                              .order_by(Objection.id)).all()


def objection_for(user, objection_id: int) -> Objection:
    objection = db.session.get(Objection, objection_id)
    if objection is None or not access.may_resolve_objection(user, objection.application):
        raise NotFound()
    return objection


def registry_scope(user) -> set[int] | None:
    """Communities whose registry ``user`` runs (None: all, platform admin)."""
    return community_ids_with_role(user, COMMUNITY_ADMIN)


def registry_for(user, *, q: str = "", talent_type: str = "", tier: str = "", status: str = "",
                 community_id: int | None = None, expires_before: date | None = None):
    stmt = sa.select(RegistryEntry).join(User, User.id == RegistryEntry.user_id)
    scope = registry_scope(user)
    if scope is not None:
        stmt = stmt.where(RegistryEntry.community_id.in_(scope or {-1}))
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(sa.or_(User.display_name.ilike(like), User.email.ilike(like),
                                 RegistryEntry.certificate_no.ilike(like)))
    for column, value in ((RegistryEntry.talent_type, talent_type), (RegistryEntry.tier, tier),
                          (RegistryEntry.status, status)):
        if value:
            stmt = stmt.where(column == value)
    if community_id:
        stmt = stmt.where(RegistryEntry.community_id == community_id)
    if expires_before:
        stmt = stmt.where(RegistryEntry.valid_until <= expires_before)
    return stmt.options(joinedload(RegistryEntry.user), joinedload(RegistryEntry.community)).order_by(
        RegistryEntry.valid_until, RegistryEntry.id)


def registry_counts(user) -> dict[tuple[str, str], int]:
    """Active entries by (type, tier), in the communities ``user`` runs."""
    stmt = sa.select(RegistryEntry.talent_type, RegistryEntry.tier, sa.func.count()).where(
        RegistryEntry.status == ACTIVE).group_by(RegistryEntry.talent_type, RegistryEntry.tier)
    scope = registry_scope(user)
    if scope is not None:
        stmt = stmt.where(RegistryEntry.community_id.in_(scope or {-1}))
    return {(t, tier): n for t, tier, n in db.session.execute(stmt)}


def entry_for(user, entry_id: int) -> RegistryEntry:
    entry = db.session.get(RegistryEntry, entry_id)
    if entry is None or not access.is_office_of(user, entry.community_id):
        raise NotFound()
    return entry


def latest_entry(user_id: int) -> RegistryEntry | None:
    return db.session.scalar(sa.select(RegistryEntry).where(RegistryEntry.user_id == user_id)
                             .order_by(RegistryEntry.status != ACTIVE, RegistryEntry.id.desc()).limit(1))


def talent_of(user) -> dict:
    """What GET /api/v1/talent answers (and the resident's talent page shows)."""
    today = local_today(user.timezone)
    profile = user.talent
    entry = latest_entry(user.id)
    pending = db.session.scalar(sa.select(sa.func.count(TalentApplication.id)).where(
        TalentApplication.user_id == user.id, TalentApplication.status.in_((IN_REVIEW, ON_NOTICE)))) > 0
    status = rules.talent_status(profile, entry, pending, today)
    shown = profile if profile is not None and profile.tier else None
    return {
        "type": shown.talent_type if shown else (entry.talent_type if entry and status != "unverified" else None),
        "tier": shown.tier if shown else None,
        "valid_until": shown.valid_until if shown else None,
        "status": status,
        "certificate_no": entry.certificate_no if entry is not None and status in ("verified", "expired") else None,
        "entry": entry, "today": today,
    }


def card_entry(user) -> RegistryEntry | None:
    """The entry a card is shown for: active, and the profile's tier current today."""
    profile = user.talent
    if profile is None or not profile.is_current(local_today(user.timezone)):
        return None
    entry = db.session.scalar(sa.select(RegistryEntry).where(RegistryEntry.user_id == user.id,
                                                             RegistryEntry.status == ACTIVE))
    return entry


