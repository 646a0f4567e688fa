"""leases: lease_bills.notified_at, when the resident was told of the bill, and a partial index on
the bills still to tell. Bills already issued count as told (nobody is sent months of old bills).

Revision ID: a3c6f1e9b7d2
Revises: e5b2d7a4c913
Create Date: 2026-12-02 18:10:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'a3c6f1e9b7d2'
down_revision = 'e5b2d7a4c913'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lease_bills', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE lease_bills SET notified_at = created_at")
    with op.batch_alter_table('lease_bills', schema=None) as batch_op:
        batch_op.create_index('ix_lease_bills_to_notify', ['id'], unique=False,
                              postgresql_where=sa.text('notified_at IS NULL'), sqlite_where=sa.text('notified_at IS NULL'))


def downgrade():
    with op.batch_alter_table('lease_bills', schema=None) as batch_op:
        batch_op.drop_index('ix_lease_bills_to_notify', postgresql_where=sa.text('notified_at IS NULL'),
                            sqlite_where=sa.text('notified_at IS NULL'))
        batch_op.drop_column('notified_at')
