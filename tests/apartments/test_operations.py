"""Apartment operations end to end on the test database: applying (once, eligible, inside the
window), frozen rounds, the allocation (dry run writes nothing; commit once), offers passing down
the waitlist on decline and expiry, and the household feeding eligibility."""
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from community.apartments import operations as ops
from community.apartments import queries
from community.apartments.errors import AlreadyAllocated, AlreadyApplied, NotEligible, OfferClosed, RoundFrozen
from community.apartments.models import (
    ACCEPTED, DECLINED, EXPIRED, OPEN, RESERVED, Application, Offer,
)
from community.core import clock, signals
from community.core.errors import RuleViolation
from tests.factories.apartments import SH, close_window
from tests.helpers import frozen_at

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
frozen_clock = frozen_at(NOW)


@pytest.fixture
def residents(create_user, household):
    """Four eligible residents with a household of two (fits 1b1l and 2b1l)."""
    people = []
    for i in range(4):
        user = create_user(f"r{i}@example.test", tier="intermediate", display_name=f"张{i}三")
        household(user, members=1)
        people.append(user)
    return people


def test_apply_once_with_preferences(db, make_units, make_round, residents):
    units = make_units(["1b1l", "2b1l"])
    round_ = make_round(units)
    application = ops.apply(round_, residents[0], [{"layout": "2b1l"}, {"layout": "1b1l"}])
    db.session.commit()
    assert application.preferences == [{"layout": "2b1l"}, {"layout": "1b1l"}]
    with pytest.raises(AlreadyApplied):
        ops.apply(round_, residents[0], [{"layout": "1b1l"}])


def test_the_database_refuses_a_second_application(db, make_units, make_round, residents):
    round_ = make_round(make_units(["1b1l"]))
    db.session.add(Application(round_id=round_.id, user_id=residents[0].id, community_id=round_.community_id,
                               preferences=[]))
    db.session.commit()
    db.session.add(Application(round_id=round_.id, user_id=residents[0].id, community_id=round_.community_id,
                               preferences=[]))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_not_eligible_names_every_reason(db, make_units, make_round, create_user):
    round_ = make_round(make_units(["2b1l"]), min_tier="intermediate")
    junior = create_user("junior@example.test", tier="junior")
    with pytest.raises(NotEligible) as refused:
        ops.apply(round_, junior, [{"layout": "2b1l"}])
    assert [r["code"] for r in refused.value.extra["reasons"]] == ["tier_too_low", "household_too_small"]
    assert "tier" in refused.value.extra["messages"][0].lower() or "初级" in refused.value.extra["messages"][0]


def test_a_tier_valid_until_today_is_still_current(db, make_units, make_round, create_user):
    from community.accounts import operations as account_ops

    round_ = make_round(make_units(["1b1l"]))
    user = create_user("edge@example.test")
    account_ops.set_talent(user, talent_type="production", tier="junior", valid_until=date(2026, 3, 2))
    db.session.commit()
    assert ops.check_eligibility(round_, user) == []
    clock.freeze(datetime(2026, 3, 3, 0, 0, tzinfo=SH))
    assert [r.code for r in ops.check_eligibility(round_, user)] == ["no_current_tier"]


def test_outside_the_window(db, make_units, make_round, residents):
    round_ = make_round(make_units(["1b1l"]), opens=NOW + timedelta(days=1), closes=NOW + timedelta(days=2))
    with pytest.raises(RuleViolation) as refused:
        ops.apply(round_, residents[0], [{"layout": "1b1l"}])
    assert refused.value.code == "outside_window"


def test_the_window_at_its_edges(db, make_units, make_round):
    """[opens_at, closes_at): open from its first instant, closed (and allocatable) at its last."""
    opens, closes = NOW + timedelta(days=1), NOW + timedelta(days=2)
    round_ = make_round(make_units(["1b1l"]), opens=opens, closes=closes)
    tick = timedelta(microseconds=1)
    assert not round_.accepting_applications(opens - tick)
    assert round_.accepting_applications(opens) and round_.accepting_applications(closes - tick)
    assert not round_.applications_closed(closes - tick)
    assert not round_.accepting_applications(closes) and round_.applications_closed(closes)
    round_.status = "draft"  # a draft takes no applications, whatever the time
    assert not round_.accepting_applications(opens)


