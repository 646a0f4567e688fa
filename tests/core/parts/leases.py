"""Leases' share of the walking worlds: the owner's active lease (moved in, with a bill and a
held deposit) ending within 60 days, its renewal request and an open move-out inspection with an
item; the same named with hostile text."""
from datetime import timedelta

OWNED_BY_RESIDENT = {"lease_id", "inspection_id", "deposit_id", "bill_id", "item_id", "renewal_id"}


def _build(db, home, resident, admin, text):
    from community.accounts import operations as accounts
    from community.apartments import operations as apartments
    from community.core.clock import local_today
    from community.leases import operations as ops
    from community.leases.models import Bill, Deposit, Lease
    from community.leases.rules import TERMS_VERSION

    building = accounts.add_building(home, name=f"{text}租赁楼"[:120], floors=3)
    unit = apartments.create_unit(building, actor=admin, number="301", floor=3, layout="1b1l", area_centi_m2=4500,
                                  orientation="south", furnished=False, accessible=False, rent_fen=200000,
                                  deposit_fen=400000)
    today = local_today(home.timezone)
    lease = Lease(community_id=home.id, unit_id=unit.id, user_id=resident.id, starts_on=today - timedelta(days=300),
                  ends_on=today + timedelta(days=50), rent_fen=200000, deposit_fen=400000, payment_day=1,
                  terms_version=TERMS_VERSION, co_occupants=[text[:40]] if text else [])
    db.session.add(lease)
    db.session.flush()
    ops.sign(lease, actor=resident, ip="10.0.0.1", user_agent=text[:200])
    ops.countersign(lease, actor=admin)
    move_in = ops.open_inspection(lease, "move_in", actor=admin, inspected_on=lease.starts_on)
    ops.add_item(move_in, actor=admin, room=text[:60] or "客厅", item=text[:120] or "墙面", condition="good",
                 note=text[:500])
    ops.sign_inspection(move_in, actor=admin, party="office")
    ops.sign_inspection(move_in, actor=resident, party="resident")
    deposit = db.session.query(Deposit).filter_by(lease_id=lease.id).one()
    from community.payments import operations as payments

    payments.record_offline_payment("lease_deposit", deposit.id, actor=admin, method="cash",
                                    reference=text[:60] or "D-1")
    renewal = ops.request_renewal(lease, actor=resident)
    move_out = ops.open_inspection(lease, "move_out", actor=admin)
    item = ops.add_item(move_out, actor=admin, room=text[:60] or "卧室", item=text[:120] or "窗户",
                        condition="damaged", note=text[:500], cost_fen=1000)
    db.session.flush()
    bill = db.session.query(Bill).filter_by(lease_id=lease.id).first()
    db.session.commit()
    return {"lease_id": lease.id, "inspection_id": move_out.id, "item_id": item.id, "deposit_id": deposit.id,
            "renewal_id": renewal.id, "bill_id": bill.id}


def build_world(world, *, db, app, create_user):
    with app.test_request_context():
        return _build(db, world.home, world.owner, world.home_admin, "")


def url_variable(world, endpoint, name):
    if not endpoint.startswith("leases"):
        return None
    return {"kind": "move_out", "decision": "accept", "name": "ending"}.get(name)


def build_hostile(hostile, payload, *, db, create_user):
    return _build(db, hostile["home"], hostile["resident"], hostile["admin"], payload)
