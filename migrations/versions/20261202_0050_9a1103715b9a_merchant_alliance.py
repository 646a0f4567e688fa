"""merchant alliance: merchants, staff invitations, perks, voucher campaigns, claim counts, vouchers

The invariants are the database's: ``voucher_campaigns.claimed <= total`` (CHECK; the claim is a
conditional UPDATE), one ``voucher_claim_counts`` row per (campaign, resident) raised by a
conditional upsert, a unique voucher code, and redemption by a conditional UPDATE.

``role_grants.merchant_id`` gets its foreign key (ON DELETE CASCADE). Merchant-scoped grants made
before this revision name a merchant number that no table held: they granted access to nothing
that existed and would break the new key, so they are deleted (their number can never be a real
merchant's). Community-scoped merchant_staff grants (made before merchant scopes existed) are kept
as they are: they grant nothing at any merchant; the holder is asked to accept an invitation from
the merchant's owner, and a community admin may remove them (docs/perks.md).

On SQLite the key needs a rebuild of ``role_grants`` (a child table only, so no cascade can fire);
its three partial unique indexes are dropped first and made again after, so their WHERE clauses
survive the copy.

Revision ID: 9a1103715b9a
Revises: 66a5c4de16c9
Create Date: 2026-12-02 00:24:04

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9a1103715b9a'
down_revision = '66a5c4de16c9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('merchants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('address', sa.String(length=255), nullable=False),
    sa.Column('map_position', sa.String(length=120), server_default='', nullable=False),
    sa.Column('contact_name', sa.String(length=80), nullable=False),
    sa.Column('contact_phone', sa.String(length=40), nullable=False),
    sa.Column('licence_number', sa.String(length=64), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('opening_hours', sa.String(length=255), server_default='', nullable=False),
    sa.Column('status', sa.String(length=20), server_default='pending', nullable=False),
    sa.Column('decision_reason', sa.String(length=500), server_default='', nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("category IN ('food', 'lodging', 'travel', 'shopping', 'leisure')", name=op.f('ck_merchants_known_category')),
    sa.CheckConstraint("status IN ('pending', 'changes_requested', 'approved', 'rejected', 'suspended')", name=op.f('ck_merchants_known_status')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_merchants_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_merchants_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_merchants_owner_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_merchants'))
    )
    with op.batch_alter_table('merchants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_merchants_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_merchants_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_merchants_status_community', ['status', 'community_id'], unique=False)

    op.create_table('merchant_staff_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['users.id'], name=op.f('fk_merchant_staff_invitations_accepted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_merchant_staff_invitations_invited_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_merchant_staff_invitations_merchant_id_merchants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_merchant_staff_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_merchant_staff_invitations_token_hash'))
    )
    with op.batch_alter_table('merchant_staff_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_merchant_staff_invitations_merchant_id'), ['merchant_id'], unique=False)

    op.create_table('perks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('discount_text', sa.String(length=120), server_default='', nullable=False),
    sa.Column('terms', sa.Text(), server_default='', nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('eligible_tiers', sa.JSON(), server_default=sa.text("'[]'"), nullable=False),
    sa.Column('eligible_communities', sa.JSON(), server_default=sa.text("'[]'"), nullable=False),
    sa.Column('hidden', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('hidden_reason', sa.String(length=255), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("category IN ('food', 'lodging', 'travel', 'shopping', 'leisure')", name=op.f('ck_perks_known_category')),
    sa.CheckConstraint('valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from', name=op.f('ck_perks_valid_range')),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_perks_merchant_id_merchants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_perks'))
    )
    with op.batch_alter_table('perks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_perks_merchant_id'), ['merchant_id'], unique=False)

    op.create_table('voucher_campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('benefit', sa.String(length=255), nullable=False),
    sa.Column('terms', sa.Text(), server_default='', nullable=False),
    sa.Column('funded_by', sa.String(length=16), server_default='merchant', nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('claimed', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('per_resident_limit', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('claim_starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claim_ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('validity', sa.String(length=8), server_default='fixed', nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('valid_days', sa.Integer(), nullable=True),
    sa.Column('eligible_tiers', sa.JSON(), server_default=sa.text("'[]'"), nullable=False),
    sa.Column('eligible_communities', sa.JSON(), server_default=sa.text("'[]'"), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='pending', nullable=False),
    sa.Column('decision_reason', sa.String(length=500), server_default='', nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('face_value_fen', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('currency', sa.String(length=3), server_default='CNY', nullable=False),
    sa.CheckConstraint("(validity = 'fixed' AND valid_from IS NOT NULL AND valid_until IS NOT NULL AND valid_until >= valid_from) OR (validity = 'days' AND valid_days IS NOT NULL AND valid_days >= 1)", name=op.f('ck_voucher_campaigns_validity_complete')),
    sa.CheckConstraint("funded_by IN ('merchant', 'government')", name=op.f('ck_voucher_campaigns_known_funder')),
    sa.CheckConstraint("status IN ('pending', 'approved', 'rejected', 'paused')", name=op.f('ck_voucher_campaigns_known_status')),
    sa.CheckConstraint("validity IN ('fixed', 'days')", name=op.f('ck_voucher_campaigns_known_validity')),
    sa.CheckConstraint('claim_ends_at > claim_starts_at', name=op.f('ck_voucher_campaigns_window_order')),
    sa.CheckConstraint('claimed >= 0 AND claimed <= total', name=op.f('ck_voucher_campaigns_claimed_within_total')),
    sa.CheckConstraint('face_value_fen >= 0', name=op.f('ck_voucher_campaigns_face_value_not_negative')),
    sa.CheckConstraint('per_resident_limit >= 1', name=op.f('ck_voucher_campaigns_limit_positive')),
    sa.CheckConstraint('total >= 1', name=op.f('ck_voucher_campaigns_total_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_voucher_campaigns_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_voucher_campaigns_merchant_id_merchants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voucher_campaigns'))
    )
    with op.batch_alter_table('voucher_campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voucher_campaigns_merchant_id'), ['merchant_id'], unique=False)
        batch_op.create_index('ix_voucher_campaigns_status_window', ['status', 'claim_ends_at'], unique=False)

    op.create_table('voucher_claim_counts',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('claimed', sa.Integer(), nullable=False),
    sa.CheckConstraint('claimed >= 1', name=op.f('ck_voucher_claim_counts_claimed_positive')),
    sa.ForeignKeyConstraint(['campaign_id'], ['voucher_campaigns.id'], name=op.f('fk_voucher_claim_counts_campaign_id_voucher_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_voucher_claim_counts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'user_id', name=op.f('pk_voucher_claim_counts'))
    )
    op.create_table('vouchers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=12), server_default='active', nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('redeemed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('redeemed_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoke_reason', sa.String(length=255), server_default='', nullable=False),
    sa.CheckConstraint("(status = 'redeemed') = (redeemed_at IS NOT NULL)", name=op.f('ck_vouchers_redeemed_has_time')),
    sa.CheckConstraint("status IN ('active', 'redeemed', 'expired', 'revoked')", name=op.f('ck_vouchers_known_status')),
    sa.CheckConstraint('valid_until >= valid_from', name=op.f('ck_vouchers_valid_range')),
    sa.ForeignKeyConstraint(['campaign_id'], ['voucher_campaigns.id'], name=op.f('fk_vouchers_campaign_id_voucher_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_vouchers_community_id_communities'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_vouchers_merchant_id_merchants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['redeemed_by_id'], ['users.id'], name=op.f('fk_vouchers_redeemed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_vouchers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vouchers')),
    sa.UniqueConstraint('code', name=op.f('uq_vouchers_code'))
    )
    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.create_index('ix_vouchers_campaign_claimed', ['campaign_id', 'claimed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_vouchers_merchant_id'), ['merchant_id'], unique=False)
        batch_op.create_index('ix_vouchers_status_valid_until', ['status', 'valid_until'], unique=False)
        batch_op.create_index('ix_vouchers_user_claimed', ['user_id', 'claimed_at'], unique=False)

    op.execute("DELETE FROM role_grants WHERE merchant_id IS NOT NULL")
    _with_scope_indexes_kept(lambda batch_op: batch_op.create_foreign_key(
        batch_op.f('fk_role_grants_merchant_id_merchants'), 'merchants', ['merchant_id'], ['id'], ondelete='CASCADE'))


SCOPE_INDEXES = (
    ("uq_role_grants_community_scope", ["user_id", "role", "community_id"], "community_id IS NOT NULL"),
    ("uq_role_grants_merchant_scope", ["user_id", "role", "merchant_id"], "merchant_id IS NOT NULL"),
    ("uq_role_grants_platform_scope", ["user_id", "role"], "community_id IS NULL AND merchant_id IS NULL"),
)


def _with_scope_indexes_kept(change):
    """Alter role_grants; on SQLite (a table rebuild) the partial unique indexes are made again."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for name, _columns, _where in SCOPE_INDEXES:
            op.drop_index(name, table_name="role_grants")
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        change(batch_op)
    if sqlite:
        for name, columns, where in SCOPE_INDEXES:
            op.create_index(name, "role_grants", columns, unique=True, postgresql_where=sa.text(where),
                            sqlite_where=sa.text(where))


