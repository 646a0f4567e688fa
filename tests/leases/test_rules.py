"""The pure rules: proration at month edges, subsidy, the bill a day issues, notice and renewal
dates, the state machine and the deposit settlement."""
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community.leases import rules


@pytest.mark.parametrize("year, month, days", [(2027, 2, 28), (2028, 2, 29), (2027, 4, 30), (2027, 1, 31)])
def test_a_full_month_is_the_rent_whatever_its_length(year, month, days):
    assert rules.days_in_month(year, month) == days
    assert rules.prorate(300000, date(year, month, 1), date(year, month, days)) == 300000


def test_partial_months_by_days():
    assert rules.prorate(310000, date(2027, 1, 16), date(2027, 1, 31)) == 160000  # 16 of 31 days
    assert rules.prorate(280000, date(2027, 2, 15), date(2027, 2, 28)) == 140000  # 14 of 28
    assert rules.prorate(290000, date(2028, 2, 15), date(2028, 2, 29)) == 150000  # 15 of 29 (leap)
    assert rules.prorate(300000, date(2027, 4, 10), date(2027, 4, 19)) == 100000  # starts and ends in April
    assert rules.prorate(100, date(2027, 1, 1), date(2027, 1, 1)) == 3  # 100/31 = 3.2 -> 3


def test_a_period_across_months_is_refused():
    with pytest.raises(ValueError):
        rules.prorate(100, date(2027, 1, 20), date(2027, 2, 3))


months = st.tuples(st.integers(2000, 2100), st.integers(1, 12))


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(months, st.integers(0, 10**8), st.sets(st.integers(1, 30), max_size=8))
def test_any_split_of_a_month_adds_up_to_the_rent_exactly(month, rent, cuts):
    year, m = month
    dim = rules.days_in_month(year, m)
    edges = sorted({c for c in cuts if c < dim})
    starts = [1] + [c + 1 for c in edges]
    ends = edges + [dim]
    parts = [rules.prorate(rent, date(year, m, a), date(year, m, b)) for a, b in zip(starts, ends)]
    assert sum(parts) == rent
    assert all(0 <= p <= rent for p in parts)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(months, st.integers(0, 10**8), st.integers(1, 31), st.integers(1, 31))
def test_proration_is_within_a_fen_of_the_exact_share(month, rent, a, b):
    year, m = month
    dim = rules.days_in_month(year, m)
    first, last = sorted((min(a, dim), min(b, dim)))
    exact = rent * (last - first + 1) / dim
    assert abs(rules.prorate(rent, date(year, m, first), date(year, m, last)) - exact) <= 1


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**8), st.integers(0, 100))
def test_subsidy_never_passes_the_rent(rent, percent):
    subsidy = rules.subsidy_fen(rent, percent)
    assert 0 <= subsidy <= rent
    assert rules.subsidy_fen(rent, 100) == rent and rules.subsidy_fen(rent, 0) == 0


def test_default_rates_per_tier_and_community_rates_over_them():
    assert [rules.subsidy_percent(t) for t in ("senior", "intermediate", "junior", None)] == [100, 50, 20, 0]
    assert rules.subsidy_percent("junior", {"junior": 30}) == 30


def test_tier_valid_on_the_day():
    assert rules.tier_on("senior", date(2027, 1, 31), date(2027, 1, 31)) == "senior"
    assert rules.tier_on("senior", date(2027, 1, 31), date(2027, 2, 1)) is None
    assert rules.tier_on("junior", None, date(2030, 1, 1)) == "junior"


def test_the_bill_a_day_issues():
    args = dict(starts_on=date(2027, 1, 16), ends_on=date(2028, 1, 15), payment_day=5, rent_fen=310000)
    first = rules.bill_for(date(2027, 1, 16), tier="intermediate", **args)  # the first day: a partial month
    assert (first.period_start, first.period_end, first.rent_fen, first.subsidy_fen, first.amount_due_fen) == (
        date(2027, 1, 16), date(2027, 1, 31), 160000, 80000, 80000)
    assert first.due_on == date(2027, 1, 16) + timedelta(days=rules.DUE_DAYS)
    assert rules.bill_for(date(2027, 2, 4), tier=None, **args) is None  # before the payment day
    feb = rules.bill_for(date(2027, 2, 5), tier=None, **args)
    assert (feb.period_start, feb.period_end, feb.rent_fen, feb.subsidy_fen, feb.tier) == (
        date(2027, 2, 1), date(2027, 2, 28), 310000, 0, None)
    last = rules.bill_for(date(2028, 1, 5), tier="senior", **args)
    assert (last.period_end, last.rent_fen, last.amount_due_fen) == (date(2028, 1, 15), 150000, 0)
    assert rules.bill_for(date(2028, 2, 5), tier=None, **args) is None  # after the lease


