"""Perks factories: fixtures that return callables (committed objects)."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from community.core.clock import now


@pytest.fixture
def make_merchant(db, community, create_user):
    """make_merchant(owner=None, status="approved", community_=None, **fields) -> Merchant (committed);
    an approved merchant's owner is its staff."""
    from community.perks import operations as ops

    counter = iter(range(1, 10_000))

    def _make(owner=None, *, status="approved", community_=None, name=None, **fields):
        home = community_ or community
        n = next(counter)
        owner = owner or create_user(f"owner{n}-{home.id}@example.test", roles=())
        admin = create_user(f"approver{n}-{home.id}@example.test", roles=("platform_admin",))
        values = dict(name=name or f"Merchant {n}", category="food", address="1 Road", contact_name="Lin",
                      contact_phone="021", licence_number=f"LIC{n}")
        values.update(fields)
        merchant = ops.apply_merchant(owner, home, **values)
        if status in ("approved", "suspended"):
            ops.decide_merchant(merchant, "approve", actor=admin)
        if status == "suspended":
            ops.decide_merchant(merchant, "suspend", actor=admin, reason="test")
        if status == "rejected":
            ops.decide_merchant(merchant, "reject", actor=admin, reason="test")
        db.session.commit()
        return merchant

    return _make


@pytest.fixture
def make_campaign(db, create_user):
    """make_campaign(merchant, total=10, per_resident_limit=1, status="approved", **fields) -> Campaign."""
    from community.perks import operations as ops

    def _make(merchant, *, total=10, per_resident_limit=1, status="approved", **fields):
        admin = create_user(f"campaign-admin-{merchant.id}-{total}-{now().timestamp()}@example.test",
                            roles=("platform_admin",))
        values = dict(title="Free coffee", benefit="One coffee", total=total, per_resident_limit=per_resident_limit,
                      claim_starts_at=now() - timedelta(hours=1), claim_ends_at=now() + timedelta(days=7),
                      validity="fixed", valid_from=date(2000, 1, 1), valid_until=date(2099, 12, 31))
        values.update(fields)
        campaign = ops.create_campaign(merchant, actor=admin, **values)
        if status in ("approved", "paused"):
            ops.decide_campaign(campaign, "approve", actor=admin)
        if status == "paused":
            ops.decide_campaign(campaign, "pause", actor=admin)
        db.session.commit()
        return campaign

    return _make


@pytest.fixture
def staff_of(db, create_user):
    """staff_of(merchant, email) -> a user holding merchant_staff at that merchant (committed)."""
    from community.accounts import operations as account_ops

    def _make(merchant, email):
        user = create_user(email, roles=())
        account_ops.grant_role(user, "merchant_staff", None, merchant_id=merchant.id)
        db.session.commit()
        return user

    return _make


def merchants_numbered(*ids):
    """An autouse fixture that makes merchants with these ids (a test module's own merchant
    numbers, as role grants at a merchant need a merchant since role_grants.merchant_id became a
    foreign key). Use it at module level: ``numbered_merchants = merchants_numbered(101, 202)``."""

    @pytest.fixture(autouse=True)
    def numbered_merchants(db, community):
        from community.perks.models import Merchant

        for merchant_id in ids:
            db.session.add(Merchant(id=merchant_id, community_id=community.id, name=f"Merchant {merchant_id}",
                                    category="food", address="1 Road", contact_name="Lin", contact_phone="021",
                                    licence_number=f"LIC-{merchant_id}", status="approved"))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":  # later merchants must not take these ids
            db.session.execute(sa.text("SELECT setval(pg_get_serial_sequence('merchants', 'id'), "
                                       "(SELECT MAX(id) FROM merchants))"))
            db.session.commit()

    return numbered_merchants
