"""Lease tables: leases (from an accepted offer's draft), the signatures on them, move-in and
move-out inspections with their items, deposits, monthly rent bills and the community's subsidy
rates. The database carries the rules that must never break:

- a unit is never under two leases whose dates overlap: on PostgreSQL an exclusion constraint
  over (unit_id, daterange(starts_on, ends_on, '[]')) for every lease past its draft (btree_gist);
  on SQLite the countersign operation takes the write lock first and checks (operations.leases);
- a bill is issued once per lease and period start (unique key; the job inserts with ON CONFLICT
  DO NOTHING, so two runs at once issue it once);
- one deposit, one lease per draft, one inspection of each kind per lease.
"""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core.clock import now
from community.core.db import TimestampMixin
from community.core.money import CURRENCY
from community.extensions import db

DRAFT, SIGNED, ACTIVE, ENDING, ENDED, TERMINATED = LEASE_STATUSES = (
    "draft", "signed", "active", "ending", "ended", "terminated")
# Leases that hold their unit for their dates (the exclusion constraint's WHERE).
HOLDING = (SIGNED, ACTIVE, ENDING, ENDED, TERMINATED)
BILLED = (ACTIVE, ENDING)

RESIDENT_PARTY, OFFICE_PARTY = PARTIES = ("resident", "office")

MOVE_IN, MOVE_OUT = INSPECTION_KINDS = ("move_in", "move_out")
GOOD, WORN, DAMAGED, MISSING = CONDITIONS = ("good", "worn", "damaged", "missing")