def test_a_published_round_is_frozen(db, make_units, make_round):
    round_ = make_round(make_units(["1b1l"]))
    with pytest.raises(RoundFrozen):
        ops.update_round(round_, actor=None, title="changed", opens_at=round_.opens_at, closes_at=round_.closes_at)
    with pytest.raises(RoundFrozen):
        ops.offer_units(round_, actor=None, layout="1b1l", count=1)
    with pytest.raises(RoundFrozen):
        ops.publish_round(round_, actor=None)
    assert len(round_.seed_hash) == 64


def test_withdraw_and_apply_again(db, make_units, make_round, residents):
    round_ = make_round(make_units(["1b1l"]))
    application = ops.apply(round_, residents[0], [{"layout": "1b1l"}])
    ops.withdraw(application, actor=residents[0])
    assert application.status == "withdrawn"
    again = ops.apply(round_, residents[0], [{"layout": "1b1l"}])
    assert again.id == application.id and again.status == "submitted"


def _allocated(db, round_, people, prefs=None):
    for user in people:
        ops.apply(round_, user, prefs or [{"layout": "1b1l"}])
    db.session.commit()
    close_window(round_)
    result = ops.commit_allocation(round_, actor=None)
    db.session.commit()
    return result


def test_dry_run_writes_nothing_and_commit_writes_once(db, make_units, make_round, residents):
    round_ = make_round(make_units(["1b1l", "1b1l"]))
    for user in residents:
        ops.apply(round_, user, [{"layout": "1b1l"}])
    db.session.commit()
    close_window(round_)
    dry = ops.plan(round_)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Offer.id))) == 0
    assert round_.status == "published"
    committed = ops.commit_allocation(round_, actor=None)
    db.session.commit()
    assert [(r.application_id, r.unit_id) for r in committed.rows] == [(r.application_id, r.unit_id) for r in dry.rows]
    assert db.session.scalar(sa.select(sa.func.count(Offer.id))) == 2
    with pytest.raises(AlreadyAllocated):
        ops.commit_allocation(round_, actor=None)
    ranks = sorted(a.rank for a in db.session.scalars(sa.select(Application)))
    assert ranks == [1, 2, 3, 4]


def test_allocation_before_the_window_closes_is_refused(db, make_units, make_round, residents):
    round_ = make_round(make_units(["1b1l"]))
    with pytest.raises(RuleViolation) as refused:
        ops.plan(round_)
    assert refused.value.code == "window_open"


def test_a_tampered_seed_is_refused(db, make_units, make_round, residents):
    round_ = make_round(make_units(["1b1l"]))
    round_.seed = "0" * 64
    db.session.commit()
    close_window(round_)
    with pytest.raises(RuleViolation) as refused:
        ops.plan(round_)
    assert refused.value.code == "seed_mismatch"


def test_accept_reserves_and_drafts_a_lease_and_signals(db, make_units, make_round, residents):
    round_ = make_round(make_units(["1b1l"]))
    _allocated(db, round_, residents[:2])
    offer = db.session.scalar(sa.select(Offer))
    heard = []
    def listener(sender, **kw):
        heard.append((sender, kw["lease_draft"]))

    signals.offer_accepted.connect(listener)
    try:
        draft = ops.accept_offer(offer, actor=offer.user)
    finally:
        signals.offer_accepted.disconnect(listener)  # only ours: the leases domain listens too
    db.session.commit()
    assert offer.status == ACCEPTED and offer.unit.status == RESERVED
    assert draft.rent_fen == offer.unit.rent_fen and draft.ends_on > draft.starts_on
    assert heard == [(offer, draft)]
    with pytest.raises(OfferClosed):
        ops.accept_offer(offer, actor=offer.user)


def test_decline_passes_down_the_waitlist_in_rank_order(db, make_units, make_round, residents):
    round_ = make_round(make_units(["1b1l"]))
    result = _allocated(db, round_, residents)
    ranking = [row.user_id for row in result.rows]
    first = db.session.scalar(sa.select(Offer))
    assert first.user_id == ranking[0]
    second = ops.decline_offer(first, actor=first.user)
    db.session.commit()
    assert first.status == DECLINED and first.passed_to_id == second.id
    assert second.user_id == ranking[1] and second.status == OPEN
    third = ops.decline_offer(second, actor=second.user)
    assert third.user_id == ranking[2]


