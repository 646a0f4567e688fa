"""tickets: service requests, specialists' categories and leave, SLA policies, working calendars,
reference-number counters, replies, internal notes, timeline events and ratings (docs/tickets.md)

Revision ID: 3485d981f1ec
Revises: 9a1103715b9a
Create Date: 2026-12-02 00:26:11.278619

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3485d981f1ec'
down_revision = '9a1103715b9a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ticket_calendars',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('weekly_hours', sa.JSON(), nullable=False),
    sa.Column('makeup_hours', sa.String(length=120), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_ticket_calendars_community_id_communities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_calendars')),
    sa.UniqueConstraint('community_id', name=op.f('uq_ticket_calendars_community_id'))
    )
    op.create_table('ticket_canned_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_ticket_canned_replies_community_id_communities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_canned_replies'))
    )
    with op.batch_alter_table('ticket_canned_replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_canned_replies_community_id'), ['community_id'], unique=False)

    op.create_table('ticket_counters',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.CheckConstraint('last >= 0', name=op.f('ck_ticket_counters_last_not_negative')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_ticket_counters_community_id_communities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('community_id', 'year', name=op.f('pk_ticket_counters'))
    )
    op.create_table('ticket_sla_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_ticket_sla_policies_community_id_communities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_sla_policies')),
    sa.UniqueConstraint('community_id', 'name', name=op.f('uq_ticket_sla_policies_community_id_name'))
    )
    with op.batch_alter_table('ticket_sla_policies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_sla_policies_community_id'), ['community_id'], unique=False)

    op.create_table('ticket_calendar_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('calendar_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=80), server_default='', nullable=False),
    sa.CheckConstraint("kind IN ('holiday', 'workday')", name=op.f('ck_ticket_calendar_days_known_kind')),
    sa.ForeignKeyConstraint(['calendar_id'], ['ticket_calendars.id'], name=op.f('fk_ticket_calendar_days_calendar_id_ticket_calendars'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_calendar_days')),
    sa.UniqueConstraint('calendar_id', 'day', name=op.f('uq_ticket_calendar_days_calendar_id_day'))
    )
    op.create_table('ticket_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('description', sa.String(length=255), server_default='', nullable=False),
    sa.Column('sla_policy_id', sa.Integer(), nullable=True),
    sa.Column('default_priority', sa.String(length=16), server_default='normal', nullable=False),
    sa.Column('position', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("default_priority IN ('low', 'normal', 'high', 'urgent')", name=op.f('ck_ticket_categories_known_priority')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_ticket_categories_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sla_policy_id'], ['ticket_sla_policies.id'], name=op.f('fk_ticket_categories_sla_policy_id_ticket_sla_policies'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_categories')),
    sa.UniqueConstraint('community_id', 'name', name=op.f('uq_ticket_categories_community_id_name'))
    )
    with op.batch_alter_table('ticket_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_categories_community_id'), ['community_id'], unique=False)

    op.create_table('ticket_sla_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('priority', sa.String(length=16), nullable=False),
    sa.Column('first_response_minutes', sa.Integer(), nullable=False),
    sa.Column('resolution_minutes', sa.Integer(), nullable=False),
    sa.CheckConstraint("priority IN ('low', 'normal', 'high', 'urgent')", name=op.f('ck_ticket_sla_targets_known_priority')),
    sa.CheckConstraint('first_response_minutes > 0', name=op.f('ck_ticket_sla_targets_first_response_positive')),
    sa.CheckConstraint('resolution_minutes >= first_response_minutes', name=op.f('ck_ticket_sla_targets_resolution_after_response')),
    sa.ForeignKeyConstraint(['policy_id'], ['ticket_sla_policies.id'], name=op.f('fk_ticket_sla_targets_policy_id_ticket_sla_policies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_sla_targets')),
    sa.UniqueConstraint('policy_id', 'priority', name=op.f('uq_ticket_sla_targets_policy_id_priority'))
    )
    op.create_table('ticket_specialist_leaves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=255), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_ticket_specialist_leaves_ends_after_start')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_ticket_specialist_leaves_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ticket_specialist_leaves_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_specialist_leaves'))
    )
    with op.batch_alter_table('ticket_specialist_leaves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_specialist_leaves_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_specialist_leaves_user_id'), ['user_id'], unique=False)

    op.create_table('ticket_specialist_coverage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('last_assigned_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['category_id'], ['ticket_categories.id'], name=op.f('fk_ticket_specialist_coverage_category_id_ticket_categories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ticket_specialist_coverage_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_specialist_coverage')),
    sa.UniqueConstraint('user_id', 'category_id', name=op.f('uq_ticket_specialist_coverage_user_id_category_id'))
    )
    with op.batch_alter_table('ticket_specialist_coverage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_specialist_coverage_category_id'), ['category_id'], unique=False)

    op.create_table('tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('location_kind', sa.String(length=16), server_default='public', nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=True),
    sa.Column('location_detail', sa.String(length=255), server_default='', nullable=False),
    sa.Column('contact_time', sa.String(length=120), server_default='', nullable=False),
    sa.Column('priority', sa.String(length=16), server_default='normal', nullable=False),
    sa.Column('status', sa.String(length=16), server_default='new', nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('first_response_target', sa.Integer(), nullable=True),
    sa.Column('resolution_target', sa.Integer(), nullable=True),
    sa.Column('first_response_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_response_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_response_minutes', sa.Integer(), nullable=True),
    sa.Column('paused_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paused_minutes', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution_minutes', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reopen_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('first_response_breached_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution_breached_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('rating_comment', sa.Text(), server_default='', nullable=False),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("location_kind IN ('building', 'public')", name=op.f('ck_tickets_known_location')),
    sa.CheckConstraint("priority IN ('low', 'normal', 'high', 'urgent')", name=op.f('ck_tickets_known_priority')),
    sa.CheckConstraint("status IN ('new', 'assigned', 'in_progress', 'waiting', 'resolved', 'closed', 'reopened')", name=op.f('ck_tickets_known_status')),
    sa.CheckConstraint('number >= 1', name=op.f('ck_tickets_number_positive')),
    sa.CheckConstraint('paused_minutes >= 0', name=op.f('ck_tickets_paused_not_negative')),
    sa.CheckConstraint('rating IS NULL OR rating BETWEEN 1 AND 5', name=op.f('ck_tickets_rating_range')),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_tickets_assignee_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['building_id'], ['buildings.id'], name=op.f('fk_tickets_building_id_buildings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['category_id'], ['ticket_categories.id'], name=op.f('fk_tickets_category_id_ticket_categories'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_tickets_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resident_id'], ['users.id'], name=op.f('fk_tickets_resident_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    sa.UniqueConstraint('community_id', 'year', 'number', name=op.f('uq_tickets_community_id_year_number')),
    sa.UniqueConstraint('community_id', 'reference', name=op.f('uq_tickets_community_id_reference'))
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_assignee_status', ['assignee_id', 'status'], unique=False)
        batch_op.create_index('ix_tickets_community_created', ['community_id', 'created_at'], unique=False)
        batch_op.create_index('ix_tickets_resident_created', ['resident_id', 'created_at'], unique=False)
        batch_op.create_index('ix_tickets_status_due', ['status', 'resolution_due_at'], unique=False)

    op.create_table('ticket_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=255), server_default='', nullable=False),
    sa.Column('public', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('status', 'assigned', 'reassigned', 'unassigned', 'priority', 'breached', 'escalated', 'rated')", name=op.f('ck_ticket_events_known_kind')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_ticket_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_ticket_events_assignee_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_events_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_events'))
    )
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_events_ticket_created', ['ticket_id', 'created_at'], unique=False)

    op.create_table('ticket_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('internal', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_ticket_replies_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_replies_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_replies'))
    )
    with op.batch_alter_table('ticket_replies', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_replies_ticket_created', ['ticket_id', 'created_at'], unique=False)



def downgrade():
    with op.batch_alter_table('ticket_replies', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_replies_ticket_created')

    op.drop_table('ticket_replies')
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_events_ticket_created')

    op.drop_table('ticket_events')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_status_due')
        batch_op.drop_index('ix_tickets_resident_created')
        batch_op.drop_index('ix_tickets_community_created')
        batch_op.drop_index('ix_tickets_assignee_status')

    op.drop_table('tickets')
    with op.batch_alter_table('ticket_specialist_coverage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_specialist_coverage_category_id'))

    op.drop_table('ticket_specialist_coverage')
    with op.batch_alter_table('ticket_specialist_leaves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_specialist_leaves_user_id'))
        batch_op.drop_index(batch_op.f('ix_ticket_specialist_leaves_community_id'))

    op.drop_table('ticket_specialist_leaves')
    op.drop_table('ticket_sla_targets')
    with op.batch_alter_table('ticket_categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_categories_community_id'))

    op.drop_table('ticket_categories')
    op.drop_table('ticket_calendar_days')
    with op.batch_alter_table('ticket_sla_policies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_sla_policies_community_id'))

    op.drop_table('ticket_sla_policies')
    op.drop_table('ticket_counters')
    with op.batch_alter_table('ticket_canned_replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_canned_replies_community_id'))

    op.drop_table('ticket_canned_replies')
    op.drop_table('ticket_calendars')
