"""talent: types, review stages, applications with timeline and objections, the registry;
the talent_reviewer role

New tables talent_types (seeded with the default types and their criteria), talent_review_stages
(each existing community gets the default 社区推荐 → 部门评审 → 公示), talent_registry,
talent_applications, talent_application_events and talent_objections.

role_grants: the role list and the scope CHECK admit talent_reviewer, held everywhere like
platform_admin (no community, no merchant).

Existing talent profiles with a tier are carried over as registry entries with certificate numbers
(RC<year><id>): valid from the day they were verified (or created), valid until their valid-until
(a year on when none was set, which is also written back onto the profile); lapsed ones enter as
expired. Profiles keep their tier, so nothing that reads it changes.

Downgrade drops the talent tables (profiles keep their tiers) and removes talent_reviewer grants.

Revision ID: 7d41c2b9e5a6
Revises: 3c5e8a1f7b20
Create Date: 2026-12-02 00:30:00

"""
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa
from alembic import op

revision = '7d41c2b9e5a6'
down_revision = '3c5e8a1f7b20'
branch_labels = None
depends_on = None

ROLES_OLD = "role IN ('resident', 'merchant_staff', 'specialist', 'community_admin', 'platform_admin')"
ROLES_NEW = ("role IN ('resident', 'merchant_staff', 'specialist', 'community_admin', 'platform_admin',"
             " 'talent_reviewer')")
SCOPE_OLD = (
    "(role = 'platform_admin' AND community_id IS NULL AND merchant_id IS NULL)"
    " OR (role = 'merchant_staff' AND (community_id IS NULL) <> (merchant_id IS NULL))"
    " OR (role NOT IN ('platform_admin', 'merchant_staff')"
    " AND community_id IS NOT NULL AND merchant_id IS NULL)"
)
SCOPE_NEW = (
    "(role IN ('platform_admin', 'talent_reviewer') AND community_id IS NULL AND merchant_id IS NULL)"
    " OR (role = 'merchant_staff' AND (community_id IS NULL) <> (merchant_id IS NULL))"
    " OR (role NOT IN ('platform_admin', 'talent_reviewer', 'merchant_staff')"
    " AND community_id IS NOT NULL AND merchant_id IS NULL)"
)
OPEN = "status IN ('draft', 'in_review', 'returned', 'notice')"

DEFAULT_TYPES = [
    ("production", "生产型人才", "Production talent",
     "从事种植、养殖、加工等生产一线工作满 2 年，有稳定产出。",
     "从事生产一线工作满 5 年，带动 3 户以上增收，或获县级表彰。",
     "从事生产一线工作满 8 年，带动 10 户以上增收，或获市级以上表彰。"),
    ("business", "经营型人才", "Business talent",
     "经营企业、合作社或个体工商户满 2 年，依法纳税。",
     "经营主体年营业额 200 万元以上，吸纳就业 5 人以上。",
     "经营主体年营业额 1000 万元以上，吸纳就业 20 人以上，或获市级以上品牌。"),
    ("skill_service", "技能服务型人才", "Skilled service talent",
     "持有初级（五级）以上职业技能等级证书。",
     "持有中级（四级）或高级（三级）职业技能等级证书，从业满 3 年。",
     "持有技师（二级）以上证书，或在市级以上技能竞赛获奖。"),
    ("skill_leading", "技能带动型人才", "Skill-leading talent",
     "传授技能，每年培训学员 10 人以上。",
     "创办工作室或培训基地，每年培训学员 30 人以上。",
     "获评市级以上技能大师工作室，或带动 100 人以上就业。"),
    ("social_service", "社会服务型人才", "Social service talent",
     "在社区、社会组织从事公共服务满 2 年。",
     "从事公共服务满 5 年，获县级以上表彰。",
     "从事公共服务满 8 年，获市级以上表彰，或主持重点公益项目。"),
    ("academic", "科技创新型人才", "Science and innovation talent",
     "本科以上学历，从事研发工作满 2 年。",
     "硕士以上学历或中级职称，主持或参与省级以上科研项目。",
     "博士学历或高级职称，取得发明专利或重大科技成果。"),
    ("high_level", "高层次人才", "High-level talent",
     "入选区级以上人才计划。",
     "入选市级以上人才计划。",
     "入选省级以上人才计划，或国家级重大人才工程。"),
]
DEFAULT_STAGES = [
    ("review", "community_admin", "社区推荐", "Community recommendation"),
    ("review", "talent_reviewer", "部门评审", "Department review"),
    ("notice", None, "公示", "Public notice"),
]


