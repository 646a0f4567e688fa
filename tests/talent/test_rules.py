from datetime import date

import pytest

from community.talent import rules


def test_notice_counts_five_working_days_after_publication():
    assert rules.notice_until(date(2026, 6, 3)) == date(2026, 6, 10)   # Wed -> next Wed
    assert rules.notice_until(date(2026, 6, 5)) == date(2026, 6, 12)   # Fri -> next Fri
    assert rules.notice_until(date(2026, 6, 6)) == date(2026, 6, 12)   # Sat -> Fri (Mon..Fri)
    assert rules.notice_until(date(2026, 6, 3), 1) == date(2026, 6, 4)


def test_add_working_days_refuses_nonsense():
    with pytest.raises(ValueError):
        rules.add_working_days(date(2026, 6, 3), 0)


def test_notice_is_over_only_after_its_last_day():
    assert not rules.notice_is_over(date(2026, 6, 10), date(2026, 6, 10))
    assert rules.notice_is_over(date(2026, 6, 10), date(2026, 6, 11))


def test_term_is_one_year_and_lapse_the_day_after():
    assert rules.term_end(date(2026, 6, 11)) == date(2027, 6, 10)
    assert rules.term_end(date(2028, 2, 29)) == date(2029, 2, 27)
    assert rules.lapses_on(date(2027, 6, 10)) == date(2027, 6, 11)
    assert rules.rereview_opens_on(date(2027, 6, 10)) == date(2027, 5, 11)


@pytest.mark.parametrize("claimed, tier, allowed", [
    ("senior", "senior", True), ("senior", "junior", True), ("junior", "intermediate", False),
    ("intermediate", "senior", False), ("senior", "legendary", False)])
def test_a_reviewer_lowers_never_raises(claimed, tier, allowed):
    assert rules.may_lower_to(claimed, tier) is allowed


@pytest.mark.parametrize("name, masked", [("张小明", "张*明"), ("欧阳小明", "欧**明"), ("李四", "李*"), ("王", "*"),
                                          ("", "*"), ("John", "J**n")])
def test_mask_name(name, masked):
    assert rules.mask_name(name) == masked


def test_certificate_number_is_year_and_id():
    assert rules.certificate_number(2026, 42) == "RC2026000042"
