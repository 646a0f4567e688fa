"""Demo alliance: three approved merchants (a café, a gym partner, a bookshop) with perks and
campaigns, one pending application. merchant@demo.test is staff (and owner) of the café, whose
free-coffee campaign resident1 can claim. Idempotent: merchants are found by name."""
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from community.accounts import operations as account_ops
from community.accounts.demo import demo_community, demo_user
from community.core.clock import local_today, zone
from community.core.demo import demo_loader
from community.core.permissions import MERCHANT_STAFF
from community.extensions import db
from community.perks import operations as ops
from community.perks.models import Merchant

CAFE = "拾光咖啡"
MERCHANTS = [
    dict(name=CAFE, category="food", address="张江路 100 号 2号楼 1层", map_position="31.2036,121.5906",
         contact_name="林店长", contact_phone="021-5080 0001", licence_number="91310115MA1K000001",
         opening_hours="每天 08:00-21:00", description="手冲与意式咖啡，社区人才专享优惠。"),
    dict(name="动力健身（张江店）", category="leisure", address="张江路 188 号 B1", map_position="张江地铁站 2 号口",
         contact_name="周教练", contact_phone="021-5080 0002", licence_number="91310115MA1K000002",
         opening_hours="06:00-23:00", description="器械、团课与私教。"),
    dict(name="知行书店", category="shopping", address="科苑路 66 号", map_position="科苑路与祖冲之路路口",
         contact_name="王老板", contact_phone="021-5080 0003", licence_number="91310115MA1K000003",
         opening_hours="10:00-22:00", description="人文社科、科技图书与读书会。"),
]
PENDING = dict(name="悦来民宿", category="lodging", address="川沙新镇 8 号", map_position="",
               contact_name="陈女士", contact_phone="138 0000 0004", licence_number="91310115MA1K000004",
               opening_hours="全天", description="亲友来访住宿，人才家属优惠。")


def _merchant(name):
    return db.session.scalar(sa.select(Merchant).where(Merchant.name == name))


@demo_loader(60, "perks")
def load_perks(echo):
    community = demo_community()
    admin = demo_user("admin@demo.test")
    owner = demo_user("merchant@demo.test")
    if _merchant(CAFE) is not None or admin is None or owner is None:
        return
    tz = zone(community.timezone)
    today = local_today(community.timezone)
    opens = datetime.combine(today - timedelta(days=1), time(9, 0), tz)
    closes = datetime.combine(today + timedelta(days=30), time(22, 0), tz)
    # The demo's merchant@demo.test had a community-scoped merchant_staff grant (made before
    # merchants existed), which grants nothing at any merchant: it now works for the café.
    for grant in list(owner.role_grants):
        if grant.role == MERCHANT_STAFF and grant.merchant_id is None:
            account_ops.revoke_role(grant, actor=None)
    for fields in MERCHANTS:
        merchant = ops.apply_merchant(owner if fields["name"] == CAFE else admin, community, **fields)
        if fields["name"] != CAFE:
            merchant.owner_id = None  # entered by the office for the business; nobody runs its staff yet
        ops.decide_merchant(merchant, "approve", actor=admin)
    cafe, gym, books = (_merchant(m["name"]) for m in MERCHANTS)
    ops.create_perk(cafe, actor=owner, title="人才专享 9 折", category="food", discount_text="全场 9 折",
                    description="出示人才卡或社区住户身份即可。", terms="不与其他优惠同享。")
    ops.create_perk(gym, actor=admin, title="月卡 8 折", category="leisure", discount_text="月卡 8 折",
                    eligible_tiers=["intermediate", "senior"], terms="中级及以上人才。")
    ops.create_perk(books, actor=admin, title="购书满 100 减 20", category="shopping", discount_text="满 100 减 20")
    campaigns = [
        (cafe, owner, dict(title="免费咖啡体验券", benefit="任选一杯中杯咖啡", total=200, per_resident_limit=1,
                           validity="days", valid_days=14, funded_by="government", face_value_fen=2800,
                           terms="限堂食，每人限领 1 张。")),
        (gym, admin, dict(title="免费体验课", benefit="团课体验一次", total=50, per_resident_limit=1,
                          validity="fixed", valid_from=today, valid_until=today + timedelta(days=60),
                          funded_by="merchant", face_value_fen=9900, eligible_tiers=["intermediate", "senior"])),
        (books, admin, dict(title="读书会免费入场券", benefit="周六读书会一次", total=30, per_resident_limit=2,
                            validity="days", valid_days=30, funded_by="government", face_value_fen=3000)),
    ]
    for merchant, actor, fields in campaigns:
        campaign = ops.create_campaign(merchant, actor=actor, claim_starts_at=opens, claim_ends_at=closes, **fields)
        ops.decide_campaign(campaign, "approve", actor=admin)
    ops.apply_merchant(demo_user("resident5@demo.test") or admin, community, **PENDING)
    db.session.flush()
    echo(f"  merchant alliance: {len(MERCHANTS)} merchants, 3 campaigns, 1 pending application")



