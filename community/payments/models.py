"""Payment tables. The database guards what must never happen twice:

- a payable is paid at most once: a partial unique index on (payable_kind, payable_id) over
  payments in status "paid";
- one open Checkout Session a payable: a partial unique index over status "open", so a second click
  on Pay (or two at once) reuses it;
- a webhook event is applied once: its Stripe id is the primary key of payment_events, inserted
  first in the unit of work that applies it;
- a payable is charged once: a partial unique index over ledger transactions of kind "charge";
- ledger entries are never changed: on PostgreSQL a trigger refuses UPDATE and DELETE.
"""
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core.clock import now
from community.core.money import CURRENCY
from community.extensions import db

STRIPE = "stripe"
CASH = "cash"
BANK_TRANSFER = "bank_transfer"
POS = "pos"
METHODS = (STRIPE, CASH, BANK_TRANSFER, POS)
OFFLINE_METHODS = (CASH, BANK_TRANSFER, POS)

OPEN = "open"  # a Checkout Session waits for the payer
PAID = "paid"
FAILED = "failed"
EXPIRED = "expired"
REVERSED = "reversed"  # an offline payment recorded by mistake, undone with a reason
SURPLUS = "surplus"  # money arrived for a payable no longer open (paid already, cancelled): refunded
PAYMENT_STATUSES = (OPEN, PAID, FAILED, EXPIRED, REVERSED, SURPLUS)
MONEY_IN = (PAID, SURPLUS)

REFUND_PENDING = "pending"
REFUND_SUCCEEDED = "succeeded"
REFUND_FAILED = "failed"
REFUND_STATUSES = (REFUND_PENDING, REFUND_SUCCEEDED, REFUND_FAILED)

EVENT_APPLIED = "applied"
EVENT_IGNORED = "ignored"
EVENT_REFUSED = "refused"
EVENT_DEFERRED = "deferred"  # about a payment we have not seen paid yet; applied when it is
EVENT_STATUSES = (EVENT_APPLIED, EVENT_IGNORED, EVENT_REFUSED, EVENT_DEFERRED)

# Ledger accounts. Debits are positive, credits negative; every transaction sums to zero.
RECEIVABLE = "receivable"  # what payers owe (asset)
REVENUE = "revenue"  # what the community earned (income)
SUBSIDY = "subsidy"  # the part a subsidy covers (expense of the programme)
CASH_STRIPE = "cash_stripe"  # money held at Stripe
CASH_OFFLINE = "cash_offline"  # money the office took (cash, transfer, POS)
UNAPPLIED = "unapplied"  # money received for nothing owed, until it is refunded (liability)
WRITE_OFF = "write_off"  # receivables given up (a booking cancelled unpaid)
ACCOUNTS = (RECEIVABLE, REVENUE, SUBSIDY, CASH_STRIPE, CASH_OFFLINE, UNAPPLIED, WRITE_OFF)
CASH_ACCOUNTS = (CASH_STRIPE, CASH_OFFLINE)

