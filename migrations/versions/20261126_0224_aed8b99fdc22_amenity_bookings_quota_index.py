"""amenity bookings: index for the quota check

The quota check of a booking (the resident's holding bookings of one resource in the quota weeks)
runs under the resource's row lock. With only (user_id, start_at) it read the resident's bookings
of every resource that week: 95 index rows and 130 heap pages for a busy resident of the benchmark
city, 0.6 ms held under the lock; with (user_id, resource_id, start_at) 0.17 ms (bench/README.md).

On PostgreSQL the index is built in a plain CREATE INDEX, which blocks writes to amenity_bookings
while it runs: under 2 s for the 1,000,000-booking city (the whole `flask db upgrade` took
1.9 s; docs/operations.md, "Upgrades").

Revision ID: aed8b99fdc22
Revises: 862159ccbec0
Create Date: 2026-11-26 02:24:49.817876

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'aed8b99fdc22'
down_revision = '862159ccbec0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('amenity_bookings', schema=None) as batch_op:
        batch_op.create_index('ix_amenity_bookings_user_resource_start', ['user_id', 'resource_id', 'start_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('amenity_bookings', schema=None) as batch_op:
        batch_op.drop_index('ix_amenity_bookings_user_resource_start')
