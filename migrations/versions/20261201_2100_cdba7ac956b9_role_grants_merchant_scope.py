"""role grants: a merchant scope, and one grant per user, role and scope

`merchant_staff` is held at one merchant: role_grants gains a nullable `merchant_id`. There is no
merchants table yet, so it has no foreign key; the perks domain adds one (ON DELETE CASCADE) in the
migration that creates merchants.

Existing grants are kept as they are. A `merchant_staff` grant made before this revision names a
community and no merchant; the CHECK admits that shape (exactly one of community and merchant for
merchant_staff), so those grants keep working as "merchant staff in this community" until the perks
domain maps them to their merchants and narrows the CHECK.

The old UNIQUE (user_id, role, community_id) let NULLs repeat, so a user could hold platform_admin
twice; three partial unique indexes replace it, one per scope. Duplicate platform_admin grants (only
possible before this revision) are removed first, keeping the oldest.

Downgrade removes merchant-scoped grants: the old schema has no place for them.

Revision ID: cdba7ac956b9
Revises: f9892d5cdd84
Create Date: 2026-12-01 20:47:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'cdba7ac956b9'
down_revision = 'f9892d5cdd84'
branch_labels = None
depends_on = None

NEW_SCOPE_CHECK = (
    "(role = 'platform_admin' AND community_id IS NULL AND merchant_id IS NULL)"
    " OR (role = 'merchant_staff' AND (community_id IS NULL) <> (merchant_id IS NULL))"
    " OR (role NOT IN ('platform_admin', 'merchant_staff')"
    " AND community_id IS NOT NULL AND merchant_id IS NULL)"
)
OLD_SCOPE_CHECK = "(role = 'platform_admin') = (community_id IS NULL)"

SCOPE_INDEXES = (
    ('uq_role_grants_community_scope', ['user_id', 'role', 'community_id'], "community_id IS NOT NULL"),
    ('uq_role_grants_merchant_scope', ['user_id', 'role', 'merchant_id'], "merchant_id IS NOT NULL"),
    ('uq_role_grants_platform_scope', ['user_id', 'role'], "community_id IS NULL AND merchant_id IS NULL"),
)


def upgrade():
    # The duplicates the old UNIQUE could not see (NULL community): keep each user's oldest grant.
    op.execute(
        "DELETE FROM role_grants WHERE community_id IS NULL AND id NOT IN ("
        " SELECT keep_id FROM (SELECT MIN(id) AS keep_id FROM role_grants"
        " WHERE community_id IS NULL GROUP BY user_id, role) AS oldest)"
    )
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merchant_id', sa.Integer(), nullable=True))
        batch_op.drop_constraint(op.f('uq_role_grants_user_id_role_community_id'), type_='unique')
        batch_op.drop_constraint(op.f('ck_role_grants_scope_matches_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_role_grants_scope_matches_role'), NEW_SCOPE_CHECK)
        batch_op.create_index('ix_role_grants_merchant_id', ['merchant_id'], unique=False)
        for name, columns, where in SCOPE_INDEXES:
            batch_op.create_index(name, columns, unique=True, postgresql_where=sa.text(where),
                                  sqlite_where=sa.text(where))


def downgrade():
    op.execute("DELETE FROM role_grants WHERE merchant_id IS NOT NULL")
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        for name, _columns, _where in SCOPE_INDEXES:
            batch_op.drop_index(name)
        batch_op.drop_index('ix_role_grants_merchant_id')
        batch_op.drop_constraint(op.f('ck_role_grants_scope_matches_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_role_grants_scope_matches_role'), OLD_SCOPE_CHECK)
        batch_op.create_unique_constraint(op.f('uq_role_grants_user_id_role_community_id'),
                                          ['user_id', 'role', 'community_id'])
        batch_op.drop_column('merchant_id')
