"""leases: leases, signatures, inspections and items, deposits, rent bills, subsidy rates, renewals.

On PostgreSQL a unit is never under two leases past their draft over overlapping dates: an
exclusion constraint over (unit_id, daterange(starts_on, ends_on, '[]')) with btree_gist.

Revision ID: c4e8a1f05b13
Revises: b7e3c91d4a52
Create Date: 2026-12-02 05:21:12.203574

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'c4e8a1f05b13'
down_revision = 'b7e3c91d4a52'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table('lease_subsidy_rates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.String(length=16), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.CheckConstraint("tier IN ('junior', 'intermediate', 'senior')", name=op.f('ck_lease_subsidy_rates_known_tier')),
    sa.CheckConstraint('percent BETWEEN 0 AND 100', name=op.f('ck_lease_subsidy_rates_percent_range')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_lease_subsidy_rates_community_id_communities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lease_subsidy_rates')),
    sa.UniqueConstraint('community_id', 'tier', name=op.f('uq_lease_subsidy_rates_community_id_tier'))
    )
    op.create_table('leases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=True),
    sa.Column('renewal_of_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), server_default='draft', nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('rent_fen', sa.Integer(), nullable=False),
    sa.Column('deposit_fen', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('currency', sa.String(length=3), server_default='CNY', nullable=False),
    sa.Column('payment_day', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('notice_days', sa.Integer(), server_default=sa.text('30'), nullable=False),
    sa.Column('co_occupants', sa.JSON(), nullable=False),
    sa.Column('terms_version', sa.String(length=32), nullable=False),
    sa.Column('countersigned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('moved_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notice_given_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=500), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'signed', 'active', 'ending', 'ended', 'terminated')", name=op.f('ck_leases_known_status')),
    sa.CheckConstraint('deposit_fen >= 0', name=op.f('ck_leases_deposit_not_negative')),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_leases_ends_after_start')),
    sa.CheckConstraint('notice_days BETWEEN 0 AND 365', name=op.f('ck_leases_notice_days_range')),
    sa.CheckConstraint('payment_day BETWEEN 1 AND 28', name=op.f('ck_leases_payment_day_range')),
    sa.CheckConstraint('rent_fen >= 0', name=op.f('ck_leases_rent_not_negative')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_leases_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['draft_id'], ['apartment_lease_drafts.id'], name=op.f('fk_leases_draft_id_apartment_lease_drafts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['renewal_of_id'], ['leases.id'], name=op.f('fk_leases_renewal_of_id_leases'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['apartment_units.id'], name=op.f('fk_leases_unit_id_apartment_units'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_leases_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leases')),
    sa.UniqueConstraint('draft_id', name=op.f('uq_leases_draft_id'))
    )
    with op.batch_alter_table('leases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leases_community_id'), ['community_id'], unique=False)
        batch_op.create_index('ix_leases_status_community', ['status', 'community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_leases_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_leases_user_id'), ['user_id'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE leases ADD CONSTRAINT ex_leases_unit_dates EXCLUDE USING gist "
                   "(unit_id WITH =, daterange(starts_on, ends_on, '[]') WITH &&) WHERE (status <> 'draft')")

    op.create_table('lease_bills',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lease_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('rent_fen', sa.Integer(), nullable=False),
    sa.Column('subsidy_fen', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('amount_due_fen', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), server_default='CNY', nullable=False),
    sa.Column('tier', sa.String(length=16), nullable=True),
    sa.Column('subsidy_percent', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='open', nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('waived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('waived_by_id', sa.Integer(), nullable=True),
    sa.Column('waive_reason', sa.String(length=500), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'paid', 'overdue', 'waived')", name=op.f('ck_lease_bills_known_status')),
    sa.CheckConstraint('amount_due_fen = rent_fen - subsidy_fen', name=op.f('ck_lease_bills_due_is_rent_less_subsidy')),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_lease_bills_period_order')),
    sa.CheckConstraint('rent_fen >= 0 AND subsidy_fen >= 0 AND subsidy_fen <= rent_fen', name=op.f('ck_lease_bills_subsidy_in_rent')),
    sa.CheckConstraint('subsidy_percent BETWEEN 0 AND 100', name=op.f('ck_lease_bills_percent_range')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_lease_bills_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lease_id'], ['leases.id'], name=op.f('fk_lease_bills_lease_id_leases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lease_bills_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['waived_by_id'], ['users.id'], name=op.f('fk_lease_bills_waived_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lease_bills')),
    sa.UniqueConstraint('lease_id', 'period_start', name=op.f('uq_lease_bills_lease_id_period_start'))
    )
    with op.batch_alter_table('lease_bills', schema=None) as batch_op:
        batch_op.create_index('ix_lease_bills_community_status', ['community_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_lease_bills_user_id'), ['user_id'], unique=False)

    op.create_table('lease_deposits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lease_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), server_default='CNY', nullable=False),
    sa.Column('status', sa.String(length=16), server_default='unpaid', nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deductions_fen', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('refund_fen', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('balance_owed_fen', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('dispute_message', sa.Text(), server_default='', nullable=False),
    sa.Column('disputed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('unpaid', 'held', 'settled')", name=op.f('ck_lease_deposits_known_status')),
    sa.CheckConstraint('amount_fen >= 0 AND deductions_fen >= 0 AND refund_fen >= 0 AND balance_owed_fen >= 0', name=op.f('ck_lease_deposits_amounts_not_negative')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_lease_deposits_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lease_id'], ['leases.id'], name=op.f('fk_lease_deposits_lease_id_leases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lease_deposits_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lease_deposits')),
    sa.UniqueConstraint('lease_id', name=op.f('uq_lease_deposits_lease_id'))
    )
    with op.batch_alter_table('lease_deposits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lease_deposits_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lease_deposits_user_id'), ['user_id'], unique=False)

    op.create_table('lease_inspections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lease_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('inspected_on', sa.Date(), nullable=False),
    sa.Column('office_signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('office_signed_by_id', sa.Integer(), nullable=True),
    sa.Column('resident_signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('move_in', 'move_out')", name=op.f('ck_lease_inspections_known_kind')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_lease_inspections_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lease_id'], ['leases.id'], name=op.f('fk_lease_inspections_lease_id_leases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['office_signed_by_id'], ['users.id'], name=op.f('fk_lease_inspections_office_signed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lease_inspections')),
    sa.UniqueConstraint('lease_id', 'kind', name=op.f('uq_lease_inspections_lease_id_kind'))
    )
    with op.batch_alter_table('lease_inspections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lease_inspections_community_id'), ['community_id'], unique=False)

    op.create_table('lease_renewals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lease_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='requested', nullable=False),
    sa.Column('rent_fen', sa.Integer(), nullable=True),
    sa.Column('new_lease_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('requested', 'offered', 'declined')", name=op.f('ck_lease_renewals_known_status')),
    sa.CheckConstraint('ends_on > starts_on', name=op.f('ck_lease_renewals_ends_after_start')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_lease_renewals_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lease_id'], ['leases.id'], name=op.f('fk_lease_renewals_lease_id_leases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['new_lease_id'], ['leases.id'], name=op.f('fk_lease_renewals_new_lease_id_leases'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lease_renewals'))
    )
    with op.batch_alter_table('lease_renewals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lease_renewals_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lease_renewals_lease_id'), ['lease_id'], unique=False)

    op.create_table('lease_signatures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lease_id', sa.Integer(), nullable=False),
    sa.Column('party', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('terms_version', sa.String(length=32), nullable=False),
    sa.Column('terms_sha256', sa.String(length=64), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ip_address', sa.String(length=45), server_default='', nullable=False),
    sa.Column('user_agent', sa.String(length=255), server_default='', nullable=False),
    sa.CheckConstraint("party IN ('resident', 'office')", name=op.f('ck_lease_signatures_known_party')),
    sa.ForeignKeyConstraint(['lease_id'], ['leases.id'], name=op.f('fk_lease_signatures_lease_id_leases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lease_signatures_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lease_signatures')),
    sa.UniqueConstraint('lease_id', 'party', name=op.f('uq_lease_signatures_lease_id_party'))
    )
    with op.batch_alter_table('lease_signatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lease_signatures_lease_id'), ['lease_id'], unique=False)

    op.create_table('lease_inspection_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('room', sa.String(length=60), nullable=False),
    sa.Column('item', sa.String(length=120), nullable=False),
    sa.Column('condition', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=500), server_default='', nullable=False),
    sa.Column('cost_fen', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.CheckConstraint("condition IN ('good', 'worn', 'damaged', 'missing')", name=op.f('ck_lease_inspection_items_known_condition')),
    sa.CheckConstraint('cost_fen >= 0', name=op.f('ck_lease_inspection_items_cost_not_negative')),
    sa.ForeignKeyConstraint(['inspection_id'], ['lease_inspections.id'], name=op.f('fk_lease_inspection_items_inspection_id_lease_inspections'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lease_inspection_items'))
    )
    with op.batch_alter_table('lease_inspection_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lease_inspection_items_inspection_id'), ['inspection_id'], unique=False)



def downgrade():
    with op.batch_alter_table('lease_inspection_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lease_inspection_items_inspection_id'))

    op.drop_table('lease_inspection_items')
    with op.batch_alter_table('lease_signatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lease_signatures_lease_id'))

    op.drop_table('lease_signatures')
    with op.batch_alter_table('lease_renewals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lease_renewals_lease_id'))
        batch_op.drop_index(batch_op.f('ix_lease_renewals_community_id'))

    op.drop_table('lease_renewals')
    with op.batch_alter_table('lease_inspections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lease_inspections_community_id'))

    op.drop_table('lease_inspections')
    with op.batch_alter_table('lease_deposits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lease_deposits_user_id'))
        batch_op.drop_index(batch_op.f('ix_lease_deposits_community_id'))

    op.drop_table('lease_deposits')
    with op.batch_alter_table('lease_bills', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lease_bills_user_id'))
        batch_op.drop_index('ix_lease_bills_community_status')

    op.drop_table('lease_bills')
    with op.batch_alter_table('leases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leases_user_id'))
        batch_op.drop_index(batch_op.f('ix_leases_unit_id'))
        batch_op.drop_index('ix_leases_status_community')
        batch_op.drop_index(batch_op.f('ix_leases_community_id'))

    op.drop_table('leases')
    op.drop_table('lease_subsidy_rates')
