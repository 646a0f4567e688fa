"""attachments: files owned by a domain object, served by the owner type's access rule

The owner is named, not referenced (owner_type "tickets.Ticket", owner_id): core knows no domain
table, so there is no foreign key to the owner; (owner_type, owner_id) is indexed for "the files
of this ticket". stored_path is relative to UPLOAD_ROOT and may not start with "/" or contain "..".

Revision ID: 5b1e7c2d9a40
Revises: aed8b99fdc22
Create Date: 2026-11-27 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1e7c2d9a40'
down_revision = 'aed8b99fdc22'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_type', sa.String(length=64), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('stored_path', sa.String(length=255), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('mimetype', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('community_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('size > 0', name=op.f('ck_attachments_size_positive')),
    sa.CheckConstraint("stored_path NOT LIKE '/%' AND stored_path NOT LIKE '%..%'",
                       name=op.f('ck_attachments_stored_path_relative')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'],
                            name=op.f('fk_attachments_community_id_communities'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'],
                            name=op.f('fk_attachments_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('stored_path', name=op.f('uq_attachments_stored_path'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index('ix_attachments_owner', ['owner_type', 'owner_id'], unique=False)


def downgrade():
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index('ix_attachments_owner')

    op.drop_table('attachments')