def test_expiry_job_passes_down_and_is_idempotent(db, make_units, make_round, residents):
    from community.apartments.jobs import offers_job

    round_ = make_round(make_units(["1b1l"]), offer_days=7)
    result = _allocated(db, round_, residents[:2])
    first = db.session.scalar(sa.select(Offer))
    clock.freeze(first.expires_at + timedelta(seconds=1))
    assert offers_job()["expired"] == 1
    db.session.commit()
    assert offers_job()["expired"] == 0
    offers = list(db.session.scalars(sa.select(Offer).order_by(Offer.id)))
    assert [o.status for o in offers] == [EXPIRED, OPEN]
    assert offers[1].user_id == result.rows[1].user_id
    with pytest.raises(OfferClosed):
        ops.accept_offer(first, actor=first.user)


def test_the_waitlist_skips_those_who_did_not_want_the_unit(db, make_units, make_round, residents):
    units = make_units(["1b1l", "2b1l"])
    round_ = make_round(units, tier_points={"junior": 0, "intermediate": 0, "senior": 0})
    for user, pref in zip(residents[:3], ("1b1l", "2b1l", "2b1l")):
        ops.apply(round_, user, [{"layout": pref}])
    db.session.commit()
    close_window(round_)
    ops.commit_allocation(round_, actor=None)
    offers = {o.unit.layout: o for o in db.session.scalars(sa.select(Offer))}
    following = ops.decline_offer(offers["1b1l"], actor=offers["1b1l"].user)
    assert following is None  # the only one waiting wants a 2b1l


def test_a_resident_never_holds_two_open_offers(db, make_units, make_round, residents):
    units = make_units(["1b1l", "1b1l"])
    round_ = make_round(units)
    _allocated(db, round_, residents[:1])
    offer = db.session.scalar(sa.select(Offer))
    db.session.add(Offer(round_id=round_.id, application_id=offer.application_id, unit_id=units[1].id,
                         user_id=offer.user_id, community_id=offer.community_id, status=OPEN,
                         expires_at=offer.expires_at))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_household_size_feeds_eligibility(db, make_units, make_round, create_user, household):
    round_ = make_round(make_units(["2b1l"]))
    user = create_user("single@example.test", tier="senior")
    household(user, members=0)
    assert [r.code for r in ops.check_eligibility(round_, user)] == ["household_too_small"]
    ops.add_member(user, name="李四", relation="spouse", actor=user)
    assert ops.check_eligibility(round_, user) == []


def test_another_community_sees_nothing(db, make_units, make_round, residents, create_user, elsewhere):
    round_ = make_round(make_units(["1b1l"]))
    stranger = create_user("far@example.test", tier="senior", community_=elsewhere)
    from community.core.errors import NotFound

    with pytest.raises(NotFound):
        queries.round_for_resident(stranger, round_.id)
    other_admin = create_user("farad@example.test", roles=("community_admin",), community_=elsewhere)
    with pytest.raises(NotFound):
        queries.managed_or_404(other_admin, type(round_), round_.id)
    assert db.session.scalars(queries.rounds_for_admin(other_admin)).all() == []


def test_offers_are_sent_by_the_job_once(db, make_units, make_round, residents, outbox):
    from community.apartments.jobs import send_offers_job
    from community.notifications.models import Notice

    round_ = make_round(make_units(["1b1l"]))
    _allocated(db, round_, residents[:2])
    assert db.session.scalars(sa.select(Notice)).all() == []  # the commit only marks them pending
    assert send_offers_job() == {"results": 2, "sent": 1}
    db.session.commit()
    assert send_offers_job() == {"results": 0, "sent": 0}
    kinds = sorted(n.kind for n in db.session.scalars(sa.select(Notice)))
    assert kinds == ["apartments.allocation_result"] * 2 + ["apartments.offer_made"]
    assert len(outbox("apartments.offer_made")) == 1
    offer = db.session.scalar(sa.select(Offer))
    assert offer.notified_at is not None
