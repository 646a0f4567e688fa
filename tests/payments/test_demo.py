"""The payments demo: paid online, at the office, refunded in part, one still to pay; twice is once."""
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from community.core import clock
from community.core.demo import load_all
from community.payments import ledger
from community.payments.models import Payment, Refund


def test_demo_payments_are_created_once_and_the_ledger_balances(db):
    clock.freeze(datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    load_all(echo=lambda *_: None)
    bookings = Payment.payable_kind == "amenity_booking"  # the leases demo pays rent and deposits too
    payments = db.session.execute(sa.select(Payment.method, Payment.status).where(bookings)
                                  .order_by(Payment.id)).all()
    assert payments == [("stripe", "paid"), ("pos", "paid"), ("cash", "paid")]
    assert db.session.scalars(sa.select(Refund.amount_fen)).all() == [1000]
    load_all(echo=lambda *_: None)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment).where(bookings)) == 3
    report = ledger.check()
    assert report.ok, report.problems
    (row,) = db.session.execute(ledger.receivables_by_community()).all()
    from community.leases.models import Bill

    rent_owed = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Bill.amount_due_fen), 0))
                                  .where(Bill.status.in_(("open", "overdue"))))
    assert row.owed_fen == 3000 + rent_owed  # resident2's KTV booking and the demo's unpaid rent