def upgrade():
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_role_grants_known_role'), type_='check')
        batch_op.drop_constraint(op.f('ck_role_grants_scope_matches_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_role_grants_known_role'), ROLES_NEW)
        batch_op.create_check_constraint(op.f('ck_role_grants_scope_matches_role'), SCOPE_NEW)

    types = op.create_table(
        'talent_types',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('name_zh', sa.String(length=60), nullable=False),
        sa.Column('name_en', sa.String(length=60), server_default='', nullable=False),
        sa.Column('criteria_junior', sa.Text(), server_default='', nullable=False),
        sa.Column('criteria_intermediate', sa.Text(), server_default='', nullable=False),
        sa.Column('criteria_senior', sa.Text(), server_default='', nullable=False),
        sa.Column('position', sa.Integer(), server_default=sa.text('0'), nullable=False),
        sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_talent_types')),
        sa.UniqueConstraint('code', name=op.f('uq_talent_types_code')),
    )
    stages = op.create_table(
        'talent_review_stages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('role', sa.String(length=32), nullable=True),
        sa.Column('name_zh', sa.String(length=60), nullable=False),
        sa.Column('name_en', sa.String(length=60), server_default='', nullable=False),
        sa.Column('notice_days', sa.Integer(), server_default=sa.text('5'), nullable=False),
        sa.CheckConstraint("(kind = 'review' AND role IN ('community_admin', 'talent_reviewer'))"
                           " OR (kind = 'notice' AND role IS NULL)", name=op.f('ck_talent_review_stages_kind_and_role')),
        sa.CheckConstraint('notice_days BETWEEN 1 AND 60', name=op.f('ck_talent_review_stages_notice_days_range')),
        sa.ForeignKeyConstraint(['community_id'], ['communities.id'],
                                name=op.f('fk_talent_review_stages_community_id_communities'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_talent_review_stages')),
        sa.UniqueConstraint('community_id', 'position', name=op.f('uq_talent_review_stages_community_id_position')),
    )
    op.create_table(
        'talent_registry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=True),
        sa.Column('application_id', sa.Integer(), nullable=True),
        sa.Column('talent_type', sa.String(length=32), nullable=False),
        sa.Column('tier', sa.String(length=16), nullable=False),
        sa.Column('certificate_no', sa.String(length=32), nullable=True),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('valid_until', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=16), server_default='active', nullable=False),
        sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('rereview_for', sa.Date(), nullable=True),
        sa.Column('revoke_reason', sa.String(length=32), nullable=True),
        sa.Column('revoke_note', sa.Text(), server_default='', nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('active', 'expired', 'revoked')", name=op.f('ck_talent_registry_known_status')),
        sa.CheckConstraint("tier IN ('junior', 'intermediate', 'senior')", name=op.f('ck_talent_registry_known_tier')),
        sa.CheckConstraint("revoke_reason IS NULL OR revoke_reason IN ('no_longer_working', 'unlawful', 'dishonest',"
                           " 'product_safety', 'other')", name=op.f('ck_talent_registry_known_revoke_reason')),
        sa.CheckConstraint("(status = 'revoked') = (revoke_reason IS NOT NULL)",
                           name=op.f('ck_talent_registry_revoked_has_reason')),
        sa.CheckConstraint('valid_until >= valid_from', name=op.f('ck_talent_registry_valid_range')),
        sa.ForeignKeyConstraint(['community_id'], ['communities.id'],
                                name=op.f('fk_talent_registry_community_id_communities'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_talent_registry_revoked_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_talent_registry_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_talent_registry')),
        sa.UniqueConstraint('application_id', name=op.f('uq_talent_registry_application_id')),
        sa.UniqueConstraint('certificate_no', name=op.f('uq_talent_registry_certificate_no')),
    )
    with op.batch_alter_table('talent_registry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_talent_registry_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_talent_registry_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_talent_registry_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_talent_registry_valid_until'), ['valid_until'], unique=False)
        batch_op.create_index('uq_talent_registry_active', ['user_id'], unique=True,
                              postgresql_where=sa.text("status = 'active'"), sqlite_where=sa.text("status = 'active'"))
    op.create_table(
        'talent_applications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), server_default='initial', nullable=False),
        sa.Column('talent_type', sa.String(length=32), nullable=False),
        sa.Column('claimed_tier', sa.String(length=16), nullable=False),
        sa.Column('tier', sa.String(length=16), nullable=False),
        sa.Column('employer', sa.String(length=120), server_default='', nullable=False),
        sa.Column('position_title', sa.String(length=120), server_default='', nullable=False),
        sa.Column('years_in_field', sa.Integer(), nullable=True),
        sa.Column('statement', sa.Text(), server_default='', nullable=False),
        sa.Column('status', sa.String(length=16), server_default='draft', nullable=False),
        sa.Column('stage', sa.Integer(), server_default=sa.text('0'), nullable=False),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('notice_from', sa.Date(), nullable=True),
        sa.Column('notice_until', sa.Date(), nullable=True),
        sa.Column('entry_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('draft', 'in_review', 'returned', 'notice', 'entered', 'rejected', 'withdrawn')",
                           name=op.f('ck_talent_applications_known_status')),
        sa.CheckConstraint("kind IN ('initial', 'renewal')", name=op.f('ck_talent_applications_known_kind')),
        sa.CheckConstraint("claimed_tier IN ('junior', 'intermediate', 'senior')",
                           name=op.f('ck_talent_applications_known_claimed_tier')),
        sa.CheckConstraint("tier IN ('junior', 'intermediate', 'senior')", name=op.f('ck_talent_applications_known_tier')),
        sa.CheckConstraint('years_in_field IS NULL OR years_in_field BETWEEN 0 AND 80',
                           name=op.f('ck_talent_applications_years_range')),
        sa.ForeignKeyConstraint(['community_id'], ['communities.id'],
                                name=op.f('fk_talent_applications_community_id_communities'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['entry_id'], ['talent_registry.id'],
                                name=op.f('fk_talent_applications_entry_id_talent_registry'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_talent_applications_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_talent_applications')),
    )
    with op.batch_alter_table('talent_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_talent_applications_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_talent_applications_notice_until'), ['notice_until'], unique=False)
        batch_op.create_index(batch_op.f('ix_talent_applications_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_talent_applications_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_talent_applications_open', ['user_id'], unique=True,
                              postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
    op.create_table(
        'talent_application_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('stage', sa.Integer(), nullable=True),
        sa.Column('stage_name', sa.String(length=60), server_default='', nullable=False),
        sa.Column('tier', sa.String(length=16), nullable=True),
        sa.Column('message', sa.Text(), server_default='', nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_talent_application_events_actor_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['application_id'], ['talent_applications.id'],
                                name=op.f('fk_talent_application_events_application_id_talent_applications'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_talent_application_events')),
    )
    with op.batch_alter_table('talent_application_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_talent_application_events_application_id'), ['application_id'],
                              unique=False)
    op.create_table(
        'talent_objections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), server_default='open', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('resolved_by_id', sa.Integer(), nullable=True),
        sa.Column('resolution', sa.Text(), server_default='', nullable=False),
        sa.CheckConstraint("status IN ('open', 'upheld', 'dismissed')", name=op.f('ck_talent_objections_known_status')),
        sa.ForeignKeyConstraint(['application_id'], ['talent_applications.id'],
                                name=op.f('fk_talent_objections_application_id_talent_applications'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_talent_objections_resolved_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_talent_objections_user_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_talent_objections')),
    )
    with op.batch_alter_table('talent_objections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_talent_objections_application_id'), ['application_id'], unique=False)

    _seed(types, stages)


def _seed(types, stages):
    bind = op.get_bind()
    at = datetime.now(timezone.utc)
    naive = bind.dialect.name == "sqlite"
    stamp = at.replace(tzinfo=None) if naive else at
    op.bulk_insert(types, [
        {"code": code, "name_zh": zh, "name_en": en, "criteria_junior": j, "criteria_intermediate": i,
         "criteria_senior": s, "position": n * 10, "active": True, "created_at": stamp, "updated_at": stamp}
        for n, (code, zh, en, j, i, s) in enumerate(DEFAULT_TYPES, start=1)])
    community_ids = [row[0] for row in bind.execute(sa.text("SELECT id FROM communities"))]
    op.bulk_insert(stages, [
        {"community_id": cid, "position": position, "kind": kind, "role": role, "name_zh": zh, "name_en": en,
         "notice_days": 5}
        for cid in community_ids for position, (kind, role, zh, en) in enumerate(DEFAULT_STAGES)])
    # Existing tiers become registry entries with certificate numbers.
    rows = bind.execute(sa.text(
        "SELECT p.user_id, u.community_id, p.talent_type, p.tier, p.valid_until, p.verified_at, p.created_at, p.id"
        " FROM talent_profiles p JOIN users u ON u.id = p.user_id WHERE p.tier IS NOT NULL ORDER BY p.id")).all()
    today = date.today()
    for user_id, community_id, talent_type, tier, valid_until, verified_at, created_at, profile_id in rows:
        start = _as_date(verified_at) or _as_date(created_at) or today
        until = _as_date(valid_until)
        if until is None:
            until = start.replace(year=start.year + 1) - timedelta(days=1) if not (
                start.month == 2 and start.day == 29) else start + timedelta(days=364)
            bind.execute(sa.text("UPDATE talent_profiles SET valid_until = :until WHERE id = :id"),
                         {"until": until, "id": profile_id})
        start = min(start, until)
        result = bind.execute(sa.text(
            "INSERT INTO talent_registry (user_id, community_id, talent_type, tier, valid_from, valid_until, status,"
            " entered_at, revoke_note) VALUES (:user_id, :community_id, :talent_type, :tier, :valid_from,"
            " :valid_until, :status, :entered_at, '')" + (" RETURNING id" if not naive else "")),
            {"user_id": user_id, "community_id": community_id, "talent_type": talent_type or "production",
             "tier": tier, "valid_from": start, "valid_until": until,
             "status": "expired" if until < today else "active", "entered_at": stamp})
        entry_id = result.lastrowid if naive else result.scalar()
        bind.execute(sa.text("UPDATE talent_registry SET certificate_no = :no WHERE id = :id"),
                     {"no": f"RC{start.year}{entry_id:06d}", "id": entry_id})


def _as_date(value):
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def downgrade():
    op.drop_table('talent_objections')
    op.drop_table('talent_application_events')
    op.drop_table('talent_applications')
    op.drop_table('talent_registry')
    op.drop_table('talent_review_stages')
    op.drop_table('talent_types')
    op.execute("DELETE FROM role_grants WHERE role = 'talent_reviewer'")
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_role_grants_scope_matches_role'), type_='check')
        batch_op.drop_constraint(op.f('ck_role_grants_known_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_role_grants_known_role'), ROLES_OLD)
        batch_op.create_check_constraint(op.f('ck_role_grants_scope_matches_role'), SCOPE_OLD)
