"""login throttles instead of lock-out

A hard lock-out (`users.failed_logins`, `users.locked_until`) let anyone lock any account and told
which accounts exist. Failed logins are now counted per (login, network) and per network in
`login_throttles` (digests only, no login or address), and delay the next attempt instead of
locking. The lock-out columns go; a lock in force when this runs simply ends.

Downgrade brings the columns back empty (nobody locked) and drops the counts.

Revision ID: 3c5e8a1f7b20
Revises: cdba7ac956b9
Create Date: 2026-12-02 09:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '3c5e8a1f7b20'
down_revision = 'cdba7ac956b9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_throttles',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint('failures >= 0', name=op.f('ck_login_throttles_failures_not_negative')),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttles')),
    )
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_throttles_last_failure_at'), ['last_failure_at'], unique=False)

    # Not in batch mode: on SQLite a batch rebuilds `users` (copy, DROP TABLE, rename), and with
    # foreign keys on, that DROP deletes every row that cascades from a user (grants, tokens,
    # bookings…). SQLite >= 3.35 drops and adds plain columns in place, as PostgreSQL does.
    op.drop_column('users', 'failed_logins')
    op.drop_column('users', 'locked_until')


def downgrade():
    op.add_column('users', sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
    # The default stays: removing it would rebuild the table on SQLite (see upgrade).
    op.add_column('users', sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_throttles_last_failure_at'))
    op.drop_table('login_throttles')
