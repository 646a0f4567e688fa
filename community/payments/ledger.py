"""The double-entry ledger: every movement of money as a balanced transaction of entries in fen.

Debits are positive, credits negative; the entries of a transaction sum to zero in each currency.
Accounts (models.ACCOUNTS) and what moves them:

  charge     receivable +amount (subsidy +part) / revenue -gross     a payable is owed
  payment    cash_<method> +amount / receivable -amount               the payer paid
             cash_<method> +amount / unapplied -amount                money for nothing owed (surplus)
  refund     revenue +amount / cash_<method> -amount                  money went back
             unapplied +amount / cash_<method> -amount                a surplus went back
  reversal   receivable +amount / cash_offline -amount                an offline payment undone
  write_off  write_off +open / receivable -open                       no longer owed, never paid
  credit     revenue +less / receivable -owed (subsidy -part)         a charge made smaller (what was
                                                                      paid of it is refunded besides)

A payer's balance and a community's receivables are sums of entries and nothing else
(``receivable_balance``). ``check()`` is what ``flask payments check-ledger`` runs.
"""
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from community.core.clock import now
from community.core.payables import payable_kind
from community.extensions import db
from community.payments.models import (
    CASH_ACCOUNTS, CASH_OFFLINE, CASH_STRIPE, CHARGE, CREDIT, MONEY_IN, PAYMENT, RECEIVABLE, REFUND, REFUND_SUCCEEDED,
    REVENUE, REVERSAL, STRIPE, SUBSIDY, UNAPPLIED, VOID, WRITE_OFF, LedgerEntry, LedgerTransaction, Payment,
    Refund,
)


def cash_account(method: str) -> str:
    return CASH_STRIPE if method == STRIPE else CASH_OFFLINE


def post(kind: str, *, community_id: int, payable_kind: str, payable_id: int, payer_id, lines, currency: str,
         payment=None, refund=None, actor=None, memo: str = "") -> LedgerTransaction:
    """Add one transaction of ``lines`` [(account, fen)]; refuses one that does not balance."""
    lines = [(account, fen) for account, fen in lines if fen]
    if sum(fen for _, fen in lines) != 0:
        raise ValueError(f"ledger transaction {kind} does not balance: {lines}")
    txn = LedgerTransaction(kind=kind, community_id=community_id, payable_kind=payable_kind,
                            payable_id=payable_id, payer_id=payer_id, memo=memo[:255],
                            payment_id=getattr(payment, "id", None), refund_id=getattr(refund, "id", None),
                            actor_id=getattr(actor, "id", None))
    # Entries hang on the transaction: the next flush inserts the transactions of a unit of work
    # in one statement and their entries in another (the webhook posts a charge and a payment).
    txn.entries = [LedgerEntry(account=account, amount_fen=fen, currency=currency, community_id=community_id,
                               payer_id=payer_id, payable_kind=payable_kind, payable_id=payable_id)
                   for account, fen in lines]
    db.session.add(txn)
    return txn


def _has(kind: str, payable_kind: str, payable_id: int) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(LedgerTransaction).where(
        LedgerTransaction.kind == kind, LedgerTransaction.payable_kind == payable_kind,
        LedgerTransaction.payable_id == payable_id)) > 0


def post_charge(kind: str, payable_id: int, due, *, actor=None) -> LedgerTransaction | None:
    """The payable is owed: once a payable (the partial unique index holds it under races)."""
    if _has(CHARGE, kind, payable_id):
        return None
    subsidy = due.subsidy.fen if due.subsidy else 0
    gross = due.amount.fen + subsidy
    return post(CHARGE, community_id=due.community_id, payable_kind=kind, payable_id=payable_id,
                payer_id=due.payer_id, currency=due.amount.currency, actor=actor, memo=due.title,
                lines=[(RECEIVABLE, due.amount.fen), (SUBSIDY, subsidy), (REVENUE, -gross)])