def test_every_illegal_transition_is_refused():
    actions = {"countersign", "move_in", "give_notice", "move_out", "terminate", "renew"}
    allowed = {("draft", "countersign"), ("signed", "move_in"), ("signed", "terminate"), ("active", "give_notice"),
               ("active", "move_out"), ("active", "terminate"), ("active", "renew"), ("ending", "move_out"),
               ("ending", "terminate")}
    for status in ("draft", "signed", "active", "ending", "ended", "terminated"):
        for action in actions:
            assert (rules.next_status(status, action) is not None) == ((status, action) in allowed), (status, action)
            assert str(rules.ACTION_REFUSALS[action])


def test_notice_dates():
    kw = dict(starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31), notice_days=30)
    assert rules.check_notice(date(2027, 3, 1), None, **kw) == (date(2027, 3, 31), None)
    assert rules.check_notice(date(2027, 3, 1), date(2027, 3, 10), **kw)[1][0] == "notice_too_short"
    assert rules.check_notice(date(2027, 3, 1), date(2028, 1, 10), **kw)[1][0] == "after_lease_end"
    assert rules.check_notice(date(2027, 12, 20), None, **kw) == (date(2027, 12, 31), None)  # the end is sooner


def test_renewal_dates():
    assert rules.check_renewal(date(2027, 11, 1), ends_on=date(2027, 12, 31), starts_on=None, new_ends_on=None) == (
        (date(2028, 1, 1), date(2028, 12, 31)), None)
    assert rules.check_renewal(date(2027, 3, 1), ends_on=date(2027, 12, 31), starts_on=None,
                               new_ends_on=None)[1][0] == "renewal_too_early"
    assert rules.check_renewal(date(2027, 11, 1), ends_on=date(2027, 12, 31), starts_on=date(2028, 1, 5),
                               new_ends_on=None)[1][0] == "renewal_must_follow"
    assert rules.check_renewal(date(2027, 11, 1), ends_on=date(2027, 12, 31), starts_on=None,
                               new_ends_on=date(2032, 1, 1))[1][0] == "renewal_term"


def test_deposit_settlement_arithmetic():
    assert rules.settle(600000, [50000, 25000]) == rules.Settlement(600000, 75000, 525000, 0)
    assert rules.settle(600000, [600000]) == rules.Settlement(600000, 600000, 0, 0)
    over = rules.settle(600000, [500000, 250000])  # damages above the deposit: owed, not a negative refund
    assert (over.refund_fen, over.balance_owed_fen) == (0, 150000)
    assert rules.settle(0, []) == rules.Settlement(0, 0, 0, 0)


def test_a_bill_cut_at_the_end_charges_what_a_bill_for_those_days_would():
    from community.leases.rules import cut_to_end, prorate

    assert cut_to_end(date(2027, 1, 1), date(2027, 1, 31), 310000, 50, date(2027, 1, 16)) == (
        date(2027, 1, 16), 160000, 80000)
    assert cut_to_end(date(2027, 2, 10), date(2027, 2, 28), 280000, 20, date(2027, 2, 9)) == (date(2027, 2, 28), 0, 0)
    rent = cut_to_end(date(2027, 2, 10), date(2027, 2, 28), 280001, 0, date(2027, 2, 20))[1]
    assert rent + prorate(280001, date(2027, 2, 21), date(2027, 2, 28)) == prorate(280001, date(2027, 2, 10),
                                                                                    date(2027, 2, 28))
    with pytest.raises(ValueError):
        cut_to_end(date(2027, 1, 1), date(2027, 1, 31), 310000, 50, date(2027, 1, 31))
