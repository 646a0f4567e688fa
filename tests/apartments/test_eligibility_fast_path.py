"""The eligibility check the API answers on every call (operations.eligibility_of: one statement for
the round and the resident's facts, the frozen round's parsed rules cached per process) says exactly
what the full check says (operations.check_eligibility on loaded objects, and the rules recomputed
from scratch), sees a unit's layout change, keeps the round's visibility rule, and stays within its
statement budget."""
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from community.accounts import operations as account_ops
from community.apartments import operations as ops
from community.apartments import queries, rules
from community.apartments.models import Offer
from community.apartments.operations import rounds as round_ops
from community.core import clock
from community.core.errors import NotFound
from tests.factories.apartments import SH, close_window
from tests.helpers import assert_problem, frozen_at, recorded_statements

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
frozen_clock = frozen_at(NOW)


def from_scratch(round_, user, on_date):
    """The rules as the code computed them before the fast path: no cache, every read apart."""
    round_rules = round_ops.rules_of(round_, queries.offered_layouts(round_))
    return rules.eligibility(round_rules, ops.facts_for(user, on_date), on_date)


@pytest.fixture
def people(db, create_user, household, make_units, make_round):
    """Residents who fail every rule in turn (and one who passes), one of them with a lease and
    an offer accepted a month ago in an earlier round."""
    earlier = make_round(make_units(["1b1l"], building="旧楼"), min_tier="junior")
    housed = create_user("housed@example.test", tier="senior")
    household(housed, members=1, district="浦东新区")
    ops.apply(earlier, housed, [{"layout": "1b1l"}])
    db.session.commit()
    close_window(earlier)
    ops.commit_allocation(earlier, actor=None)
    db.session.commit()
    ops.accept_offer(db.session.scalar(sa.select(Offer)), actor=housed)
    db.session.commit()
    clock.freeze(NOW + timedelta(days=30))
    cases = {"housed": housed}
    cases["ok"] = create_user("ok@example.test", tier="intermediate")
    household(cases["ok"], members=1, district="浦东新区", industry="软件", waiting_since=date(2025, 1, 5))
    cases["junior"] = create_user("junior@example.test", tier="junior")
    household(cases["junior"], members=1, district="浦东新区")
    cases["no_tier"] = create_user("none@example.test")
    household(cases["no_tier"], members=0, district="徐汇区")
    cases["no_household"] = create_user("alone@example.test", tier="senior")
    cases["big"] = create_user("big@example.test", tier="senior", talent_type="academic")
    household(cases["big"], members=6, district="浦东新区")
    expiring = create_user("expiring@example.test", tier="senior")
    account_ops.set_talent(expiring, talent_type="production", tier="senior",
                           valid_until=(NOW + timedelta(days=30)).date())
    household(expiring, members=1, district="浦东新区")
    db.session.commit()
    cases["expiring"] = expiring
    return cases


def test_the_fast_path_says_what_the_full_check_says(db, people, make_units, make_round):
    round_ = make_round(make_units(["1b1l", "2b1l"]), min_tier="intermediate", district="浦东新区",
                        talent_types=["production"], recent_allocation_months=12)
    on_date = clock.local_today(round_.community.timezone)
    seen = {}
    for name, user in people.items():
        fast = ops.eligibility_of(user, round_.id)
        assert fast == ops.check_eligibility(round_, user) == from_scratch(round_, user, on_date), name
        seen[name] = [reason.code for reason in fast]
    assert seen["ok"] == [] and seen["expiring"] == []
    assert seen["junior"] == ["tier_too_low"]
    assert seen["no_tier"] == ["no_current_tier", "talent_type", "employer_district"]
    assert seen["no_household"] == ["employer_district"]
    assert seen["big"] == ["talent_type", "household_too_large", "household_too_large"]
    assert seen["housed"] == ["current_lease", "recently_allocated"]
    clock.freeze(NOW + timedelta(days=31))  # the day after the tier's last valid day
    assert [r.code for r in ops.eligibility_of(people["expiring"], round_.id)] == ["no_current_tier"]


