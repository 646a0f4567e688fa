"""apartment_rounds.rules_version: the version of what a round's eligibility rules read, the key of
the per-process cache of parsed rules (docs/apartments.md, "Speed")

Revision ID: b7e3c91d4a52
Revises: 7d41c9e0a2b6
Create Date: 2026-12-02 02:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e3c91d4a52'
down_revision = '7d41c9e0a2b6'
branch_labels = None
depends_on = None


def upgrade():
    # Not in batch mode: apartment_rounds is a parent table (applications, offers, round units
    # cascade from it), and a SQLite batch would rebuild it. A plain ADD COLUMN with a server
    # default changes it in place on both databases.
    op.add_column('apartment_rounds', sa.Column('rules_version', sa.Integer(), server_default=sa.text('0'),
                                                nullable=False))


def downgrade():
    op.drop_column('apartment_rounds', 'rules_version')