CHARGE = "charge"
PAYMENT = "payment"
REFUND = "refund"
REVERSAL = "reversal"
VOID = "write_off"
CREDIT = "credit"  # a charge made smaller (a rent bill cut to the days lived when its lease ended early)
TRANSACTION_KINDS = (CHARGE, PAYMENT, REFUND, REVERSAL, VOID, CREDIT)


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Payment(db.Model):
    """Money for one payable: a Stripe Checkout Session (open until its webhook) or an offline
    payment the office recorded (paid at once)."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    payable_kind: Mapped[str] = mapped_column(sa.String(32))
    payable_id: Mapped[int]
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    payer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    amount_fen: Mapped[int]
    currency: Mapped[str] = mapped_column(sa.String(3), default=CURRENCY, server_default=CURRENCY)
    refunded_fen: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    method: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(16))
    reference: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    # Sent to Stripe as the idempotency key of the session's creation (ids may be reused after a
    # rollback on SQLite; a token never is).
    token: Mapped[str] = mapped_column(sa.String(36), unique=True, default=lambda: str(uuid.uuid4()))
    stripe_session_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    stripe_payment_intent: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    checkout_url: Mapped[str | None] = mapped_column(sa.String(2048))
    paid_method_type: Mapped[str] = mapped_column(sa.String(32), default="", server_default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reversal_reason: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=now)
    paid_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]  # failed, expired or reversed

    payer = relationship("User", foreign_keys=[payer_id])
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    community = relationship("Community")
    refunds: Mapped[list["Refund"]] = relationship(back_populates="payment", order_by="Refund.id")

    __table_args__ = (
        sa.Index("uq_payments_paid_payable", "payable_kind", "payable_id", unique=True,
                 postgresql_where=sa.text("status = 'paid'"), sqlite_where=sa.text("status = 'paid'")),
        sa.Index("uq_payments_open_payable", "payable_kind", "payable_id", unique=True,
                 postgresql_where=sa.text("status = 'open'"), sqlite_where=sa.text("status = 'open'")),
        sa.Index("ix_payments_payable", "payable_kind", "payable_id"),
        sa.Index("ix_payments_community_created", "community_id", "created_at"),
        sa.CheckConstraint("amount_fen > 0", name="amount_positive"),
        sa.CheckConstraint("refunded_fen >= 0 AND refunded_fen <= amount_fen", name="refunded_within_amount"),
        sa.CheckConstraint(_in("method", METHODS), name="known_method"),
        sa.CheckConstraint(_in("status", PAYMENT_STATUSES), name="known_status"),
    )

    @property
    def is_online(self) -> bool:
        return self.method == STRIPE

    @property
    def refundable_fen(self) -> int:
        """What may still be refunded: the amount less refunds succeeded or under way."""
        held = sum(r.amount_fen for r in self.refunds if r.status != REFUND_FAILED)
        return self.amount_fen - held if self.status in MONEY_IN else 0


class Refund(db.Model):
    """Money going back to the payer: through Stripe (pending until its webhook says succeeded) or
    handed back by the office (offline; pending until the office records it done)."""

    __tablename__ = "payment_refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(sa.ForeignKey("payments.id", ondelete="CASCADE"), index=True)
    amount_fen: Mapped[int]
    currency: Mapped[str] = mapped_column(sa.String(3), default=CURRENCY, server_default=CURRENCY)
    reason: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    status: Mapped[str] = mapped_column(sa.String(16), default=REFUND_PENDING, server_default=REFUND_PENDING)
    # Sent to Stripe as the idempotency key: a retry (the job, a second try) never refunds twice.
    token: Mapped[str] = mapped_column(sa.String(36), unique=True, default=lambda: str(uuid.uuid4()))
    stripe_refund_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    submitted_at: Mapped[datetime | None]
    submit_error: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    reference: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    settled_at: Mapped[datetime | None]

    payment: Mapped[Payment] = relationship(back_populates="refunds")
    created_by = relationship("User")

    __table_args__ = (
        sa.CheckConstraint("amount_fen > 0", name="amount_positive"),
        sa.CheckConstraint(_in("status", REFUND_STATUSES), name="known_status"),
    )


class PaymentEvent(db.Model):
    """A webhook event, stored by its Stripe id before it is applied, in the same transaction: a
    second delivery finds the id taken and changes nothing."""

    __tablename__ = "payment_events"

    id: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(16))
    object_id: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    payment_intent: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    payload: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    received_at: Mapped[datetime] = mapped_column(default=now, index=True)
    applied_at: Mapped[datetime | None]

    __table_args__ = (sa.CheckConstraint(_in("status", EVENT_STATUSES), name="known_status"),)


AMOUNT_MISMATCH = "amount_mismatch"
CURRENCY_MISMATCH = "currency_mismatch"
UNKNOWN_SESSION = "unknown_session"
NOT_OPEN = "not_open"
REFUND_REFUSED = "refund_failed"
PROBLEM_CODES = (AMOUNT_MISMATCH, CURRENCY_MISMATCH, UNKNOWN_SESSION, NOT_OPEN, REFUND_REFUSED)


class PaymentProblem(db.Model):
    """Something the office must look at: a webhook refused (amount or currency not what the
    payable costs, a session we never opened), money for a payable no longer owed, a refund Stripe
    refused."""

    __tablename__ = "payment_problems"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32))
    community_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    payment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payments.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[str | None] = mapped_column(sa.String(255))
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=now, index=True)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    resolution: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")

    payment: Mapped[Payment | None] = relationship()

    __table_args__ = (sa.CheckConstraint(_in("code", PROBLEM_CODES), name="known_code"),)


class LedgerTransaction(db.Model):
    """One balanced movement: a charge, a payment, a refund, a reversal, a write-off."""

    __tablename__ = "ledger_transactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"))
    payable_kind: Mapped[str] = mapped_column(sa.String(32))
    payable_id: Mapped[int]
    payer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    payment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payments.id", ondelete="SET NULL"), index=True)
    refund_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payment_refunds.id", ondelete="SET NULL"))
    memo: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=now, index=True)

    entries: Mapped[list["LedgerEntry"]] = relationship(back_populates="transaction", order_by="LedgerEntry.id")

    __table_args__ = (
        sa.Index("uq_ledger_transactions_charge", "payable_kind", "payable_id", unique=True,
                 postgresql_where=sa.text("kind = 'charge'"), sqlite_where=sa.text("kind = 'charge'")),
        sa.Index("uq_ledger_transactions_write_off", "payable_kind", "payable_id", unique=True,
                 postgresql_where=sa.text("kind = 'write_off'"), sqlite_where=sa.text("kind = 'write_off'")),
        sa.Index("ix_ledger_transactions_payable", "payable_kind", "payable_id"),
        sa.CheckConstraint(_in("kind", TRANSACTION_KINDS), name="known_kind"),
    )


class LedgerEntry(db.Model):
    """One line of a transaction: a signed amount on an account (debit > 0, credit < 0). Never
    updated or deleted; a correction is a new transaction."""

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_transactions.id", ondelete="RESTRICT"),
                                                index=True)
    account: Mapped[str] = mapped_column(sa.String(16))
    # No cascades: an entry is never changed, so a community or payer with a ledger history cannot
    # be deleted under it (the trigger would refuse the SET NULL as well).
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="RESTRICT"))
    payer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    payable_kind: Mapped[str] = mapped_column(sa.String(32))
    payable_id: Mapped[int]
    amount_fen: Mapped[int]
    currency: Mapped[str] = mapped_column(sa.String(3), default=CURRENCY, server_default=CURRENCY)
    created_at: Mapped[datetime] = mapped_column(default=now)

    transaction: Mapped[LedgerTransaction] = relationship(back_populates="entries")

    __table_args__ = (
        sa.Index("ix_ledger_entries_community_account", "community_id", "account"),
        sa.Index("ix_ledger_entries_payer_account", "payer_id", "account"),
        sa.Index("ix_ledger_entries_payable", "payable_kind", "payable_id"),
        sa.CheckConstraint(_in("account", ACCOUNTS), name="known_account"),
        sa.CheckConstraint("amount_fen <> 0", name="amount_not_zero"),
    )
