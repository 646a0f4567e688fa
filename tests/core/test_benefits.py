"""The talent benefit registry: domains add rules, the card lists what a tier earns, in order."""
from datetime import date

import pytest

from community.core import benefits


@pytest.fixture
def registered():
    keys = []

    def register(key, func, order=100):
        benefits.talent_benefit(key, order=order)(func)
        keys.append(key)

    yield register
    for key in keys:
        benefits._benefits.pop(key, None)
        benefits._benefits._owners.pop(key, None)


def test_a_tier_lists_what_it_earns_in_order_and_nothing_it_does_not(registered):
    registered("testing.subsidy", lambda user, tier, today: {"senior": "100 %"}.get(tier), order=20)
    registered("testing.window", lambda user, tier, today: "14 days" if tier else None, order=10)
    today = date(2026, 12, 2)
    assert benefits.benefits_for(None, "senior", today)[:2] == [("testing.window", "14 days"),
                                                                  ("testing.subsidy", "100 %")]
    listed = dict(benefits.benefits_for(None, "junior", today))
    assert listed.get("testing.window") == "14 days" and "testing.subsidy" not in listed
    assert "testing.window" not in dict(benefits.benefits_for(None, None, today))


def first_rule(user, tier, today):
    return "a"


def second_rule(user, tier, today):
    return "b"


def test_two_rules_cannot_claim_one_name(registered):
    registered("testing.same", first_rule)
    with pytest.raises(ValueError):
        benefits.talent_benefit("testing.same")(second_rule)
