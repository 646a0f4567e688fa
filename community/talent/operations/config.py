"""Talent types (platform admin) and review stages (per community): the configuration."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community.accounts.models import Community
from community.core import audit
from community.core.errors import PermissionDenied, RuleViolation
from community.core.permissions import COMMUNITY_ADMIN, PLATFORM_ADMIN, has_role
from community.extensions import db
from community.talent import rules
from community.talent.models import NOTICE, REVIEW, STAGE_ROLES, TIERS, ReviewStage, TalentType

TYPE_FIELDS = ("name_zh", "name_en", "position", "active") + tuple(f"criteria_{t}" for t in TIERS)


def ensure_default_types() -> int:
    """Add the default types that are missing (migrations, demo data, a fresh database)."""
    known = set(db.session.scalars(sa.select(TalentType.code)))
    added = 0
    for position, (code, zh, en, junior, intermediate, senior) in enumerate(rules.DEFAULT_TYPES, start=1):
        if code not in known:
            db.session.add(TalentType(code=code, name_zh=zh, name_en=en, criteria_junior=junior,
                                      criteria_intermediate=intermediate, criteria_senior=senior,
                                      position=position * 10))
            added += 1
    db.session.flush()
    return added


def find_type(code: str | None) -> TalentType | None:
    """The configured type of ``code``. The defaults are there from the migration on; a database
    whose types table was emptied (tests, a bare schema) gets them back on first use."""
    if not code:
        return None
    found = db.session.scalar(sa.select(TalentType).where(TalentType.code == code))
    if found is None and db.session.scalar(sa.select(sa.func.count(TalentType.id))) == 0:
        ensure_default_types()
        found = db.session.scalar(sa.select(TalentType).where(TalentType.code == code))
    return found


def save_type(talent_type: TalentType | None, *, actor, code: str | None = None, **values) -> TalentType:
    """Create (``talent_type=None``, with ``code``) or edit a type. Codes never change: profiles and
    applications store them."""
    if not has_role(actor, PLATFORM_ADMIN):
        raise PermissionDenied(_l("Only a platform admin configures talent types."))
    created = talent_type is None
    if created:
        if not code or db.session.scalar(sa.select(TalentType.id).where(TalentType.code == code)):
            raise RuleViolation(_l("This code is already taken."), code="type_code_taken", field="code")
        talent_type = TalentType(code=code)
        db.session.add(talent_type)
    changed = [key for key in TYPE_FIELDS if key in values and getattr(talent_type, key) != values[key]]
    for key in changed:
        setattr(talent_type, key, values[key])
    db.session.flush()
    if created:
        audit.record(actor, "talent_type.created", talent_type, code=talent_type.code, fields=changed)
    else:
        audit.record(actor, "talent_type.updated", talent_type, code=talent_type.code, fields=changed)
    return talent_type


def ensure_stages(community_id: int) -> list[ReviewStage]:
    """The community's stages, creating the defaults the first time they are needed."""
    stages = list(db.session.scalars(sa.select(ReviewStage).where(ReviewStage.community_id == community_id)
                                     .order_by(ReviewStage.position)))
    if stages:
        return stages
    for position, (kind, role, zh, en) in enumerate(rules.DEFAULT_STAGES):
        stage = ReviewStage(community_id=community_id, position=position, kind=kind, role=role,
                            name_zh=zh, name_en=en, notice_days=rules.NOTICE_WORKING_DAYS)
        db.session.add(stage)
        stages.append(stage)
    db.session.flush()
    return stages


def replace_stages(community_id: int, stages: list[dict], *, actor) -> list[ReviewStage]:
    """Set a community's stages: review stages in order, each held by a role, then at most one
    public notice, last. Applications in flight keep their position number."""
    if not has_role(actor, COMMUNITY_ADMIN, community_id):
        raise PermissionDenied()
    reviews = [s for s in stages if s["kind"] == REVIEW]
    notices = [s for s in stages if s["kind"] == NOTICE]
    if not reviews:
        raise RuleViolation(_l("Keep at least one review stage."), code="no_review_stage")
    if len(notices) > 1 or (notices and stages[-1]["kind"] != NOTICE):
        raise RuleViolation(_l("The public notice is one stage, the last one."), code="notice_last")
    if any(s["role"] not in STAGE_ROLES for s in reviews):
        raise RuleViolation(_l("Each review stage is held by the community admin or a talent reviewer."),
                            code="stage_role")
    db.session.execute(sa.delete(ReviewStage).where(ReviewStage.community_id == community_id))
    db.session.flush()
    rows = []
    for position, s in enumerate(stages):
        row = ReviewStage(community_id=community_id, position=position, kind=s["kind"],
                          role=s["role"] if s["kind"] == REVIEW else None, name_zh=s["name_zh"],
                          name_en=s.get("name_en") or "", notice_days=s.get("notice_days") or 5)
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    audit.record(actor, "talent_stage.configured", db.session.get(Community, community_id),
                 community_id=community_id, stages=[s["name_zh"] for s in stages])
    return rows
