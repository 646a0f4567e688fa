"""notification centre: notices, e-mail preferences, outbox claims and skips

notices: one row a thing a person was told (kind + params, rendered when shown), with the
(user_id, read_at) index the header's unread count uses on every page, and a unique
(user_id, dedup_key) that makes a reminder exist once per booking.
notification_preferences: e-mail on/off per person and event group (no row: on).
outbox_emails: claimed_at (a sender took it; two senders never both send) and skipped_reason
(kept, e.g. no MAIL_SERVER; never tried again). Both nullable: existing rows stay as they are.

Revision ID: 33a4ba0a3b7c
Revises: cdba7ac956b9
Create Date: 2026-12-01 20:54:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '33a4ba0a3b7c'
down_revision = 'cdba7ac956b9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'notices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=64), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('link_endpoint', sa.String(length=120), nullable=True),
        sa.Column('link_args', sa.JSON(), nullable=True),
        sa.Column('link_url', sa.String(length=500), nullable=True),
        sa.Column('object_type', sa.String(length=64), nullable=True),
        sa.Column('object_id', sa.Integer(), nullable=True),
        sa.Column('dedup_key', sa.String(length=200), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notices_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notices')),
        sa.UniqueConstraint('user_id', 'dedup_key', name=op.f('uq_notices_user_id_dedup_key')),
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index('ix_notices_user_read', ['user_id', 'read_at'], unique=False)
        batch_op.create_index('ix_notices_user_newest', ['user_id', 'id'], unique=False)
        batch_op.create_index('ix_notices_object', ['object_type', 'object_id'], unique=False)

    op.create_table(
        'notification_preferences',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('event_group', sa.String(length=32), nullable=False),
        sa.Column('email', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'event_group', name=op.f('pk_notification_preferences')),
    )

    with op.batch_alter_table('outbox_emails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('skipped_reason', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_emails', schema=None) as batch_op:
        batch_op.drop_column('skipped_reason')
        batch_op.drop_column('claimed_at')
    op.drop_table('notification_preferences')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index('ix_notices_object')
        batch_op.drop_index('ix_notices_user_newest')
        batch_op.drop_index('ix_notices_user_read')
    op.drop_table('notices')