BILL_OPEN, BILL_PAID, BILL_OVERDUE, BILL_WAIVED = BILL_STATUSES = ("open", "paid", "overdue", "waived")
DEPOSIT_UNPAID, DEPOSIT_HELD, DEPOSIT_SETTLED = DEPOSIT_STATUSES = ("unpaid", "held", "settled")
RENEWAL_REQUESTED, RENEWAL_OFFERED, RENEWAL_DECLINED = RENEWAL_STATUSES = ("requested", "offered", "declined")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Lease(TimestampMixin, db.Model):
    """A lease of one unit to one resident (the tenant) with co-occupants, from ``starts_on`` to
    ``ends_on`` (both days included). Rent and deposit in integer fen; bills are issued on
    ``payment_day`` of each month (1-28). ``renewal_of_id``: the lease this one renews."""

    __tablename__ = "leases"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("apartment_units.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    draft_id: Mapped[int | None] = mapped_column(sa.ForeignKey("apartment_lease_drafts.id", ondelete="SET NULL"),
                                                 unique=True)
    renewal_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("leases.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(sa.String(16), default=DRAFT, server_default=DRAFT)
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    rent_fen: Mapped[int]
    deposit_fen: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    currency: Mapped[str] = mapped_column(sa.String(3), default=CURRENCY, server_default=CURRENCY)
    payment_day: Mapped[int] = mapped_column(default=1, server_default=sa.text("1"))
    notice_days: Mapped[int] = mapped_column(default=30, server_default=sa.text("30"))
    co_occupants: Mapped[list] = mapped_column(sa.JSON, default=list)
    terms_version: Mapped[str] = mapped_column(sa.String(32))
    countersigned_at: Mapped[datetime | None]
    moved_in_at: Mapped[datetime | None]
    notice_given_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    end_reason: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")

    unit = relationship("Unit")
    user = relationship("User")
    community = relationship("Community")
    signatures: Mapped[list["LeaseSignature"]] = relationship(back_populates="lease", order_by="LeaseSignature.id")

    __table_args__ = (
        sa.CheckConstraint(_in("status", LEASE_STATUSES), name="known_status"),
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        sa.CheckConstraint("rent_fen >= 0", name="rent_not_negative"),
        sa.CheckConstraint("deposit_fen >= 0", name="deposit_not_negative"),
        sa.CheckConstraint("payment_day BETWEEN 1 AND 28", name="payment_day_range"),
        sa.CheckConstraint("notice_days BETWEEN 0 AND 365", name="notice_days_range"),
        sa.Index("ix_leases_status_community", "status", "community_id"),
        # A unit under two leases at once is refused by PostgreSQL itself (btree_gist gives the
        # "=" of unit_id in a GiST index); SQLite ignores this.
        postgresql.ExcludeConstraint(
            ("unit_id", "="), (sa.func.daterange(sa.column("starts_on"), sa.column("ends_on"), sa.text("'[]'")), "&&"),
            name="ex_leases_unit_dates", using="gist", where=sa.text("status <> 'draft'")).ddl_if(dialect="postgresql"),
    )

    @property
    def awaits_resident(self) -> bool:
        """A draft the resident has not signed yet (the office countersigns only after them)."""
        return self.status == DRAFT and self.signature(RESIDENT_PARTY) is None

    @property
    def is_current(self) -> bool:
        return self.status in (SIGNED, ACTIVE, ENDING)

    def signature(self, party):
        return next((s for s in self.signatures if s.party == party), None)


class LeaseSignature(db.Model):
    """Who accepted which version of the terms, when and from where. The resident signs first,
    then the office countersigns; each party once (unique)."""

    __tablename__ = "lease_signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    lease_id: Mapped[int] = mapped_column(sa.ForeignKey("leases.id", ondelete="CASCADE"), index=True)
    party: Mapped[str] = mapped_column(sa.String(16))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    terms_version: Mapped[str] = mapped_column(sa.String(32))
    terms_sha256: Mapped[str] = mapped_column(sa.String(64))
    signed_at: Mapped[datetime] = mapped_column(default=now)
    ip_address: Mapped[str] = mapped_column(sa.String(45), default="", server_default="")
    user_agent: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")

    lease: Mapped[Lease] = relationship(back_populates="signatures")
    user = relationship("User")

    __table_args__ = (
        sa.UniqueConstraint("lease_id", "party"),
        sa.CheckConstraint(_in("party", PARTIES), name="known_party"),
    )


class Inspection(TimestampMixin, db.Model):
    """A move-in or move-out inspection: items per room, signed off by both sides; once both
    signed it is closed. A signed move-in activates the lease; a signed move-out ends it and
    settles the deposit from the items' damage costs."""

    __tablename__ = "lease_inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    lease_id: Mapped[int] = mapped_column(sa.ForeignKey("leases.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    inspected_on: Mapped[date] = mapped_column(sa.Date)
    office_signed_at: Mapped[datetime | None]
    office_signed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    resident_signed_at: Mapped[datetime | None]

    lease: Mapped[Lease] = relationship()
    items: Mapped[list["InspectionItem"]] = relationship(back_populates="inspection", cascade="all, delete-orphan",
                                                         order_by="InspectionItem.id")

    __table_args__ = (
        sa.UniqueConstraint("lease_id", "kind"),
        sa.CheckConstraint(_in("kind", INSPECTION_KINDS), name="known_kind"),
    )

    @property
    def is_signed(self) -> bool:
        return self.office_signed_at is not None and self.resident_signed_at is not None

    @property
    def damages_fen(self) -> int:
        return sum(item.cost_fen for item in self.items)


class InspectionItem(db.Model):
    """One checked thing of a room: its condition, a note, photos (core attachments) and, at
    move-out, what repairing it costs (a deposit deduction)."""

    __tablename__ = "lease_inspection_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("lease_inspections.id", ondelete="CASCADE"), index=True)
    room: Mapped[str] = mapped_column(sa.String(60))
    item: Mapped[str] = mapped_column(sa.String(120))
    condition: Mapped[str] = mapped_column(sa.String(16))
    note: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    cost_fen: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))

    inspection: Mapped[Inspection] = relationship(back_populates="items")

    __table_args__ = (
        sa.CheckConstraint(_in("condition", CONDITIONS), name="known_condition"),
        sa.CheckConstraint("cost_fen >= 0", name="cost_not_negative"),
    )