def test_a_changed_layout_reaches_the_cached_rules(db, create_user, household, make_units, make_round):
    units = make_units(["2b1l"])
    round_ = make_round(units)
    single = create_user("single@example.test", tier="senior")
    household(single, members=0)
    assert [r.code for r in ops.eligibility_of(single, round_.id)] == ["household_too_small"]
    version = round_.rules_version
    fields = {key: getattr(units[0], key) for key in ("number", "floor", "area_centi_m2", "orientation", "furnished",
                                                      "accessible", "rent_fen", "deposit_fen")}
    ops.update_unit(units[0], actor=None, **fields, layout="studio")
    db.session.commit()
    assert round_.rules_version == version + 1
    assert ops.eligibility_of(single, round_.id) == [] == ops.check_eligibility(round_, single)
    ops.update_unit(units[0], actor=None, **fields, layout="studio")  # no change: no new version
    db.session.commit()
    assert round_.rules_version == version + 1


def test_visibility_is_round_for_residents_rule(db, create_user, make_units, make_round, elsewhere):
    round_ = make_round(make_units(["1b1l"]))
    draft = make_round(make_units(["1b1l"]), publish=False)
    far = make_round(make_units(["1b1l"], community_=elsewhere), community_=elsewhere)
    resident = create_user("me@example.test", tier="senior")
    stranger = create_user("far@example.test", tier="senior", community_=elsewhere)
    admin = create_user("boss@example.test", roles=("community_admin",), community_=elsewhere)
    assert ops.eligibility_of(resident, round_.id) == []  # no household: one person, who fits 1b1l
    for user, round_id in ((resident, draft.id), (resident, far.id), (stranger, round_.id), (resident, 10_000)):
        with pytest.raises(NotFound):
            ops.eligibility_of(user, round_id)
    # The other community's admin sees their own community's rounds (its draft too), in its time zone.
    far_draft = make_round(make_units(["1b1l"], community_=elsewhere), community_=elsewhere, publish=False)
    assert ops.eligibility_of(admin, far_draft.id) == ops.check_eligibility(far_draft, admin)
    with pytest.raises(NotFound):
        ops.eligibility_of(admin, draft.id)


def test_a_managers_round_in_another_time_zone_is_judged_on_its_local_day(db, community, create_community,
                                                                          create_user, household, make_units,
                                                                          make_round):
    """The fast path guesses the day from the user's own community; a round of a community in
    another zone is read again on that community's day. 09:00 in Shanghai on 2 March is still
    1 March in Los Angeles, the last valid day of this tier."""
    west = create_community("West", timezone="America/Los_Angeles")
    round_ = make_round(make_units(["1b1l"], community_=west), community_=west)
    admin = create_user("west@example.test", roles=("resident",))
    account_ops.grant_role(admin, "community_admin", west)
    account_ops.set_talent(admin, talent_type="production", tier="senior", valid_until=date(2026, 3, 1))
    household(admin, members=0)
    assert admin.community_id == community.id and clock.local_today(west.timezone) == date(2026, 3, 1)
    assert ops.eligibility_of(admin, round_.id) == [] == from_scratch(round_, admin, date(2026, 3, 1))
    assert ops.eligibility_of(admin, round_.id) == ops.check_eligibility(round_, admin)
    own = make_round(make_units(["1b1l"]))
    assert [r.code for r in ops.eligibility_of(admin, own.id)] == ["no_current_tier"]


def test_the_api_answers_in_two_statements_once_the_rules_are_cached(client, db, create_user, household, make_units,
                                                                     make_round, api_token):
    round_ = make_round(make_units(["1b1l", "2b1l"]), min_tier="intermediate")
    user = create_user("ok@example.test", tier="intermediate")
    household(user, members=1)
    headers = api_token(user)
    url = f"/api/v1/rounds/{round_.id}/eligibility"
    assert client.get(url, headers=headers).get_json() == {"eligible": True, "reasons": []}
    with recorded_statements(db) as statements:
        answer = client.get(url, headers=headers)
    assert answer.get_json() == {"eligible": True, "reasons": []}
    # The token with its user (grants, talent, community), then the round and the resident's facts.
    assert len(statements) <= 2, "\n".join(s[:100] for s in statements)
    assert_problem(client.get(f"/api/v1/rounds/{round_.id + 999}/eligibility", headers=headers), 404)