def post_charges(kind: str, dues) -> int:
    """post_charge for many payables of one kind [(payable_id, Due)] (a job opening thousands at
    once); returns how many were booked. Once a payable, as post_charge: on PostgreSQL with no look-up
    at all (two statements a call: the transactions from arrays with ON CONFLICT DO NOTHING on the
    charge's partial unique index, RETURNING their ids; then their entries from arrays); elsewhere
    (SQLite: the tests) one look-up of the charges already booked and the unit of work."""
    dues = [(payable_id, due) for payable_id, due in dues if due.amount.fen > 0]
    if not dues:
        return 0
    if db.session.get_bind().dialect.name == "postgresql":
        return _post_charges_pg(kind, dues)
    ids = [payable_id for payable_id, _ in dues]
    booked = set()
    for start in range(0, len(ids), 5000):
        booked.update(db.session.scalars(sa.select(LedgerTransaction.payable_id).where(
            LedgerTransaction.kind == CHARGE, LedgerTransaction.payable_kind == kind,
            LedgerTransaction.payable_id.in_(ids[start:start + 5000]))))
    posted = 0
    for payable_id, due in dues:
        if payable_id in booked:
            continue
        post(CHARGE, community_id=due.community_id, payable_kind=kind, payable_id=payable_id, payer_id=due.payer_id,
             currency=due.amount.currency, memo=due.title, lines=_charge_lines(due))
        booked.add(payable_id)
        posted += 1
    return posted


def _charge_lines(due):
    subsidy = due.subsidy.fen if due.subsidy else 0
    return [(RECEIVABLE, due.amount.fen), (SUBSIDY, subsidy), (REVENUE, -(due.amount.fen + subsidy))]


_CHARGES_PG = """
WITH input AS (
    SELECT * FROM unnest(CAST(:payable_id AS integer[]), CAST(:community_id AS integer[]),
                         CAST(:payer_id AS integer[]), CAST(:memo AS varchar[]), CAST(:amount AS bigint[]),
                         CAST(:subsidy AS bigint[]), CAST(:currency AS varchar[]))
        AS i(payable_id, community_id, payer_id, memo, amount, subsidy, currency)
), txn AS (
    INSERT INTO ledger_transactions (kind, community_id, payable_kind, payable_id, payer_id, memo, created_at)
    SELECT 'charge', community_id, :kind, payable_id, payer_id, memo, :at FROM input
    ON CONFLICT (payable_kind, payable_id) WHERE kind = 'charge' DO NOTHING
    RETURNING id, payable_id
), entries AS (
    INSERT INTO ledger_entries (transaction_id, account, amount_fen, currency, community_id, payer_id,
                                payable_kind, payable_id, created_at)
    SELECT txn.id, line.account, line.fen, input.currency, input.community_id, input.payer_id, :kind,
           input.payable_id, :at
    FROM txn JOIN input ON input.payable_id = txn.payable_id
    CROSS JOIN LATERAL (VALUES (:receivable, input.amount), (:subsidy_account, input.subsidy),
                               (:revenue, -(input.amount + input.subsidy))) AS line(account, fen)
    WHERE line.fen <> 0
    RETURNING 1
)
SELECT (SELECT count(*) FROM txn), (SELECT count(*) FROM entries)
"""


def _post_charges_pg(kind: str, dues) -> int:
    """One statement for the lot: the input from arrays (parsed once, whatever the count: a multi-row
    VALUES has a placeholder a value, which psycopg parses again every batch), the transactions with
    ON CONFLICT DO NOTHING on the charge's partial unique index (a payable already charged, by an
    earlier or a concurrent run, gets nothing), and the entries of the transactions inserted, each
    balanced by construction (receivable + subsidy = gross = -revenue; zero lines left out)."""
    db.session.flush()  # a charge pending in the unit of work would otherwise meet ours at its flush
    by_id = {}
    for payable_id, due in dues:
        by_id.setdefault(payable_id, due)
    params = {"payable_id": [], "community_id": [], "payer_id": [], "memo": [], "amount": [], "subsidy": [],
              "currency": []}
    for payable_id, due in by_id.items():
        params["payable_id"].append(payable_id)
        params["community_id"].append(due.community_id)
        params["payer_id"].append(due.payer_id)
        params["memo"].append(due.title[:255])
        params["amount"].append(due.amount.fen)
        params["subsidy"].append(due.subsidy.fen if due.subsidy else 0)
        params["currency"].append(due.amount.currency)
    params.update(kind=kind, at=now(), receivable=RECEIVABLE, subsidy_account=SUBSIDY, revenue=REVENUE)
    made, _ = db.session.execute(sa.text(_CHARGES_PG), params).one()
    return made


def post_payment(payment: Payment, *, actor=None) -> LedgerTransaction:
    credit = UNAPPLIED if payment.status != "paid" else RECEIVABLE
    return post(PAYMENT, community_id=payment.community_id, payable_kind=payment.payable_kind,
                payable_id=payment.payable_id, payer_id=payment.payer_id, currency=payment.currency,
                payment=payment, actor=actor, memo=payment.reference or payment.method,
                lines=[(cash_account(payment.method), payment.amount_fen), (credit, -payment.amount_fen)])


