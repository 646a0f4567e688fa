"""Two operators countersign overlapping leases of one unit at the same moment: the exclusion
constraint lets exactly one through."""
import threading
from datetime import date

import pytest
import sqlalchemy as sa


@pytest.mark.usefixtures("pg_only")
def test_two_operators_sign_overlapping_leases_at_once(app, db, resident, create_user, community_admin, make_lease):
    from community.core import clock
    from community.extensions import db as ext_db
    from community.leases import operations as ops
    from community.leases.errors import UnitAlreadyLeased
    from community.leases.models import Lease

    other_admin = create_user("admin2@example.com", roles=("community_admin",))
    first = make_lease(resident, date(2027, 1, 1), date(2027, 12, 31))
    second = make_lease(create_user("b@example.com"), date(2027, 6, 1), date(2028, 5, 31), unit=first.unit)
    for lease in (first, second):
        ops.sign(lease, actor=lease.user)
    db.session.commit()
    ids = {"a": (first.id, community_admin.id), "b": (second.id, other_admin.id)}
    barrier = threading.Barrier(2)
    outcomes = {}
    frozen = clock.now()

    def countersign(name):
        from community.accounts.models import User

        lease_id, admin_id = ids[name]
        with app.app_context():
            try:
                lease = ext_db.session.get(Lease, lease_id)
                admin = ext_db.session.get(User, admin_id)
                barrier.wait()
                ops.countersign(lease, actor=admin)
                ext_db.session.commit()
                outcomes[name] = "signed"
            except UnitAlreadyLeased:
                ext_db.session.rollback()
                outcomes[name] = "refused"
            finally:
                ext_db.session.remove()

    clock.freeze(frozen)
    threads = [threading.Thread(target=countersign, args=(n,)) for n in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes.values()) == ["refused", "signed"]
    db.session.expire_all()
    held = db.session.scalar(sa.select(sa.func.count()).select_from(Lease).where(
        Lease.unit_id == first.unit_id, Lease.status == "signed"))
    assert held == 1


@pytest.mark.usefixtures("pg_only")
def test_two_bill_notice_runs_at_once_tell_each_resident_once(app, db, create_user, community_admin, make_lease):
    """Two nodes run the bill-notices job at the same moment, each a batch smaller than the bills:
    FOR UPDATE SKIP LOCKED gives them different bills, and every bill is told exactly once."""
    from community.core import clock
    from community.extensions import db as ext_db
    from community.leases import operations as ops
    from community.notifications.models import Notice

    for n in range(12):
        make_lease(create_user(f"t{n}@example.com"), date(2026, 12, 1), date(2027, 11, 30), status="active",
                   tier="junior", office=community_admin)
    db.session.commit()
    barrier = threading.Barrier(2)
    sent = {}
    frozen = clock.now()

    def run(name):
        with app.app_context():
            try:
                barrier.wait()
                sent[name] = ops.notify_new_bills(limit=8)
                ext_db.session.commit()
            finally:
                ext_db.session.remove()

    clock.freeze(frozen)
    threads = [threading.Thread(target=run, args=(name,)) for name in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    db.session.expire_all()
    told = db.session.scalars(sa.select(Notice.object_id).where(Notice.kind == "leases.bill_issued")).all()
    assert sum(sent.values()) == 12 and sorted(sent.values()) == [4, 8]
    assert len(told) == len(set(told)) == 12