class Deposit(TimestampMixin, db.Model):
    """The lease's deposit: owed from the countersignature, held once paid, settled at move-out
    (deductions itemised by the move-out inspection; ``refund_fen`` back to the resident, or
    ``balance_owed_fen`` when the damages pass the deposit; never a negative refund)."""

    __tablename__ = "lease_deposits"

    id: Mapped[int] = mapped_column(primary_key=True)
    lease_id: Mapped[int] = mapped_column(sa.ForeignKey("leases.id", ondelete="CASCADE"), unique=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    amount_fen: Mapped[int]
    currency: Mapped[str] = mapped_column(sa.String(3), default=CURRENCY, server_default=CURRENCY)
    status: Mapped[str] = mapped_column(sa.String(16), default=DEPOSIT_UNPAID, server_default=DEPOSIT_UNPAID)
    paid_at: Mapped[datetime | None]
    settled_at: Mapped[datetime | None]
    deductions_fen: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    refund_fen: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    balance_owed_fen: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    dispute_message: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    disputed_at: Mapped[datetime | None]

    lease: Mapped[Lease] = relationship()

    __table_args__ = (
        sa.CheckConstraint(_in("status", DEPOSIT_STATUSES), name="known_status"),
        sa.CheckConstraint("amount_fen >= 0 AND deductions_fen >= 0 AND refund_fen >= 0 AND balance_owed_fen >= 0",
                           name="amounts_not_negative"),
    )


class Bill(db.Model):
    """A month's rent bill: the rent for the days of the period (both days included), the talent
    subsidy of the tier valid on ``period_start`` at the community's rate (``tier`` and
    ``subsidy_percent`` say which rule gave it), and what is due. Unique per lease and period start."""

    __tablename__ = "lease_bills"

    id: Mapped[int] = mapped_column(primary_key=True)
    lease_id: Mapped[int] = mapped_column(sa.ForeignKey("leases.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    period_start: Mapped[date] = mapped_column(sa.Date)
    period_end: Mapped[date] = mapped_column(sa.Date)
    issued_on: Mapped[date] = mapped_column(sa.Date)
    due_on: Mapped[date] = mapped_column(sa.Date)
    rent_fen: Mapped[int]
    subsidy_fen: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    amount_due_fen: Mapped[int]
    currency: Mapped[str] = mapped_column(sa.String(3), default=CURRENCY, server_default=CURRENCY)
    tier: Mapped[str | None] = mapped_column(sa.String(16))
    subsidy_percent: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    status: Mapped[str] = mapped_column(sa.String(16), default=BILL_OPEN, server_default=BILL_OPEN)
    paid_at: Mapped[datetime | None]
    waived_at: Mapped[datetime | None]
    waived_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    waive_reason: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=now)
    # When the resident was told of the bill (operations.bills.notify_new_bills); NULL until then.
    notified_at: Mapped[datetime | None]

    lease: Mapped[Lease] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("lease_id", "period_start"),
        sa.Index("ix_lease_bills_community_status", "community_id", "status"),
        sa.Index("ix_lease_bills_to_notify", "id", postgresql_where=sa.text("notified_at IS NULL"),
                 sqlite_where=sa.text("notified_at IS NULL")),
        sa.CheckConstraint(_in("status", BILL_STATUSES), name="known_status"),
        sa.CheckConstraint("period_end >= period_start", name="period_order"),
        sa.CheckConstraint("rent_fen >= 0 AND subsidy_fen >= 0 AND subsidy_fen <= rent_fen", name="subsidy_in_rent"),
        sa.CheckConstraint("amount_due_fen = rent_fen - subsidy_fen", name="due_is_rent_less_subsidy"),
        sa.CheckConstraint("subsidy_percent BETWEEN 0 AND 100", name="percent_range"),
    )

    @staticmethod
    def title_for(unit: str, period_start, period_end) -> str:
        """The charge's title in the ledger and on the payments pages: "<building> <unit> <from>–<to>"."""
        return f"{unit} {period_start.isoformat()}–{period_end.isoformat()}"

    @property
    def charge_title(self) -> str:
        unit = self.lease.unit
        return self.title_for(f"{unit.building.name} {unit.number}", self.period_start, self.period_end)

    @property
    def is_payable(self) -> bool:
        return self.status in (BILL_OPEN, BILL_OVERDUE) and self.amount_due_fen > 0


class SubsidyRate(db.Model):
    """A community's rent subsidy for a talent tier, in whole percent (defaults in rules)."""

    __tablename__ = "lease_subsidy_rates"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"))
    tier: Mapped[str] = mapped_column(sa.String(16))
    percent: Mapped[int]

    __table_args__ = (
        sa.UniqueConstraint("community_id", "tier"),
        sa.CheckConstraint("tier IN ('junior', 'intermediate', 'senior')", name="known_tier"),
        sa.CheckConstraint("percent BETWEEN 0 AND 100", name="percent_range"),
    )


class RenewalRequest(TimestampMixin, db.Model):
    """A resident's request to renew: the term asked for; the office offers a rent (the round's
    rule by default: the current rent) which makes the renewal lease draft the resident signs."""

    __tablename__ = "lease_renewals"

    id: Mapped[int] = mapped_column(primary_key=True)
    lease_id: Mapped[int] = mapped_column(sa.ForeignKey("leases.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(16), default=RENEWAL_REQUESTED, server_default=RENEWAL_REQUESTED)
    rent_fen: Mapped[int | None]
    new_lease_id: Mapped[int | None] = mapped_column(sa.ForeignKey("leases.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]

    lease: Mapped[Lease] = relationship(foreign_keys=[lease_id])

    __table_args__ = (
        sa.CheckConstraint(_in("status", RENEWAL_STATUSES), name="known_status"),
        sa.CheckConstraint("ends_on > starts_on", name="ends_after_start"),
    )