def downgrade():
    _with_scope_indexes_kept(lambda batch_op: batch_op.drop_constraint(
        batch_op.f('fk_role_grants_merchant_id_merchants'), type_='foreignkey'))

    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.drop_index('ix_vouchers_user_claimed')
        batch_op.drop_index('ix_vouchers_status_valid_until')
        batch_op.drop_index(batch_op.f('ix_vouchers_merchant_id'))
        batch_op.drop_index('ix_vouchers_campaign_claimed')

    op.drop_table('vouchers')
    op.drop_table('voucher_claim_counts')
    with op.batch_alter_table('voucher_campaigns', schema=None) as batch_op:
        batch_op.drop_index('ix_voucher_campaigns_status_window')
        batch_op.drop_index(batch_op.f('ix_voucher_campaigns_merchant_id'))

    op.drop_table('voucher_campaigns')
    with op.batch_alter_table('perks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_perks_merchant_id'))

    op.drop_table('perks')
    with op.batch_alter_table('merchant_staff_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_merchant_staff_invitations_merchant_id'))

    op.drop_table('merchant_staff_invitations')
    with op.batch_alter_table('merchants', schema=None) as batch_op:
        batch_op.drop_index('ix_merchants_status_community')
        batch_op.drop_index(batch_op.f('ix_merchants_owner_id'))
        batch_op.drop_index(batch_op.f('ix_merchants_community_id'))

    op.drop_table('merchants')
