"""The ledger: balanced transactions in fen, balances from entries alone, and `flask payments
check-ledger` on a mixed day (exit 0) and on deliberately broken books (exit 1)."""
import pytest
import sqlalchemy as sa

from community.amenities import operations as amenity_ops
from community.extensions import db
from community.payments import ledger
from community.payments import operations as ops
from community.payments.models import LedgerEntry, LedgerTransaction, Payment
from tests.payments.conftest import at


@pytest.fixture
def mixed_day(client, login, resident, create_user, paid_room, book, community_admin, pay_online, stripe_on,
              deliver):
    """Online paid, online paid then refunded in part, offline paid, offline reversed, one still
    owed, one expired unpaid (written off)."""
    people = [resident] + [create_user(f"payer{i}@example.test") for i in range(5)]
    online = book(people[0], paid_room, at(1, 9))
    pay_online(people[0], online)
    refunded = book(people[1], paid_room, at(1, 10))
    payment = db.session.get(Payment, pay_online(people[1], refunded))
    refund = ops.refund_payment(payment, actor=community_admin, amount_fen=1200, reason="partial")
    db.session.commit()
    deliver(stripe_on.refund_event(refund.stripe_refund_id))
    offline = book(people[2], paid_room, at(1, 11))
    ops.record_offline_payment("amenity_booking", offline.id, actor=community_admin, method="pos", reference="P1")
    reversed_ = book(people[3], paid_room, at(1, 12))
    wrong = ops.record_offline_payment("amenity_booking", reversed_.id, actor=community_admin, method="cash")
    ops.reverse_payment(wrong, actor=community_admin, reason="wrong booking")
    owed = book(people[4], paid_room, at(1, 13))
    gone = book(people[5], paid_room, at(0, 10))
    db.session.commit()
    from community.core import clock

    clock.freeze(gone.start_at)
    amenity_ops.expire_unconfirmed(gone.start_at)
    db.session.commit()
    client.post("/logout")
    return {"owed": owed, "reversed": reversed_, "people": people}


def run_check(app):
    return app.test_cli_runner().invoke(args=["payments", "check-ledger"])


def test_a_mixed_day_balances_and_the_checker_passes(app, db, mixed_day, community):
    result = run_check(app)
    assert result.exit_code == 0, result.output
    assert "0 problems" in result.output
    totals = db.session.execute(sa.select(LedgerEntry.transaction_id, sa.func.sum(LedgerEntry.amount_fen))
                                .group_by(LedgerEntry.transaction_id)).all()
    assert totals and all(total == 0 for _, total in totals)
    # balances from the ledger alone: two bookings still owed (the reversed one and the unpaid one)
    assert ledger.payer_balance(mixed_day["people"][4].id) == 3000
    assert ledger.payer_balance(mixed_day["people"][3].id) == 3000
    assert ledger.payer_balance(mixed_day["people"][5].id) == 0  # written off
    (row,) = db.session.execute(ledger.receivables_by_community()).all()
    assert row.community_id == community.id and row.owed_fen == 6000 and row.payables == 2


@pytest.mark.ledger_broken
def test_an_unbalanced_transaction_fails_the_checker(app, db, mixed_day):
    txn = db.session.scalars(sa.select(LedgerTransaction)).first()
    db.session.add(LedgerEntry(transaction_id=txn.id, account="revenue", amount_fen=-1, currency="CNY",
                               community_id=txn.community_id, payer_id=txn.payer_id,
                               payable_kind=txn.payable_kind, payable_id=txn.payable_id))
    db.session.commit()
    result = run_check(app)
    assert result.exit_code == 1
    assert f"transaction {txn.id} does not balance" in result.output


@pytest.mark.ledger_broken
def test_a_payable_paid_outside_the_ledger_fails_the_checker(app, db, mixed_day):
    """The booking marked paid behind payments' back: the payable and the ledger disagree."""
    amenity_ops.mark_paid(mixed_day["owed"])
    db.session.commit()
    result = run_check(app)
    assert result.exit_code == 1
    assert f"amenity_booking {mixed_day['owed'].id}" in result.output


def test_the_ledger_refuses_an_unbalanced_posting(db, unpaid):
    with pytest.raises(ValueError):
        ledger.post("charge", community_id=unpaid.community_id, payable_kind="amenity_booking",
                    payable_id=unpaid.id, payer_id=unpaid.user_id, currency="CNY",
                    lines=[("receivable", 100), ("revenue", -99)])


def test_the_office_reports_by_day_and_method_and_receivables_as_csv(client, login, community_admin, mixed_day):
    login(community_admin)
    page = client.get("/admin/payments/reports?since=2026-03-01&until=2026-03-03").get_data(as_text=True)
    assert 'data-report="days"' in page and 'data-report="receivables"' in page
    csv = client.get("/admin/payments/reports?since=2026-03-01&until=2026-03-03&format=csv-days")
    assert csv.mimetype == "text/csv" and csv.data.startswith("\ufeff".encode())
    body = csv.data.decode("utf-8-sig")
    assert "2026-03-02" in body and "60.00" in body and "12.00" in body  # two online paid, 12 refunded
    owed = client.get("/admin/payments/reports?format=csv-receivables").data.decode("utf-8-sig")
    assert "60.00" in owed
    listing = client.get("/admin/payments/?format=csv").data.decode("utf-8-sig")
    assert listing.count("\n") == 1 + 4  # header and four payments


def test_payments_list_filters_and_search(client, login, community_admin, mixed_day):
    login(community_admin)
    everything = client.get("/admin/payments/").get_data(as_text=True)
    assert everything.count("data-payment=") == 4
    assert client.get("/admin/payments/?method=pos").get_data(as_text=True).count("data-payment=") == 1
    assert client.get("/admin/payments/?status=reversed").get_data(as_text=True).count("data-payment=") == 1
    assert client.get("/admin/payments/?q=P1").get_data(as_text=True).count("data-payment=") == 1
    assert client.get("/admin/payments/?q=nothing-like-this").get_data(as_text=True).count("data-payment=") == 0


def test_post_charges_books_each_payable_once_balanced(db, resident, community):
    from community.core.money import Money
    from community.core.payables import Due

    def due(fen, subsidy=0):
        return Due(amount=Money(fen, "CNY"), payer_id=resident.id, community_id=community.id,
                   title="bulk", is_open=True, is_paid=False, subsidy=Money(subsidy, "CNY") if subsidy else None)

    dues = [(900001, due(1000, 500)), (900002, due(2000)), (900003, due(0, 3000))]
    assert ledger.post_charges("bulk_test", dues) == 2  # nothing owed, nothing booked
    assert ledger.post_charges("bulk_test", dues + [(900004, due(700))]) == 1  # once a payable
    db.session.flush()
    rows = db.session.execute(sa.select(LedgerEntry.payable_id, LedgerEntry.account, LedgerEntry.amount_fen)
                              .where(LedgerEntry.payable_kind == "bulk_test")
                              .order_by(LedgerEntry.payable_id, LedgerEntry.account)).all()
    assert [tuple(r) for r in rows] == [(900001, "receivable", 1000), (900001, "revenue", -1500),
                                        (900001, "subsidy", 500), (900002, "receivable", 2000),
                                        (900002, "revenue", -2000), (900004, "receivable", 700),
                                        (900004, "revenue", -700)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LedgerTransaction).where(
        LedgerTransaction.payable_kind == "bulk_test", LedgerTransaction.kind == "charge")) == 3
