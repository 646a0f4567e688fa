"""Lease factories: fixtures that return callables (registered as a plugin in tests/conftest.py)."""
from datetime import date

import pytest


@pytest.fixture
def make_lease(db, community, make_units):
    """make_lease(user, starts_on, ends_on, rent_fen=300000, deposit_fen=600000, status="draft",
    unit=None, tier=None, payment_day=None) -> a committed Lease drafted as an accepted offer leaves it; status "signed" or "active" walks it through signing (and move-in)."""
    from community.accounts import operations as accounts
    from community.leases.models import Lease
    from community.leases.rules import TERMS_VERSION
    from community.leases import operations as ops

    def _make(user, starts_on=date(2027, 1, 1), ends_on=date(2028, 1, 1), *, rent_fen=300000, deposit_fen=600000,
              status="draft", unit=None, tier=None, valid_until=None, payment_day=None, office=None):
        unit = unit or make_units(["1b1l"], rent_fen=rent_fen)[0]
        if tier is not None:
            accounts.set_talent(user, talent_type="production", tier=tier, valid_until=valid_until)
        lease = Lease(community_id=unit.community_id, unit_id=unit.id, user_id=user.id, starts_on=starts_on,
                      ends_on=ends_on, rent_fen=rent_fen, deposit_fen=deposit_fen, currency="CNY",
                      payment_day=payment_day or 1, terms_version=TERMS_VERSION, co_occupants=[])
        db.session.add(lease)
        db.session.flush()
        if status in ("signed", "active"):
            ops.sign(lease, actor=user, ip="10.0.0.1", user_agent="pytest")
            ops.countersign(lease, actor=office, ip="10.0.0.2")
        if status == "active":
            inspection = ops.open_inspection(lease, "move_in", actor=office, inspected_on=starts_on)
            ops.add_item(inspection, actor=office, room="客厅", item="墙面", condition="good")
            ops.sign_inspection(inspection, actor=office, party="office")
            ops.sign_inspection(inspection, actor=user, party="resident")
        db.session.commit()
        return lease

    return _make
