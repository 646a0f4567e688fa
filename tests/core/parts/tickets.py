"""The tickets domain's share of the walking worlds: a desk in "home" (a category covered by the
home specialist, a policy, a canned reply, a leave) and a ticket of the owner's with a photo, a
public reply and an internal note; in the hostile world, every text a person types in the domain
set to the payload."""
from datetime import date

OWNED_BY_RESIDENT = {"ticket_id"}


def _desk(community, admin, specialists, name, policy_name):
    from community.tickets import operations as ops

    policy = ops.save_policy(community.id, actor=admin, name=policy_name,
                             targets={"low": (480, 4800), "normal": (240, 2400), "high": (120, 960),
                                      "urgent": (30, 240)})
    category = ops.save_category(community.id, actor=admin, name=name, sla_policy_id=policy.id)
    for specialist in specialists:
        ops.set_coverage(community.id, specialist, {category.id}, actor=admin)
    return category, policy


def build_world(world, *, db, app, create_user):
    from community.tickets import operations as ops
    from tests.core.sample_files import tiny_png, upload

    category, policy = _desk(world.home, world.home_admin, [world.home_specialist], "报修", "Standard")
    canned = ops.save_canned_reply(world.home.id, actor=world.home_admin, title="Received", body="We are on it.")
    leave = ops.add_leave(world.home.id, world.home_specialist, starts_on=date(2027, 1, 4), ends_on=date(2027, 1, 8),
                          actor=world.home_admin)
    ticket = ops.file_ticket(world.owner, category, title="Tap leaking", description="Kitchen tap",
                             photos=[upload(tiny_png(), "tap.png")])
    ops.add_reply(ticket, world.home_specialist, "On my way")
    ops.add_reply(ticket, world.home_specialist, "Internal: check the riser", internal=True)
    db.session.flush()
    world.objects.update(ticket=ticket, ticket_category=category)
    return {"ticket_id": ticket.id, "category_id": category.id, "policy_id": policy.id, "canned_id": canned.id,
            "leave_id": leave.id}


def url_variable(world, endpoint: str, name: str):
    if name == "user_id" and endpoint.startswith("tickets_admin."):
        return world.home_specialist.id
    return None


def build_hostile(hostile, payload, *, db, create_user):
    from community.tickets import operations as ops

    home, resident, admin = hostile["home"], hostile["resident"], hostile["admin"]
    specialist = create_user("hostile-specialist@example.test", roles=("specialist",), display_name=payload,
                             community_=home)
    second = create_user("hostile-specialist2@example.test", roles=("specialist",), display_name=payload,
                         community_=home)
    category, policy = _desk(home, admin, [specialist], payload, payload)
    canned = ops.save_canned_reply(home.id, actor=admin, title=payload, body=payload)
    leave = ops.add_leave(home.id, specialist, starts_on=date(2027, 1, 4), ends_on=date(2027, 1, 8), note=payload,
                          actor=admin)
    buildings = [b.id for b in home.buildings]
    ticket = ops.file_ticket(resident, category, title=payload, description=payload, location_kind="building",
                             building_id=buildings[0] if buildings else None, location_detail=payload,
                             contact_time=payload) if buildings else ops.file_ticket(
        resident, category, title=payload, description=payload, location_detail=payload, contact_time=payload)
    ops.add_reply(ticket, specialist, payload)
    ops.add_reply(ticket, specialist, payload, internal=True)
    ops.reassign(ticket, second, actor=admin, reason=payload)
    rated = ops.file_ticket(resident, category, title=payload, description=payload)
    ops.change_status(rated, specialist, "resolved", reason=payload)
    ops.change_status(rated, resident, "closed")
    ops.rate(rated, resident, 3, payload)
    db.session.flush()
    return {"ticket_id": ticket.id, "category_id": category.id, "policy_id": policy.id, "leave_id": leave.id,
            "canned_id": canned.id}
