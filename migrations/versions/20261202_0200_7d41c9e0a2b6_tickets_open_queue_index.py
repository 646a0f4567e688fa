"""tickets: partial index of open tickets by (community, assignee) for the queues

Revision ID: 7d41c9e0a2b6
Revises: 2f02cebd0e32
Create Date: 2026-12-02 02:00:00
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '7d41c9e0a2b6'
down_revision = '2f02cebd0e32'
branch_labels = None
depends_on = None

OPEN_WHERE = "status IN ('new', 'assigned', 'in_progress', 'waiting', 'reopened')"


def upgrade():
    op.create_index('ix_tickets_open_community_assignee', 'tickets', ['community_id', 'assignee_id'],
                    postgresql_where=sa.text(OPEN_WHERE), sqlite_where=sa.text(OPEN_WHERE))


def downgrade():
    op.drop_index('ix_tickets_open_community_assignee', table_name='tickets')
