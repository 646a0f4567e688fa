"""apartments: units, households, rental rounds, applications, offers (partial unique indexes on
open offers) and lease drafts. New tables only: no parent table is rebuilt.

Revision ID: 66a5c4de16c9
Revises: 7d41c2b9e5a6
Create Date: 2026-12-02 00:22:00.401940

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '66a5c4de16c9'
down_revision = '7d41c2b9e5a6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('apartment_households',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('employer', sa.String(length=120), server_default='', nullable=False),
    sa.Column('employer_district', sa.String(length=60), server_default='', nullable=False),
    sa.Column('industry', sa.String(length=60), server_default='', nullable=False),
    sa.Column('waiting_since', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_apartment_households_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apartment_households')),
    sa.UniqueConstraint('user_id', name=op.f('uq_apartment_households_user_id'))
    )
    op.create_table('apartment_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('announcement', sa.Text(), server_default='', nullable=False),
    sa.Column('status', sa.String(length=16), server_default='draft', nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('talent_types', sa.JSON(), nullable=False),
    sa.Column('min_tier', sa.String(length=16), nullable=True),
    sa.Column('district', sa.String(length=60), server_default='', nullable=False),
    sa.Column('require_no_lease', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('recent_allocation_months', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('household_sizes', sa.JSON(), nullable=False),
    sa.Column('tier_points', sa.JSON(), nullable=False),
    sa.Column('points_per_waiting_month', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('points_per_member', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('priority_industry_points', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('priority_industries', sa.JSON(), nullable=False),
    sa.Column('offer_days', sa.Integer(), server_default=sa.text('7'), nullable=False),
    sa.Column('seed_hash', sa.String(length=64), nullable=True),
    sa.Column('seed', sa.String(length=64), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('allocated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('allocated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status = 'draft' OR seed_hash IS NOT NULL", name=op.f('ck_apartment_rounds_published_has_seed')),
    sa.CheckConstraint("status IN ('draft', 'published', 'allocated')", name=op.f('ck_apartment_rounds_known_status')),
    sa.CheckConstraint('closes_at > opens_at', name=op.f('ck_apartment_rounds_closes_after_open')),
    sa.CheckConstraint('offer_days BETWEEN 1 AND 60', name=op.f('ck_apartment_rounds_offer_days_range')),
    sa.CheckConstraint('recent_allocation_months >= 0', name=op.f('ck_apartment_rounds_months_not_negative')),
    sa.ForeignKeyConstraint(['allocated_by_id'], ['users.id'], name=op.f('fk_apartment_rounds_allocated_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_apartment_rounds_community_id_communities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apartment_rounds'))
    )
    with op.batch_alter_table('apartment_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apartment_rounds_community_id'), ['community_id'], unique=False)

    op.create_table('apartment_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('floor', sa.Integer(), nullable=False),
    sa.Column('layout', sa.String(length=8), nullable=False),
    sa.Column('area_centi_m2', sa.Integer(), nullable=False),
    sa.Column('orientation', sa.String(length=16), server_default='south', nullable=False),
    sa.Column('furnished', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('accessible', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('deposit_fen', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='available', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rent_fen', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('currency', sa.String(length=3), server_default='CNY', nullable=False),
    sa.CheckConstraint("layout IN ('studio', '1b1l', '2b1l', '2b2l', '3b1l', '3b2l')", name=op.f('ck_apartment_units_known_layout')),
    sa.CheckConstraint("orientation IN ('south', 'north', 'east', 'west', 'south_north', 'east_west')", name=op.f('ck_apartment_units_known_orientation')),
    sa.CheckConstraint("status IN ('available', 'reserved', 'leased', 'maintenance')", name=op.f('ck_apartment_units_known_status')),
    sa.CheckConstraint('area_centi_m2 > 0', name=op.f('ck_apartment_units_area_positive')),
    sa.CheckConstraint('deposit_fen >= 0', name=op.f('ck_apartment_units_deposit_not_negative')),
    sa.CheckConstraint('rent_fen >= 0', name=op.f('ck_apartment_units_rent_not_negative')),
    sa.ForeignKeyConstraint(['building_id'], ['buildings.id'], name=op.f('fk_apartment_units_building_id_buildings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_apartment_units_community_id_communities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apartment_units')),
    sa.UniqueConstraint('building_id', 'number', name=op.f('uq_apartment_units_building_id_number'))
    )
    with op.batch_alter_table('apartment_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apartment_units_community_id'), ['community_id'], unique=False)
        batch_op.create_index('ix_apartment_units_community_status', ['community_id', 'status'], unique=False)

    op.create_table('apartment_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('preferences', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='submitted', nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('score_breakdown', sa.JSON(), nullable=True),
    sa.Column('lottery_number', sa.String(length=16), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('outcome_reasons', sa.JSON(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('allocated', 'waitlisted', 'ineligible')", name=op.f('ck_apartment_applications_known_outcome')),
    sa.CheckConstraint("status IN ('submitted', 'withdrawn')", name=op.f('ck_apartment_applications_known_status')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_apartment_applications_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['apartment_rounds.id'], name=op.f('fk_apartment_applications_round_id_apartment_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['apartment_units.id'], name=op.f('fk_apartment_applications_unit_id_apartment_units'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_apartment_applications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apartment_applications')),
    sa.UniqueConstraint('round_id', 'user_id', name=op.f('uq_apartment_applications_round_id_user_id'))
    )
    with op.batch_alter_table('apartment_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apartment_applications_community_id'), ['community_id'], unique=False)
        batch_op.create_index('ix_apartment_applications_round_rank', ['round_id', 'rank'], unique=False)
        batch_op.create_index(batch_op.f('ix_apartment_applications_user_id'), ['user_id'], unique=False)

    op.create_table('apartment_household_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('relation', sa.String(length=16), nullable=False),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.CheckConstraint("relation IN ('spouse', 'child', 'parent')", name=op.f('ck_apartment_household_members_known_relation')),
    sa.CheckConstraint('birth_year IS NULL OR birth_year BETWEEN 1900 AND 2200', name=op.f('ck_apartment_household_members_birth_year_range')),
    sa.ForeignKeyConstraint(['household_id'], ['apartment_households.id'], name=op.f('fk_apartment_household_members_household_id_apartment_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apartment_household_members'))
    )
    with op.batch_alter_table('apartment_household_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apartment_household_members_household_id'), ['household_id'], unique=False)

    op.create_table('apartment_round_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['apartment_rounds.id'], name=op.f('fk_apartment_round_units_round_id_apartment_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['apartment_units.id'], name=op.f('fk_apartment_round_units_unit_id_apartment_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apartment_round_units')),
    sa.UniqueConstraint('round_id', 'unit_id', name=op.f('uq_apartment_round_units_round_id_unit_id'))
    )
    with op.batch_alter_table('apartment_round_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apartment_round_units_unit_id'), ['unit_id'], unique=False)

    op.create_table('apartment_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='open', nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('passed_to_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'accepted', 'declined', 'expired')", name=op.f('ck_apartment_offers_known_status')),
    sa.ForeignKeyConstraint(['application_id'], ['apartment_applications.id'], name=op.f('fk_apartment_offers_application_id_apartment_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_apartment_offers_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['passed_to_id'], ['apartment_offers.id'], name=op.f('fk_apartment_offers_passed_to_id_apartment_offers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['apartment_rounds.id'], name=op.f('fk_apartment_offers_round_id_apartment_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['apartment_units.id'], name=op.f('fk_apartment_offers_unit_id_apartment_units'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_apartment_offers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apartment_offers'))
    )
    with op.batch_alter_table('apartment_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apartment_offers_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_apartment_offers_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_apartment_offers_round_id'), ['round_id'], unique=False)
        batch_op.create_index('ix_apartment_offers_status_expires', ['status', 'expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_apartment_offers_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_apartment_offers_open_unit', ['unit_id'], unique=True, postgresql_where=sa.text("status = 'open'"), sqlite_where=sa.text("status = 'open'"))
        batch_op.create_index('uq_apartment_offers_open_user', ['user_id'], unique=True, postgresql_where=sa.text("status = 'open'"), sqlite_where=sa.text("status = 'open'"))

    op.create_table('apartment_lease_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('deposit_fen', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rent_fen', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('currency', sa.String(length=3), server_default='CNY', nullable=False),
    sa.CheckConstraint('deposit_fen >= 0', name=op.f('ck_apartment_lease_drafts_deposit_not_negative')),
    sa.CheckConstraint('ends_on > starts_on', name=op.f('ck_apartment_lease_drafts_ends_after_start')),
    sa.CheckConstraint('rent_fen >= 0', name=op.f('ck_apartment_lease_drafts_rent_not_negative')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_apartment_lease_drafts_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['offer_id'], ['apartment_offers.id'], name=op.f('fk_apartment_lease_drafts_offer_id_apartment_offers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['apartment_units.id'], name=op.f('fk_apartment_lease_drafts_unit_id_apartment_units'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_apartment_lease_drafts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apartment_lease_drafts')),
    sa.UniqueConstraint('offer_id', name=op.f('uq_apartment_lease_drafts_offer_id'))
    )
    with op.batch_alter_table('apartment_lease_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apartment_lease_drafts_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_apartment_lease_drafts_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_apartment_lease_drafts_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('apartment_lease_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apartment_lease_drafts_user_id'))
        batch_op.drop_index(batch_op.f('ix_apartment_lease_drafts_unit_id'))
        batch_op.drop_index(batch_op.f('ix_apartment_lease_drafts_community_id'))

    op.drop_table('apartment_lease_drafts')
    with op.batch_alter_table('apartment_offers', schema=None) as batch_op:
        batch_op.drop_index('uq_apartment_offers_open_user', postgresql_where=sa.text("status = 'open'"), sqlite_where=sa.text("status = 'open'"))
        batch_op.drop_index('uq_apartment_offers_open_unit', postgresql_where=sa.text("status = 'open'"), sqlite_where=sa.text("status = 'open'"))
        batch_op.drop_index(batch_op.f('ix_apartment_offers_user_id'))
        batch_op.drop_index('ix_apartment_offers_status_expires')
        batch_op.drop_index(batch_op.f('ix_apartment_offers_round_id'))
        batch_op.drop_index(batch_op.f('ix_apartment_offers_community_id'))
        batch_op.drop_index(batch_op.f('ix_apartment_offers_application_id'))

    op.drop_table('apartment_offers')
    with op.batch_alter_table('apartment_round_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apartment_round_units_unit_id'))

    op.drop_table('apartment_round_units')
    with op.batch_alter_table('apartment_household_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apartment_household_members_household_id'))

    op.drop_table('apartment_household_members')
    with op.batch_alter_table('apartment_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apartment_applications_user_id'))
        batch_op.drop_index('ix_apartment_applications_round_rank')
        batch_op.drop_index(batch_op.f('ix_apartment_applications_community_id'))

    op.drop_table('apartment_applications')
    with op.batch_alter_table('apartment_units', schema=None) as batch_op:
        batch_op.drop_index('ix_apartment_units_community_status')
        batch_op.drop_index(batch_op.f('ix_apartment_units_community_id'))

    op.drop_table('apartment_units')
    with op.batch_alter_table('apartment_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apartment_rounds_community_id'))

    op.drop_table('apartment_rounds')
    op.drop_table('apartment_households')
