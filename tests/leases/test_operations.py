"""Lease operations end to end: from an accepted offer to signing, move-in, bills with the subsidy,
notice, renewal, move-out and the deposit settlement; every illegal step refused."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from community.core.errors import NotFound, PermissionDenied
from community.leases import operations as ops
from community.leases.errors import IllegalTransition, LeaseRuleViolation, UnitAlreadyLeased
from community.leases.models import Bill, Deposit, Lease
from tests.leases.conftest import move_to


def _bills(db, lease):
    return db.session.scalars(sa.select(Bill).where(Bill.lease_id == lease.id).order_by(Bill.period_start)).all()


def test_an_accepted_offer_hands_over_a_lease_draft(db, resident, make_units, make_round, household):
    from community.apartments import operations as apartments
    from community.apartments.models import Offer
    from tests.factories.apartments import close_window

    from community.accounts import operations as accounts

    accounts.set_talent(resident, talent_type="production", tier="senior", valid_until=None)
    household(resident, members=1)
    unit = make_units(["1b1l"])[0]
    round_ = make_round([unit])
    apartments.apply(round_, resident, [{"layout": "1b1l"}], actor=resident)
    db.session.commit()
    close_window(round_)
    apartments.commit_allocation(round_, actor=None)
    offer = db.session.scalars(sa.select(Offer).where(Offer.user_id == resident.id)).one()
    apartments.accept_offer(offer, actor=resident)
    db.session.commit()
    lease = db.session.scalars(sa.select(Lease).where(Lease.user_id == resident.id)).one()
    assert lease.status == "draft" and lease.unit_id == unit.id and lease.draft_id is not None
    assert lease.co_occupants == ["Member 0"]
    assert (lease.ends_on - lease.starts_on).days in (364, 365)


def test_sign_records_who_which_terms_when_and_where(db, resident, community_admin, make_lease):
    lease = make_lease(resident)
    signature = ops.sign(lease, actor=resident, ip="203.0.113.9", user_agent="phone")
    assert (signature.party, signature.user_id, signature.terms_version, signature.ip_address) == (
        "resident", resident.id, lease.terms_version, "203.0.113.9")
    assert len(signature.terms_sha256) == 64
    with pytest.raises(IllegalTransition, match="已签署过"):
        ops.sign(lease, actor=resident)
    ops.countersign(lease, actor=community_admin)
    db.session.commit()
    assert lease.status == "signed" and {s.party for s in lease.signatures} == {"resident", "office"}
    assert lease.unit.status == "leased"
    deposit = db.session.scalars(sa.select(Deposit).where(Deposit.lease_id == lease.id)).one()
    assert (deposit.status, deposit.amount_fen) == ("unpaid", 600000)


def test_countersign_needs_the_residents_signature_and_the_office(db, resident, community_admin, make_lease,
                                                                   create_user, create_community):
    lease = make_lease(resident)
    with pytest.raises(IllegalTransition, match="尚未签署"):
        ops.countersign(lease, actor=community_admin)
    ops.sign(lease, actor=resident)
    other_admin = create_user("far@example.com", roles=("community_admin",), community_=create_community("Far"))
    with pytest.raises(PermissionDenied):
        ops.countersign(lease, actor=other_admin)
    with pytest.raises(NotFound):
        ops.sign(make_lease(resident), actor=create_user("n@example.com"))


def test_illegal_transitions_are_refused_with_a_message(db, resident, community_admin, make_lease):
    lease = make_lease(resident)
    with pytest.raises(IllegalTransition) as refused:
        ops.give_notice(lease, actor=resident)
    assert refused.value.extra == {"lease_status": "draft", "action": "give_notice"} and "退租" in str(refused.value)
    with pytest.raises(IllegalTransition):
        ops.open_inspection(lease, "move_in", actor=community_admin)
    with pytest.raises(IllegalTransition):
        ops.request_renewal(lease, actor=resident)
    ops.sign(lease, actor=resident)
    ops.countersign(lease, actor=community_admin)
    with pytest.raises(IllegalTransition):
        ops.countersign(lease, actor=community_admin)
    with pytest.raises(IllegalTransition):
        ops.open_inspection(lease, "move_out", actor=community_admin)
    ops.terminate(lease, actor=community_admin, reason="违约", end_on=lease.starts_on)
    for attempt in (lambda: ops.terminate(lease, actor=community_admin, reason="x"),
                    lambda: ops.give_notice(lease, actor=resident),
                    lambda: ops.open_inspection(lease, "move_out", actor=community_admin)):
        with pytest.raises(IllegalTransition):
            attempt()


def test_overlapping_leases_of_one_unit_cannot_both_be_signed(db, resident, create_user, community_admin, make_lease):
    first = make_lease(resident, date(2027, 1, 1), date(2027, 12, 31))
    second = make_lease(create_user("b@example.com"), date(2027, 6, 1), date(2028, 5, 31), unit=first.unit)
    after = make_lease(create_user("c@example.com"), date(2028, 1, 1), date(2028, 12, 31), unit=first.unit)
    for lease in (first, second, after):
        ops.sign(lease, actor=lease.user)
    ops.countersign(first, actor=community_admin)
    with pytest.raises(UnitAlreadyLeased):
        ops.countersign(second, actor=community_admin)
    ops.countersign(after, actor=community_admin)  # the day after the first ends: no overlap
    db.session.commit()
    assert [first.status, after.status] == ["signed", "signed"]


def test_move_in_activates_and_issues_the_first_bill_with_the_subsidy(db, resident, community_admin, make_lease):
    move_to(2027, 1, 16)
    lease = make_lease(resident, date(2027, 1, 16), date(2028, 1, 15), rent_fen=310000, status="active",
                       tier="intermediate", office=community_admin, payment_day=5)
    assert lease.status == "active" and lease.moved_in_at is not None
    bill, = _bills(db, lease)
    assert (bill.period_start, bill.period_end, bill.rent_fen, bill.subsidy_fen, bill.amount_due_fen) == (
        date(2027, 1, 16), date(2027, 1, 31), 160000, 80000, 80000)
    assert (bill.tier, bill.subsidy_percent, bill.status) == ("intermediate", 50, "open")


def test_the_bill_job_issues_once_and_follows_the_tier(db, resident, community_admin, make_lease):
    from community.accounts import operations as accounts

    lease = make_lease(resident, date(2027, 1, 1), date(2027, 12, 31), rent_fen=300000, status="active",
                       tier="senior", valid_until=date(2027, 1, 31), office=community_admin)
    assert ops.issue_bills() == 0  # move-in already issued January's
    jan, = _bills(db, lease)
    assert (jan.subsidy_fen, jan.amount_due_fen, jan.status) == (300000, 0, "paid")  # 100 %: nothing to pay
    move_to(2027, 2, 1)
    assert ops.issue_bills() == 1  # the tier lapsed on Jan 31
    assert ops.issue_bills() == 0
    db.session.commit()
    feb = _bills(db, lease)[-1]
    assert (feb.rent_fen, feb.subsidy_fen, feb.amount_due_fen, feb.tier) == (300000, 0, 300000, None)
    accounts.set_talent(resident, talent_type="production", tier="junior", valid_until=None)
    ops.set_subsidy_rate(lease.community, "junior", 30, actor=community_admin)
    move_to(2027, 3, 1)
    assert ops.issue_bills() == 1
    mar = _bills(db, lease)[-1]
    assert (mar.subsidy_fen, mar.amount_due_fen, mar.subsidy_percent) == (90000, 210000, 30)


def test_the_bill_run_goes_in_chunks_and_a_crash_midway_leaves_whole_bills_a_rerun_completes(
        db, create_user, community_admin, make_lease, monkeypatch):
    from community.leases.operations import bills
    from community.payments import ledger
    from community.payments.models import LedgerEntry, LedgerTransaction

    tiers = ["senior", "intermediate", None, "junior", None]
    leases = [make_lease(create_user(f"chunk{n}@example.com"), date(2027, 1, 1), date(2027, 12, 31),
                         rent_fen=300000 + n * 10000, status="active", tier=tier, office=community_admin)
              for n, tier in enumerate(tiers)]
    move_to(2027, 2, 1)
    monkeypatch.setattr(bills, "CHUNK", 2)
    calls = []

    def commit_then_crash():
        calls.append(1)
        db.session.commit()
        if len(calls) == 2:
            raise RuntimeError("the node died")

    with pytest.raises(RuntimeError):
        ops.issue_bills(after_chunk=commit_then_crash)
    db.session.rollback()
    febs = db.session.scalars(sa.select(Bill).where(Bill.period_start == date(2027, 2, 1))).all()
    assert sorted(b.lease_id for b in febs) == [lease.id for lease in leases[:4]]  # two whole chunks
    assert ops.issue_bills(after_chunk=db.session.commit) == 1  # the rerun issues the rest
    assert ops.issue_bills(after_chunk=db.session.commit) == 0
    febs = db.session.scalars(sa.select(Bill).where(Bill.period_start == date(2027, 2, 1))
                              .order_by(Bill.lease_id)).all()
    assert [b.subsidy_percent for b in febs] == [100, 50, 0, 20, 0]
    for bill in febs:  # one charge a bill that is owed, its receivable what is due, balanced
        charges = db.session.scalars(sa.select(LedgerTransaction).where(
            LedgerTransaction.kind == "charge", LedgerTransaction.payable_kind == "lease_bill",
            LedgerTransaction.payable_id == bill.id)).all()
        assert len(charges) == (1 if bill.amount_due_fen > 0 else 0)
        assert ledger.receivable_of("lease_bill", bill.id) == bill.amount_due_fen
        for charge in charges:
            entries = db.session.execute(sa.select(LedgerEntry.account, LedgerEntry.amount_fen)
                                         .where(LedgerEntry.transaction_id == charge.id)).all()
            assert sum(fen for _, fen in entries) == 0
            assert dict(entries).get("subsidy", 0) == bill.subsidy_fen
            unit = bill.lease.unit
            assert charge.memo == f"{unit.building.name} {unit.number} 2027-02-01–2027-02-28"
    assert ledger.check().ok


def test_the_unique_key_refuses_a_second_bill_for_a_period(db, resident, community_admin, make_lease):
    lease = make_lease(resident, status="active", office=community_admin)
    bill = _bills(db, lease)[0]
    db.session.add(Bill(lease_id=lease.id, community_id=lease.community_id, user_id=resident.id,
                        period_start=bill.period_start, period_end=bill.period_end, issued_on=bill.issued_on,
                        due_on=bill.due_on, rent_fen=1, amount_due_fen=1))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_overdue_waive_and_paid(db, resident, community_admin, make_lease):
    lease = make_lease(resident, status="active", office=community_admin)
    bill = _bills(db, lease)[0]
    assert ops.mark_overdue() == 0
    move_to(2027, 1, 20)
    assert ops.mark_overdue() == 1
    db.session.refresh(bill)
    assert bill.status == "overdue"
    with pytest.raises(LeaseRuleViolation):
        ops.waive_bill(bill, actor=community_admin, reason=" ")
    ops.mark_bill_paid(bill)
    ops.mark_bill_paid(bill)  # harmless twice
    assert bill.status == "paid" and bill.paid_at is not None
    with pytest.raises(Exception):
        ops.waive_bill(bill, actor=community_admin, reason="late")


def test_notice_renewal_and_early_termination(db, resident, community_admin, make_lease):
    lease = make_lease(resident, date(2026, 6, 1), date(2027, 3, 31), status="active", office=community_admin)
    assert ops.give_notice(lease, actor=resident, confirm=False) == date(2027, 2, 4)  # 30 days from Jan 5
    assert lease.status == "active"
    with pytest.raises(LeaseRuleViolation) as refused:
        ops.give_notice(lease, actor=resident, end_on=date(2027, 1, 20))
    assert refused.value.code == "notice_too_short" and refused.value.extra["rule"]
    renewal = ops.request_renewal(lease, actor=resident)
    assert (renewal.starts_on, renewal.ends_on) == (date(2027, 4, 1), date(2028, 3, 31))
    with pytest.raises(LeaseRuleViolation, match="办理中"):
        ops.request_renewal(lease, actor=resident)
    with pytest.raises(LeaseRuleViolation, match="办理中"):  # the page's preview says so too
        ops.request_renewal(lease, actor=resident, confirm=False)
    new = ops.decide_renewal(renewal, actor=community_admin, accept=True, rent_fen=320000)
    assert (new.status, new.rent_fen, new.renewal_of_id, new.starts_on) == ("draft", 320000, lease.id, date(2027, 4, 1))
    ops.sign(new, actor=resident)
    ops.countersign(new, actor=community_admin)
    ops.give_notice(lease, actor=resident, end_on=date(2027, 2, 28))
    assert (lease.status, lease.ends_on) == ("ending", date(2027, 2, 28))
    with pytest.raises(LeaseRuleViolation):
        ops.terminate(lease, actor=community_admin, reason="")
    ops.terminate(lease, actor=community_admin, reason="违反租约", end_on=date(2027, 1, 31))
    assert (lease.status, lease.ends_on, lease.end_reason) == ("terminated", date(2027, 1, 31), "违反租约")


def test_a_rounds_no_current_lease_rule_follows_the_lease_as_it_stands(db, resident, community_admin, make_lease,
                                                                        make_units, make_round, household):
    """Eligibility reads the lease, not the offer's first dates: held while it runs, through a
    renewal past the first term, and free from the day after an early end."""
    from community.apartments import operations as apartments
    from community.apartments.operations.allocation import _bulk_facts

    household(resident)
    lease = make_lease(resident, date(2026, 6, 1), date(2027, 3, 31), status="active", office=community_admin,
                       tier="senior")
    round_ = make_round(make_units(["1b1l"]))

    def refusals(on_date):
        return [reason.code for reason in apartments.check_eligibility(round_, resident, on_date)]

    assert refusals(date(2027, 1, 5)) == ["current_lease"]
    assert refusals(date(2027, 4, 1)) == []  # after the term
    renewal = ops.request_renewal(lease, actor=resident)
    new = ops.decide_renewal(renewal, actor=community_admin, accept=True)
    assert refusals(date(2027, 4, 1)) == ["current_lease"]  # the renewal to sign holds it already
    assert refusals(new.ends_on + timedelta(days=1)) == []
    ops.terminate(lease, actor=community_admin, reason="违反租约", end_on=date(2027, 1, 20))
    assert refusals(date(2027, 1, 20)) == ["current_lease"] and refusals(date(2027, 1, 21)) == []
    open_to_tenants = make_round(make_units(["1b1l"]), require_no_lease=False)
    apartments.apply(open_to_tenants, resident, [{"layout": "1b1l"}], actor=resident)
    held = {day: _bulk_facts(open_to_tenants.id, [resident.id], day)[resident.id].has_current_lease
            for day in (date(2027, 1, 5), date(2027, 1, 25))}
    assert held == {date(2027, 1, 5): True, date(2027, 1, 25): False}  # allocation reads the same rule


def test_move_out_settles_the_deposit_from_the_damages(db, resident, community_admin, make_lease):
    lease = make_lease(resident, date(2026, 1, 1), date(2026, 12, 31), deposit_fen=100000, status="active",
                       office=community_admin)
    deposit = db.session.scalars(sa.select(Deposit).where(Deposit.lease_id == lease.id)).one()
    ops.mark_deposit_paid(deposit)
    assert deposit.status == "held"
    inspection = ops.open_inspection(lease, "move_out", actor=community_admin, inspected_on=date(2027, 1, 3))
    ops.add_item(inspection, actor=community_admin, room="卧室", item="窗户", condition="damaged", cost_fen=80000)
    ops.add_item(inspection, actor=community_admin, room="厨房", item="灶台", condition="missing", cost_fen=50000)
    with pytest.raises(IllegalTransition):
        ops.sign_inspection(inspection, actor=resident, party="resident")  # the office signs first
    ops.sign_inspection(inspection, actor=community_admin, party="office")
    with pytest.raises(IllegalTransition):
        ops.add_item(inspection, actor=community_admin, room="x", item="y", condition="good")
    ops.sign_inspection(inspection, actor=resident, party="resident")
    db.session.commit()
    assert lease.status == "ended" and lease.unit.status == "available"
    assert (deposit.status, deposit.deductions_fen, deposit.refund_fen, deposit.balance_owed_fen) == (
        "settled", 130000, 0, 30000)
    ops.dispute_settlement(deposit, actor=resident, message="窗户原本就有裂缝")
    assert deposit.disputed_at is not None
    with pytest.raises(LeaseRuleViolation):
        ops.dispute_settlement(deposit, actor=resident, message="again")


def test_reminder_of_leases_ending_within_60_days_once(db, resident, community_admin, make_lease):
    make_lease(resident, date(2026, 3, 1), date(2027, 2, 28), status="active", office=community_admin)
    assert ops.remind_ending() == 1
    db.session.commit()
    assert ops.remind_ending() == 0


def _move_out_on(lease, office, resident, day):
    move_to(day.year, day.month, day.day)
    inspection = ops.open_inspection(lease, "move_out", actor=office)
    ops.add_item(inspection, actor=office, room="客厅", item="墙面", condition="good")
    ops.sign_inspection(inspection, actor=office, party="office")
    ops.sign_inspection(inspection, actor=resident, party="resident")


def test_a_move_out_mid_month_cuts_the_open_bill_to_the_days_lived_and_the_ledger_follows(
        db, resident, community_admin, make_lease):
    from community.payments import ledger
    from community.payments.models import LedgerTransaction

    lease = make_lease(resident, date(2026, 12, 1), date(2027, 11, 30), rent_fen=310000, status="active",
                       tier="intermediate", office=community_admin)
    [bill] = _bills(db, lease)
    assert (bill.rent_fen, bill.subsidy_fen, bill.amount_due_fen) == (310000, 155000, 155000)
    _move_out_on(lease, community_admin, resident, date(2027, 1, 16))
    db.session.commit()
    assert (lease.status, lease.ends_on) == ("ended", date(2027, 1, 16))
    db.session.refresh(bill)
    # 16 of January's 31 days: 160,000 fen, half of it the tier's subsidy.
    assert (bill.period_end, bill.rent_fen, bill.subsidy_fen, bill.amount_due_fen, bill.status) == (
        date(2027, 1, 16), 160000, 80000, 80000, "open")
    assert ledger.receivable_of("lease_bill", bill.id) == 80000
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LedgerTransaction)
                             .where(LedgerTransaction.kind == "credit")) == 1
    report = ledger.check()
    assert report.ok, report.problems
    assert ops.cut_bills_to_end(lease) == []  # once


def test_an_early_end_after_the_bill_was_paid_refunds_the_days_not_lived(db, resident, community_admin, make_lease):
    from community.payments import ledger
    from community.payments import operations as payments
    from community.payments.models import Refund

    lease = make_lease(resident, date(2026, 12, 1), date(2027, 11, 30), rent_fen=310000, status="active",
                       tier="intermediate", office=community_admin)
    [bill] = _bills(db, lease)
    payments.record_offline_payment("lease_bill", bill.id, actor=community_admin, method="cash", reference="R-1")
    ops.terminate(lease, actor=community_admin, reason="违反租约", end_on=date(2027, 1, 20))
    db.session.commit()
    db.session.refresh(bill)
    assert (bill.rent_fen, bill.amount_due_fen, bill.status) == (200000, 100000, "paid")  # 20 of 31 days
    assert db.session.scalars(sa.select(Refund.amount_fen)).all() == [155000 - 100000]
    report = ledger.check()
    assert report.ok, report.problems


def test_a_bill_wholly_after_the_end_is_waived_with_the_reason(db, resident, community_admin, make_lease):
    from community.payments import ledger

    lease = make_lease(resident, date(2026, 12, 16), date(2027, 12, 15), rent_fen=310000, status="active",
                       tier="junior", office=community_admin)
    [bill] = _bills(db, lease)
    assert bill.period_start == date(2027, 1, 1) and bill.amount_due_fen > 0
    ops.terminate(lease, actor=community_admin, reason="提前解约", end_on=date(2026, 12, 31))
    db.session.commit()
    db.session.refresh(bill)
    assert (bill.rent_fen, bill.amount_due_fen, bill.status) == (0, 0, "waived")
    assert "2026-12-31" in bill.waive_reason
    assert ledger.receivable_of("lease_bill", bill.id) == 0
    report = ledger.check()
    assert report.ok, report.problems


def test_a_lease_ended_early_on_a_later_day_is_billed_to_that_day_and_no_further(
        db, resident, create_user, community_admin, make_lease):
    lease = make_lease(resident, date(2026, 12, 1), date(2027, 11, 30), rent_fen=310000, status="active",
                       office=community_admin)
    never_moved_in = make_lease(create_user("signed@example.com"), date(2027, 1, 1), date(2027, 12, 31),
                                status="signed", office=community_admin)
    ops.terminate(lease, actor=community_admin, reason="违反租约", end_on=date(2027, 2, 20))
    ops.terminate(never_moved_in, actor=community_admin, reason="未入住")
    for month in (2, 3):
        move_to(2027, month, 5)
        ops.issue_bills()
    db.session.commit()
    assert [(b.period_start, b.period_end, b.rent_fen) for b in _bills(db, lease)] == [
        (date(2027, 1, 1), date(2027, 1, 31), 310000), (date(2027, 2, 1), date(2027, 2, 20), 221429)]
    assert _bills(db, never_moved_in) == []


def test_residents_are_told_of_each_new_bill_once_and_of_an_overdue_one_once(db, resident, create_user,
                                                                           community_admin, make_lease):
    from community.notifications.models import Notice

    senior = create_user("senior@example.com")
    lease = make_lease(resident, date(2026, 12, 1), date(2027, 11, 30), rent_fen=310000, status="active",
                       tier="intermediate", office=community_admin)
    make_lease(senior, date(2026, 12, 1), date(2027, 11, 30), status="active", tier="senior", office=community_admin)

    def kinds(user):
        return db.session.scalars(sa.select(Notice.kind).where(Notice.user_id == user.id,
                                                               Notice.kind.like("leases.bill%")).order_by(Notice.id)).all()

    assert ops.notify_new_bills() == 2
    assert ops.notify_new_bills() == 0  # once
    assert kinds(resident) == ["leases.bill_issued"] and kinds(senior) == ["leases.bill_covered"]
    told = db.session.scalar(sa.select(Notice).where(Notice.user_id == resident.id, Notice.kind == "leases.bill_issued"))
    assert told.params["amount"] == "¥1,550.00" and told.params["percent"] == 50
    move_to(2027, 1, 20)
    assert ops.mark_overdue() == 1 and ops.mark_overdue() == 0
    assert kinds(resident) == ["leases.bill_issued", "leases.bill_overdue"]
    move_to(2027, 3, 5)  # a bill the job only reaches after its due day: the overdue notice speaks for it
    ops.issue_bills()
    move_to(2027, 3, 25)
    assert ops.notify_new_bills() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Bill).where(Bill.lease_id == lease.id,
                                                                                Bill.notified_at.is_(None))) == 0
