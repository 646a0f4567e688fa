"""Apartments' share of the walking worlds: units in a building of home, the owner's household and
application to an open round, an allocated round with an open offer to the owner, and the same
named with hostile text."""
from datetime import timedelta

OWNED_BY_RESIDENT = {"offer_id", "member_id"}


def _build(db, home, resident, others, admin, name):
    from community.accounts import operations as accounts
    from community.apartments import operations as ops
    from community.core import clock

    building = accounts.add_building(home, name=f"{name}公寓楼"[:120], floors=5)
    units = [ops.create_unit(building, actor=admin, number=str(101 + i), floor=1, layout="1b1l", area_centi_m2=4500,
                             orientation="south", furnished=False, accessible=False, rent_fen=200000,
                             deposit_fen=400000) for i in range(3)]
    ops.save_household(resident, employer=name[:120], employer_district=name[:60], industry=name[:60], actor=resident)
    member = ops.add_member(resident, name=name[:80], relation="spouse", actor=resident)
    real = clock._frozen
    at = clock.now()
    try:
        clock.freeze(at - timedelta(days=10))
        closed = ops.create_round(home, actor=admin, title=f"{name} 第一批"[:160], announcement=name,
                                  opens_at=at - timedelta(days=9), closes_at=at - timedelta(days=1),
                                  priority_industries=[name[:60]], priority_industry_points=5)
        ops.offer_units(closed, actor=admin, unit_ids=[units[0].id])
        ops.publish_round(closed, actor=admin)
        clock.freeze(at - timedelta(days=5))
        application = ops.apply(closed, resident, [{"layout": "1b1l"}], actor=resident)
        for other in others:
            ops.apply(closed, other, [{"layout": "1b1l"}], actor=other)
        clock.freeze(at - timedelta(hours=1))
        ops.commit_allocation(closed, actor=admin)
    finally:
        clock.freeze(real)
    from community.apartments.models import Offer

    db.session.flush()
    offer = db.session.query(Offer).filter_by(user_id=resident.id).one()
    open_round = ops.create_round(home, actor=admin, title=f"{name} 第二批"[:160], announcement=name,
                                  opens_at=at - timedelta(days=1), closes_at=at + timedelta(days=10))
    ops.offer_units(open_round, actor=admin, unit_ids=[units[1].id])
    ops.publish_round(open_round, actor=admin)
    db.session.commit()
    return {"round_id": open_round.id, "offer_id": offer.id, "member_id": member.id, "unit_id": units[2].id,
            "building_id": building.id, "application_id": application.id}


def build_world(world, *, db, app, create_user):
    from community.accounts import operations as accounts

    for user in (world.owner, world.neighbour):
        if user.talent is None or user.talent.tier is None:
            accounts.set_talent(user, talent_type="production", tier="senior", valid_until=None)
    db.session.flush()
    ids = _build(db, world.home, world.owner, [world.neighbour], world.home_admin, "Apt")
    return ids


def url_variable(world, endpoint, name):
    if endpoint == "apartments.decide_offer" and name == "decision":
        return "accept"
    return None


def build_hostile(hostile, payload, *, db, create_user):
    from community.accounts import operations as accounts

    resident = hostile["resident"]
    accounts.set_talent(resident, talent_type="production", tier="senior", valid_until=None)
    db.session.flush()
    ids = _build(db, hostile["home"], resident, [], hostile["admin"], payload)
    return {key: value for key, value in ids.items() if key != "offer_id"} | {"offer_id": ids["offer_id"]}
