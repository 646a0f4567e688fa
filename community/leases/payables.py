"""Rent bills and deposits as payables (core.payables): a resident pays them through payments,
whose webhook (or an operator's offline payment) calls mark_paid here. Payments never imports
leases; leases never talks to Stripe."""
from flask_babel import lazy_gettext as _l

from community.core.money import Money
from community.core.payables import Due, kind_for_class, register_payable
from community.extensions import db
from community.leases.models import DEPOSIT_UNPAID, Bill, Deposit
from community.leases.operations.bills import BILL_KIND
from community.leases.operations.leases import DEPOSIT_KIND


def _unit(lease) -> str:
    return f"{lease.unit.building.name} {lease.unit.number}"


def describe_bill(bill) -> Due:
    """A Bill, or the bill run's IssuedBill (plain rows: no lease and unit to load)."""
    return Due(amount=Money(bill.amount_due_fen, bill.currency), payer_id=bill.user_id,
               community_id=bill.community_id,
               title=bill.charge_title,
               is_open=bill.is_payable, is_paid=bill.paid_at is not None,
               subsidy=Money(bill.subsidy_fen, bill.currency) if bill.subsidy_fen else None,
               link=("leases.my_apartment", {}))


def describe_deposit(deposit: Deposit) -> Due:
    return Due(amount=Money(deposit.amount_fen, deposit.currency), payer_id=deposit.user_id,
               community_id=deposit.community_id, title=str(_l("Deposit")) + f" {_unit(deposit.lease)}",
               is_open=deposit.status == DEPOSIT_UNPAID and deposit.amount_fen > 0,
               is_paid=deposit.paid_at is not None, link=("leases.my_apartment", {}))


def _mark_bill_paid(bill, *, actor=None, payment=None):
    from community.leases.operations import mark_bill_paid

    return mark_bill_paid(bill, actor=actor)


def _mark_bill_unpaid(bill, *, actor=None, payment=None):
    from community.leases.operations import mark_bill_unpaid

    return mark_bill_unpaid(bill, actor=actor)


def _mark_deposit_paid(deposit, *, actor=None, payment=None):
    from community.leases.operations import mark_deposit_paid

    return mark_deposit_paid(deposit, actor=actor)


register_payable(BILL_KIND, label=_l("Rent bill"), load=lambda i: db.session.get(Bill, i), describe=describe_bill,
                 mark_paid=_mark_bill_paid, may_pay=lambda user, bill: bill.user_id == getattr(user, "id", None),
                 mark_unpaid=_mark_bill_unpaid)
kind_for_class(BILL_KIND, Bill)
register_payable(DEPOSIT_KIND, label=_l("Lease deposit"), load=lambda i: db.session.get(Deposit, i),
                 describe=describe_deposit, mark_paid=_mark_deposit_paid,
                 may_pay=lambda user, deposit: deposit.user_id == getattr(user, "id", None))
kind_for_class(DEPOSIT_KIND, Deposit)
