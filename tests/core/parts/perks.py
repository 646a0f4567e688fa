"""The merchant alliance's share of the walking worlds: a merchant of "home" with its owner and a
member of staff, a perk and a campaign open to home only, the resident's voucher (redeemed, so the
office's undo has something to act on), an invitation link, an image of the perk, and the same named
with hostile text."""
from datetime import date, timedelta

OWNED_BY_RESIDENT = ("voucher_id",)

# One choice for each <any(...):action> of the alliance's routes.
ACTIONS = {
    "merchant.pause_campaign": "pause",
    "perks_admin.decide_merchant": "approve",
    "perks_admin.decide_campaign": "approve",
    "perks_admin.hide_perk": "hide",
    "perks_admin.voucher_action": "undo",
}


def _alliance(home, resident, *, owner, staff, admin, name, db):
    from community.accounts import operations as accounts
    from community.core.clock import now
    from community.perks import operations as perks

    merchant = perks.apply_merchant(owner, home, name=name, category="food", address=name, map_position=name,
                                    contact_name=name, contact_phone="021", licence_number=name[:60],
                                    opening_hours=name, description=name)
    perks.decide_merchant(merchant, "approve", actor=admin)
    accounts.grant_role(staff, "merchant_staff", None, merchant_id=merchant.id)
    perk = perks.create_perk(merchant, actor=owner, title=name, category="food", description=name,
                             discount_text=name, terms=name, eligible_communities=[home.id])
    from community.perks import images
    from tests.core.sample_files import tiny_png
    from werkzeug.datastructures import FileStorage

    import io

    image = images.add_images(perk, [FileStorage(io.BytesIO(tiny_png()), filename=f"{name[:40]}.png",
                                                 content_type="image/png")], actor=owner)[0]
    campaign = perks.create_campaign(
        merchant, actor=owner, title=name, benefit=name, terms=name, total=50, per_resident_limit=5,
        claim_starts_at=now() - timedelta(days=1), claim_ends_at=now() + timedelta(days=30), validity="fixed",
        valid_from=date(2000, 1, 1), valid_until=date(2099, 12, 31), eligible_communities=[home.id])
    perks.decide_campaign(campaign, "approve", actor=admin)
    voucher = perks.claim(resident, campaign)
    perks.redeem(voucher.code, actor=staff)
    perks.claim(resident, campaign)  # an active one too
    tokens = []
    perks.invite_staff(merchant, "invited@example.test", actor=owner, link_for=tokens.append)
    db.session.flush()
    grant = next(g for g in staff.role_grants if g.merchant_id == merchant.id)
    return {"merchant_id": merchant.id, "perk_id": perk.id, "campaign_id": campaign.id, "voucher_id": voucher.id,
            "staff_grant_id": grant.id, "invitation_token": tokens[0], "perk_image_id": image.id}


def build_world(world, *, db, app, create_user):
    owner = create_user("merchant-owner@home.test", roles=(), community_=world.home)
    staff = create_user("merchant-staff@home.test", roles=(), community_=world.home)
    made = _alliance(world.home, world.owner, owner=owner, staff=staff, admin=world.home_admin, name="Home Café",
                     db=db)
    world.objects["perks"] = made
    return {key: made[key] for key in ("merchant_id", "perk_id", "campaign_id", "voucher_id")}


def url_variable(world, endpoint, name):
    if name == "action" and endpoint in ACTIONS:
        return ACTIONS[endpoint]
    made = world.objects.get("perks") or {}
    if endpoint == "merchant.remove_perk_image" and name == "attachment_id":
        return made.get("perk_image_id")
    if endpoint == "merchant.remove_staff" and name == "grant_id":
        return made.get("staff_grant_id")
    if endpoint == "merchant.accept_invitation" and name == "token":
        return made.get("invitation_token")
    return None


def build_hostile(hostile, payload, *, db, create_user):
    owner = create_user("merchant-owner@example.test", roles=(), display_name=payload, community_=hostile["home"])
    staff = create_user("merchant-staff@example.test", roles=(), display_name=payload, community_=hostile["home"])
    made = _alliance(hostile["home"], hostile["resident"], owner=owner, staff=staff, admin=hostile["admin"],
                     name=payload, db=db)
    return {key: made[key] for key in ("merchant_id", "perk_id", "campaign_id", "voucher_id")}
