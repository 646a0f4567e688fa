"""Merchant alliance tables (docs/perks.md). The invariants live in the database: a campaign's
``claimed`` never passes ``total`` (CHECK, and the claim is one conditional UPDATE), a resident's
claim count per campaign never passes the campaign's limit (a counter row updated conditionally),
a voucher's code is unique, and a voucher is redeemed by one conditional UPDATE."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core.clock import now
from community.core.db import TimestampMixin
from community.core.money import money_columns
from community.extensions import db

# 吃 food, 住 lodging, 游 travel, 购 shopping, 娱 leisure
CATEGORIES = ("food", "lodging", "travel", "shopping", "leisure")

MERCHANT_STATUSES = ("pending", "changes_requested", "approved", "rejected", "suspended")
M_PENDING, M_CHANGES, M_APPROVED, M_REJECTED, M_SUSPENDED = MERCHANT_STATUSES

CAMPAIGN_STATUSES = ("pending", "approved", "rejected", "paused")
C_PENDING, C_APPROVED, C_REJECTED, C_PAUSED = CAMPAIGN_STATUSES
FUNDERS = ("merchant", "government")
VALIDITY_KINDS = ("fixed", "days")

VOUCHER_STATUSES = ("active", "redeemed", "expired", "revoked")
V_ACTIVE, V_REDEEMED, V_EXPIRED, V_REVOKED = VOUCHER_STATUSES
TIERS = ("junior", "intermediate", "senior")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Merchant(TimestampMixin, db.Model):
    """A local business in a community's service alliance. ``owner`` applied for it and manages its
    staff; staff are merchant_staff role grants naming this merchant."""

    __tablename__ = "merchants"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    category: Mapped[str] = mapped_column(sa.String(16))
    address: Mapped[str] = mapped_column(sa.String(255))
    map_position: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    contact_name: Mapped[str] = mapped_column(sa.String(80))
    contact_phone: Mapped[str] = mapped_column(sa.String(40))
    licence_number: Mapped[str] = mapped_column(sa.String(64))
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    opening_hours: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    status: Mapped[str] = mapped_column(sa.String(20), default=M_PENDING, server_default=M_PENDING)
    decision_reason: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    community = relationship("Community")
    owner = relationship("User", foreign_keys=[owner_id])

    __table_args__ = (
        sa.CheckConstraint(_in("category", CATEGORIES), name="known_category"),
        sa.CheckConstraint(_in("status", MERCHANT_STATUSES), name="known_status"),
        sa.Index("ix_merchants_status_community", "status", "community_id"),
    )

    @property
    def is_approved(self) -> bool:
        return self.status == M_APPROVED


class StaffInvitation(db.Model):
    """An e-mailed link that makes its acceptor staff of the merchant: only the token's digest is
    stored; it expires, and ``accepted_at`` is set by one conditional UPDATE, so it works once."""

    __tablename__ = "merchant_staff_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(sa.ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(sa.String(255))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    merchant: Mapped[Merchant] = relationship()


class Perk(TimestampMixin, db.Model):
    """A standing offer of a merchant (10% off, a free upgrade); shown, not claimed."""

    __tablename__ = "perks"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(sa.ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    category: Mapped[str] = mapped_column(sa.String(16))
    discount_text: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    terms: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    valid_from: Mapped[date | None] = mapped_column(sa.Date)
    valid_until: Mapped[date | None] = mapped_column(sa.Date)
    # Empty: every tier (and residents without one); otherwise only these tiers.
    eligible_tiers: Mapped[list] = mapped_column(sa.JSON, default=list, server_default=sa.text("'[]'"))
    # Empty: residents of every community; otherwise only these community ids.
    eligible_communities: Mapped[list] = mapped_column(sa.JSON, default=list, server_default=sa.text("'[]'"))
    hidden: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    hidden_reason: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")

    merchant: Mapped[Merchant] = relationship()

    __table_args__ = (
        sa.CheckConstraint(_in("category", CATEGORIES), name="known_category"),
        sa.CheckConstraint("valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from",
                           name="valid_range"),
    )


class Campaign(TimestampMixin, money_columns("face_value"), db.Model):
    """A batch of free-experience vouchers (免费体验券). ``claimed`` counts vouchers handed out: the
    claim is ``UPDATE ... SET claimed = claimed + 1 WHERE claimed < total``, and the CHECK says the
    same, so no interleaving of requests hands out voucher total + 1."""

    __tablename__ = "voucher_campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(sa.ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    benefit: Mapped[str] = mapped_column(sa.String(255))
    terms: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    funded_by: Mapped[str] = mapped_column(sa.String(16), default="merchant", server_default="merchant")
    total: Mapped[int]
    claimed: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    per_resident_limit: Mapped[int] = mapped_column(default=1, server_default=sa.text("1"))
    claim_starts_at: Mapped[datetime]
    claim_ends_at: Mapped[datetime]
    validity: Mapped[str] = mapped_column(sa.String(8), default="fixed", server_default="fixed")
    valid_from: Mapped[date | None] = mapped_column(sa.Date)
    valid_until: Mapped[date | None] = mapped_column(sa.Date)
    valid_days: Mapped[int | None]
    eligible_tiers: Mapped[list] = mapped_column(sa.JSON, default=list, server_default=sa.text("'[]'"))
    eligible_communities: Mapped[list] = mapped_column(sa.JSON, default=list, server_default=sa.text("'[]'"))
    status: Mapped[str] = mapped_column(sa.String(16), default=C_PENDING, server_default=C_PENDING)
    decision_reason: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    merchant: Mapped[Merchant] = relationship()

    __table_args__ = (
        sa.CheckConstraint(_in("status", CAMPAIGN_STATUSES), name="known_status"),
        sa.CheckConstraint(_in("funded_by", FUNDERS), name="known_funder"),
        sa.CheckConstraint(_in("validity", VALIDITY_KINDS), name="known_validity"),
        sa.CheckConstraint("total >= 1", name="total_positive"),
        sa.CheckConstraint("claimed >= 0 AND claimed <= total", name="claimed_within_total"),
        sa.CheckConstraint("per_resident_limit >= 1", name="limit_positive"),
        sa.CheckConstraint("claim_ends_at > claim_starts_at", name="window_order"),
        sa.CheckConstraint(
            "(validity = 'fixed' AND valid_from IS NOT NULL AND valid_until IS NOT NULL AND valid_until >= valid_from)"
            " OR (validity = 'days' AND valid_days IS NOT NULL AND valid_days >= 1)",
            name="validity_complete"),
        sa.Index("ix_voucher_campaigns_status_window", "status", "claim_ends_at"),
    )

    @property
    def remaining(self) -> int:
        return self.total - self.claimed


class ClaimCount(db.Model):
    """How many vouchers a resident claimed from a campaign. The claim raises it with
    ``INSERT ... ON CONFLICT DO UPDATE SET claimed = claimed + 1 WHERE claimed < limit``: the row
    lock queues one resident's concurrent claims, and the WHERE refuses the one over the limit."""

    __tablename__ = "voucher_claim_counts"

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("voucher_campaigns.id", ondelete="CASCADE"),
                                             primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    claimed: Mapped[int] = mapped_column(default=1)

    __table_args__ = (sa.CheckConstraint("claimed >= 1", name="claimed_positive"),)