def post_refund(refund: Refund, *, actor=None) -> LedgerTransaction:
    payment = refund.payment
    debit = UNAPPLIED if payment.status != "paid" else REVENUE
    return post(REFUND, community_id=payment.community_id, payable_kind=payment.payable_kind,
                payable_id=payment.payable_id, payer_id=payment.payer_id, currency=refund.currency,
                payment=payment, refund=refund, actor=actor, memo=refund.reason,
                lines=[(debit, refund.amount_fen), (cash_account(payment.method), -refund.amount_fen)])


def post_reversal(payment: Payment, *, actor=None, reason: str = "") -> LedgerTransaction:
    return post(REVERSAL, community_id=payment.community_id, payable_kind=payment.payable_kind,
                payable_id=payment.payable_id, payer_id=payment.payer_id, currency=payment.currency,
                payment=payment, actor=actor, memo=reason,
                lines=[(RECEIVABLE, payment.amount_fen), (cash_account(payment.method), -payment.amount_fen)])


def post_write_off(kind: str, payable_id: int, *, community_id: int, payer_id, currency: str, actor=None,
                   memo: str = "") -> LedgerTransaction | None:
    """Give up what is still owed on the payable (nothing when nothing is)."""
    open_fen = receivable_of(kind, payable_id)
    if open_fen <= 0 or _has(VOID, kind, payable_id):
        return None
    return post(VOID, community_id=community_id, payable_kind=kind, payable_id=payable_id, payer_id=payer_id,
                currency=currency, actor=actor, memo=memo,
                lines=[(WRITE_OFF, open_fen), (RECEIVABLE, -open_fen)])


def has_charge(kind: str, payable_id: int) -> bool:
    return _has(CHARGE, kind, payable_id)


def post_credit(kind: str, payable_id: int, *, receivable_fen: int, subsidy_fen: int, community_id: int,
                payer_id, currency: str, actor=None, memo: str = "") -> LedgerTransaction | None:
    """The charge of a payable made smaller: ``receivable_fen`` less owed by the payer (0 when it
    was paid: the refund takes that back from revenue) and ``subsidy_fen`` less by the subsidy;
    revenue gives up both. Nothing when both are 0."""
    if receivable_fen < 0 or subsidy_fen < 0:
        raise ValueError("a credit makes a charge smaller, never larger")
    if not receivable_fen and not subsidy_fen:
        return None
    return post(CREDIT, community_id=community_id, payable_kind=kind, payable_id=payable_id, payer_id=payer_id,
                currency=currency, actor=actor, memo=memo,
                lines=[(REVENUE, receivable_fen + subsidy_fen), (RECEIVABLE, -receivable_fen), (SUBSIDY, -subsidy_fen)])


# -- balances: from the entries alone ----------------------------------------------------------------

def _sum(*conditions) -> int:
    return int(db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(LedgerEntry.amount_fen), 0))
                                 .where(*conditions)) or 0)


def receivable_of(kind: str, payable_id: int) -> int:
    return _sum(LedgerEntry.account == RECEIVABLE, LedgerEntry.payable_kind == kind,
                LedgerEntry.payable_id == payable_id)


def payer_balance(user_id: int) -> int:
    """What the payer owes, in fen (positive: they owe)."""
    return _sum(LedgerEntry.account == RECEIVABLE, LedgerEntry.payer_id == user_id)


def receivables_by_community(community_ids=None) -> sa.Select:
    """(community_id, currency, owed fen, payables owed) of every community with something owed."""
    owed = (sa.select(LedgerEntry.community_id, LedgerEntry.currency, LedgerEntry.payable_kind,
                      LedgerEntry.payable_id, sa.func.sum(LedgerEntry.amount_fen).label("owed"))
            .where(LedgerEntry.account == RECEIVABLE)
            .group_by(LedgerEntry.community_id, LedgerEntry.currency, LedgerEntry.payable_kind, LedgerEntry.payable_id)
            .having(sa.func.sum(LedgerEntry.amount_fen) != 0))
    if community_ids is not None:
        owed = owed.where(LedgerEntry.community_id.in_(community_ids))
    owed = owed.subquery()
    return (sa.select(owed.c.community_id, owed.c.currency, sa.func.sum(owed.c.owed).label("owed_fen"),
                      sa.func.count().label("payables"))
            .group_by(owed.c.community_id, owed.c.currency).order_by(owed.c.community_id))


