"""Apartment factories: fixtures that return callables (registered as a plugin in tests/conftest.py)."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def make_units(db, community):
    """make_units(layouts, building="A栋", community_=None, floors=10) -> committed Units, one per layout
    code given, numbered 101, 102... in a building made on first use."""
    from community.accounts import operations as account_ops
    from community.apartments import operations as ops
    from community.apartments.models import Unit

    def _make(layouts, building="A栋", community_=None, rent_fen=250000):
        home = community_ or community
        found = next((b for b in home.buildings if b.name == building), None)
        found = found or account_ops.add_building(home, name=building, floors=30)
        existing = db.session.query(Unit).filter_by(building_id=found.id).count()
        units = [ops.create_unit(found, actor=None, number=str(101 + existing + i), floor=1 + (existing + i) // 10,
                                 layout=layout, area_centi_m2=4550, orientation="south", furnished=True,
                                 accessible=False, rent_fen=rent_fen, deposit_fen=rent_fen * 2)
                 for i, layout in enumerate(layouts)]
        db.session.commit()
        return units

    return _make


@pytest.fixture
def make_round(db, community):
    """make_round(units, publish=True, opens=now-1d, closes=now+7d, **rules) -> a committed Round."""
    from community.apartments import operations as ops
    from community.core.clock import now

    def _make(units, *, publish=True, community_=None, opens=None, closes=None, **fields):
        home = community_ or community
        at = now()
        values = dict(title="2026 春季人才公寓招租", announcement="第一批", opens_at=opens or at - timedelta(days=1),
                      closes_at=closes or at + timedelta(days=7), require_no_lease=True)
        values.update(fields)
        round_ = ops.create_round(home, actor=None, **values)
        if units:
            ops.offer_units(round_, actor=None, unit_ids=[u.id for u in units])
        if publish:
            ops.publish_round(round_, actor=None)
        db.session.commit()
        return round_

    return _make


@pytest.fixture
def household(db):
    """household(user, members=0, district="", industry="") -> the user's committed Household."""
    from community.apartments import operations as ops

    def _make(user, members=0, district="", industry="", waiting_since=None):
        ops.save_household(user, employer="Acme", employer_district=district, industry=industry, actor=user)
        for i in range(members):
            ops.add_member(user, name=f"Member {i}", relation="child" if i else "spouse", actor=user)
        household = ops.household_for(user)
        household.waiting_since = waiting_since
        db.session.commit()
        return household

    return _make


def close_window(round_):
    """Move the clock just past the round's window (the allocation may run)."""
    from community.core import clock

    clock.freeze(round_.closes_at + timedelta(minutes=1))


def at_local(year, month, day, hour=9):
    return datetime(year, month, day, hour, tzinfo=SH)