class Voucher(db.Model):
    """One claimed voucher. ``code`` is 16 Crockford base32 symbols (15 random, one check; shown in
    groups of four), stored normalised with a unique index. Redemption is one conditional UPDATE
    (``WHERE status = 'active'``), so two counters confirming at once redeem it once."""

    __tablename__ = "vouchers"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("voucher_campaigns.id", ondelete="CASCADE"))
    merchant_id: Mapped[int] = mapped_column(sa.ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    community_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communities.id", ondelete="SET NULL"))
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    status: Mapped[str] = mapped_column(sa.String(12), default=V_ACTIVE, server_default=V_ACTIVE)
    claimed_at: Mapped[datetime] = mapped_column(default=now)
    valid_from: Mapped[date] = mapped_column(sa.Date)
    valid_until: Mapped[date] = mapped_column(sa.Date)
    redeemed_at: Mapped[datetime | None]
    redeemed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")

    campaign: Mapped[Campaign] = relationship()
    merchant: Mapped[Merchant] = relationship()
    user = relationship("User", foreign_keys=[user_id])
    redeemed_by = relationship("User", foreign_keys=[redeemed_by_id])

    __table_args__ = (
        sa.CheckConstraint(_in("status", VOUCHER_STATUSES), name="known_status"),
        sa.CheckConstraint("(status = 'redeemed') = (redeemed_at IS NOT NULL)", name="redeemed_has_time"),
        sa.CheckConstraint("valid_until >= valid_from", name="valid_range"),
        sa.Index("ix_vouchers_user_claimed", "user_id", "claimed_at"),
        sa.Index("ix_vouchers_campaign_claimed", "campaign_id", "claimed_at"),
        sa.Index("ix_vouchers_status_valid_until", "status", "valid_until"),
    )