# -- the checker ---------------------------------------------------------------------------------------

@dataclass
class LedgerReport:
    transactions: int = 0
    payables: int = 0
    problems: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check() -> LedgerReport:
    """Every transaction balances in each currency; for every payable in the ledger the receivable
    is what it still owes (its amount while open and unpaid, else nothing), the cash held is what
    was paid less what was refunded, and it is paid exactly when a payment says so."""
    report = LedgerReport()
    report.transactions = db.session.scalar(sa.select(sa.func.count()).select_from(LedgerTransaction)) or 0
    unbalanced = db.session.execute(
        sa.select(LedgerEntry.transaction_id, LedgerEntry.currency, sa.func.sum(LedgerEntry.amount_fen))
        .group_by(LedgerEntry.transaction_id, LedgerEntry.currency)
        .having(sa.func.sum(LedgerEntry.amount_fen) != 0))
    for txn_id, currency, total in unbalanced:
        report.problems.append(f"transaction {txn_id} does not balance: {total:+d} fen {currency}")
    empty = db.session.scalars(sa.select(LedgerTransaction.id).where(~sa.exists().where(
        LedgerEntry.transaction_id == LedgerTransaction.id)))
    for txn_id in empty:
        report.problems.append(f"transaction {txn_id} has no entries")
    _check_payables(report)
    return report


def _check_payables(report: LedgerReport) -> None:
    sums = defaultdict(lambda: defaultdict(int))
    rows = db.session.execute(sa.select(LedgerEntry.payable_kind, LedgerEntry.payable_id, LedgerEntry.account,
                                        sa.func.sum(LedgerEntry.amount_fen))
                              .group_by(LedgerEntry.payable_kind, LedgerEntry.payable_id, LedgerEntry.account))
    for kind, pid, account, total in rows:
        sums[(kind, pid)][account] = int(total)
    held = defaultdict(int)
    paid = defaultdict(int)
    for kind, pid, status, amount, refunded in db.session.execute(
            sa.select(Payment.payable_kind, Payment.payable_id, Payment.status, Payment.amount_fen,
                      Payment.refunded_fen).where(Payment.status.in_(MONEY_IN))):
        held[(kind, pid)] += amount - refunded
        paid[(kind, pid)] += status == "paid"
    for kind, pid, refunded, recorded in db.session.execute(
            sa.select(Payment.payable_kind, Payment.payable_id, Payment.refunded_fen,
                      sa.select(sa.func.coalesce(sa.func.sum(Refund.amount_fen), 0))
                      .where(Refund.payment_id == Payment.id, Refund.status == REFUND_SUCCEEDED)
                      .scalar_subquery())):
        if refunded != recorded:
            report.problems.append(f"{kind} {pid}: a payment says {refunded} fen refunded, its refunds {recorded}")
    for key in set(sums) | set(held):
        kind, pid = key
        report.payables += 1
        accounts = sums.get(key, {})
        cash = sum(accounts.get(a, 0) for a in CASH_ACCOUNTS)
        if cash != held.get(key, 0):
            report.problems.append(f"{kind} {pid}: the ledger holds {cash} fen, payments {held.get(key, 0)} fen")
        if accounts.get(UNAPPLIED, 0) > 0:
            report.problems.append(f"{kind} {pid}: more refunded from unapplied money than was received")
        spec = payable_kind(kind)
        obj = spec.load(pid) if spec else None
        if obj is None:
            continue
        due = spec.describe(obj)
        owed = accounts.get(RECEIVABLE, 0)
        expected = due.amount.fen if due.is_open and not paid.get(key) else 0
        if key in sums and _has_charge(accounts) and owed != expected:
            report.problems.append(f"{kind} {pid}: the ledger says {owed} fen owed, the payable {expected} fen")
        if due.is_paid != bool(paid.get(key)):
            report.problems.append(f"{kind} {pid}: the payable says {'paid' if due.is_paid else 'unpaid'}, "
                                   f"{paid.get(key, 0)} payments say paid")


def _has_charge(accounts) -> bool:
    return REVENUE in accounts or SUBSIDY in accounts or WRITE_OFF in accounts or RECEIVABLE in accounts


__all__ = ["post", "post_charge", "post_payment", "post_refund", "post_reversal", "post_write_off", "check",
           "receivable_of", "payer_balance", "receivables_by_community", "LedgerReport", "cash_account",
           "CHARGE", "PAYMENT", "REFUND", "REVERSAL", "VOID", "WRITE_OFF"]
