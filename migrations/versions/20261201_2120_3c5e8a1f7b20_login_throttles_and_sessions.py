"""login throttles instead of lock-out; login sessions that logout ends

A hard lock-out (`users.failed_logins`, `users.locked_until`) let anyone lock any account and told
which accounts exist. Failed logins are now counted per (login, network) and per network in
`login_throttles` (digests only, no login or address), and delay the next attempt instead of
locking. The lock-out columns go; a lock in force when this runs simply ends.

Logout did not end a session: the cookie (or the remember-me cookie) went on working. Each login is
now a row in `login_sessions` whose key is part of the session id, and `users.session_generation`
(0 for everyone) is bumped by "log out everywhere". Session ids of the old shape name no login
session, so everybody logs in once more after this revision.

Downgrade brings the lock-out columns back empty (nobody locked) and drops the counts, the sessions
and the generation.

Revision ID: 3c5e8a1f7b20
Revises: 33a4ba0a3b7c
Create Date: 2026-12-02 09:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '3c5e8a1f7b20'
down_revision = '33a4ba0a3b7c'
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

    op.create_table(
        'login_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_sessions_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
        sa.UniqueConstraint('key_hash', name=op.f('uq_login_sessions_key_hash')),
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_sessions_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_sessions_user_id'), ['user_id'], unique=False)

    # Not in batch mode: on SQLite a batch rebuilds `users` (copy, DROP TABLE, rename), and with
    # foreign keys on, that DROP deletes every row that cascades from a user (grants, tokens,
    # bookings…). SQLite >= 3.35 drops and adds plain columns in place, as PostgreSQL does; for
    # the same reason the new column keeps its server default.
    op.drop_column('users', 'failed_logins')
    op.drop_column('users', 'locked_until')
    op.add_column('users', sa.Column('session_generation', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    op.drop_column('users', 'session_generation')
    op.add_column('users', sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
    # The default stays: removing it would rebuild the table on SQLite (see upgrade).
    op.add_column('users', sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_throttles_last_failure_at'))
    op.drop_table('login_throttles')
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_user_id'))
        batch_op.drop_index(batch_op.f('ix_login_sessions_expires_at'))
    op.drop_table('login_sessions')
