"""The pure rules: every eligibility rule at its boundary, the scoring arithmetic, the lottery."""
from datetime import date

from community.apartments import rules
from community.apartments.rules import ApplicantFacts, RoundRules

DAY = date(2026, 3, 31)
SIZES = (("1b1l", 1, 2), ("2b1l", 2, 4))


def facts(**changes):
    base = dict(talent_type="production", tier="intermediate", tier_current=True, employer_district="浦东新区",
                household_size=2)
    base.update(changes)
    return ApplicantFacts(**base)


def codes(round_rules, applicant, on=DAY):
    return [reason.code for reason in rules.eligibility(round_rules, applicant, on)]


def test_everyone_passes_an_open_round():
    assert codes(RoundRules(), facts()) == []


def test_minimum_tier_boundary():
    round_rules = RoundRules(min_tier="intermediate")
    assert codes(round_rules, facts(tier="intermediate")) == []
    assert codes(round_rules, facts(tier="senior")) == []
    reasons = rules.eligibility(round_rules, facts(tier="junior"), DAY)
    assert [r.code for r in reasons] == ["tier_too_low"]
    assert dict(reasons[0].params) == {"tier": "junior", "min_tier": "intermediate"}


def test_a_tier_that_is_not_current_fails_whatever_its_level():
    assert codes(RoundRules(min_tier="junior"), facts(tier="senior", tier_current=False)) == ["no_current_tier"]
    assert codes(RoundRules(), facts(tier=None)) == ["no_current_tier"]


def test_talent_types():
    round_rules = RoundRules(talent_types=("production", "business"))
    assert codes(round_rules, facts(talent_type="business")) == []
    assert codes(round_rules, facts(talent_type="academic")) == ["talent_type"]


def test_employer_district_must_match_exactly():
    round_rules = RoundRules(district="浦东新区")
    assert codes(round_rules, facts(employer_district=" 浦东新区 ")) == []
    assert codes(round_rules, facts(employer_district="徐汇区")) == ["employer_district"]
    assert codes(round_rules, facts(employer_district="")) == ["employer_district"]
    assert codes(RoundRules(district=""), facts(employer_district="")) == []


def test_current_lease():
    assert codes(RoundRules(require_no_lease=True), facts(has_current_lease=True)) == ["current_lease"]
    assert codes(RoundRules(require_no_lease=False), facts(has_current_lease=True)) == []


def test_recently_allocated_counts_whole_months():
    round_rules = RoundRules(recent_allocation_months=12)
    assert codes(round_rules, facts(last_allocated_on=date(2025, 3, 31))) == []  # exactly 12 months
    assert codes(round_rules, facts(last_allocated_on=date(2025, 4, 1))) == ["recently_allocated"]
    assert codes(RoundRules(recent_allocation_months=0), facts(last_allocated_on=DAY)) == []


def test_household_size_edges_per_layout():
    round_rules = RoundRules(household_sizes=(("2b1l", 2, 4),))
    assert codes(round_rules, facts(household_size=2)) == []
    assert codes(round_rules, facts(household_size=4)) == []
    assert codes(round_rules, facts(household_size=1)) == ["household_too_small"]
    assert codes(round_rules, facts(household_size=5)) == ["household_too_large"]
    # One layout that fits is enough.
    assert codes(RoundRules(household_sizes=SIZES), facts(household_size=1)) == []
    assert rules.layouts_fitting(RoundRules(household_sizes=SIZES), 2) == ("1b1l", "2b1l")


def test_every_failing_rule_is_named_at_once():
    round_rules = RoundRules(min_tier="senior", district="浦东新区", household_sizes=(("2b1l", 2, 4),))
    assert codes(round_rules, facts(tier="junior", employer_district="", household_size=1, has_current_lease=True)) == [
        "tier_too_low", "employer_district", "current_lease", "household_too_small"]


def test_months_between():
    assert rules.months_between(date(2026, 1, 31), date(2026, 2, 28)) == 0
    assert rules.months_between(date(2026, 1, 15), date(2026, 2, 15)) == 1
    assert rules.months_between(date(2026, 1, 15), date(2026, 2, 14)) == 0
    assert rules.months_between(date(2026, 3, 1), date(2026, 1, 1)) == 0
    assert rules.months_between(date(2024, 2, 29), date(2026, 2, 28)) == 23


def test_scoring_arithmetic():
    round_rules = RoundRules(tier_points=(("intermediate", 20), ("senior", 30)), points_per_waiting_month=3,
                             points_per_member=5, priority_industry_points=7, priority_industries=("集成电路",))
    parts = rules.score(round_rules, facts(household_size=3, waiting_since=date(2025, 12, 31), industry="集成电路"), DAY)
    assert parts == {"tier": 20, "waiting": 9, "household": 10, "industry": 7, "total": 46, "waiting_months": 3}
    plain = rules.score(round_rules, facts(household_size=1, industry="金融"), DAY)
    assert plain["total"] == 20 and plain["industry"] == 0 and plain["household"] == 0
    assert rules.score(round_rules, facts(tier_current=False), DAY)["tier"] == 0


def test_lottery_is_hmac_of_seed_and_id():
    seed = "ab" * 32
    number = rules.lottery_number(seed, 42)
    assert number == rules.lottery_number(seed, 42) and len(number) == 16
    assert number != rules.lottery_number(seed, 43)
    assert number != rules.lottery_number("cd" * 32, 42)
    assert rules.seed_matches(seed, rules.seed_hash(seed))
    assert not rules.seed_matches("cd" * 32, rules.seed_hash(seed))
