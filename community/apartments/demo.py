"""Demo apartments: units in 1号楼 and 2号楼, households for the demo residents, an open round,
and a closed round with its result published. Residents 1-3 hold leases (the leases demo), so the
rounds' "no current lease" rule keeps them out: the closed round's applicants are 4 (tier lapsed)
and 5 (no tier yet), both refused, and resident6, who holds its open offer of 2号楼 601 and may
still apply in the open round. Idempotent: units are found by number, households by resident,
rounds by title."""
from datetime import timedelta

import sqlalchemy as sa

from community.accounts.demo import demo_community, demo_user
from community.apartments import notices
from community.apartments import operations as ops
from community.apartments.models import Household, Round, Unit
from community.core import clock
from community.core.demo import demo_loader
from community.core.errors import DomainError
from community.extensions import db

# floor -> (number suffix, layout, area m² x100, rent fen)
DEMO_FLOOR = (("01", "1b1l", 4550, 180000), ("02", "1b1l", 4800, 190000), ("03", "2b1l", 6800, 260000),
              ("04", "studio", 3200, 130000))
DEMO_FLOORS = range(2, 7)
DISTRICT = "浦东新区"
# resident number -> (employer, district, industry, [(name, relation)])
DEMO_HOUSEHOLDS = {
    1: ("张江芯片研究院", DISTRICT, "集成电路", [("李华", "spouse")]),
    2: ("浦东软件园有限公司", DISTRICT, "软件", [("王芳", "spouse"), ("王小宝", "child")]),
    3: ("陆家嘴咨询", DISTRICT, "", []),
    4: ("徐汇设计院", "徐汇区", "", []),
    5: ("张江生物医药", DISTRICT, "生物医药", [("赵敏", "spouse")]),
    6: ("张江人工智能实验室", DISTRICT, "人工智能", []),
}
CLOSED_ROUND_APPLICANTS = {4: ["1b1l"], 5: ["2b1l"], 6: ["1b1l"]}  # resident number -> layouts
OPEN_ROUND = "2026 年第二批人才公寓招租公告"
CLOSED_ROUND = "2026 年第一批人才公寓招租公告"
ANNOUNCEMENT = ("面向在浦东新区就业、经认定的青年人才，配租 1号楼、2号楼房源。\n"
                "按人才层次、轮候时间、家庭人口和重点产业计分，同分以公开的随机种子摇号。")


def _units(community, echo) -> list[Unit]:
    units = []
    for building in community.buildings:
        if building.name not in ("1号楼", "2号楼"):
            continue
        existing = {u.number: u for u in db.session.scalars(sa.select(Unit).where(Unit.building_id == building.id))}
        for floor in DEMO_FLOORS:
            for suffix, layout, area, rent in DEMO_FLOOR:
                number = f"{floor}{suffix}"
                if number not in existing:
                    existing[number] = ops.create_unit(
                        building, actor=None, number=number, floor=floor, layout=layout, area_centi_m2=area,
                        orientation="south" if suffix in ("01", "03") else "north", furnished=True,
                        accessible=floor == 2, rent_fen=rent, deposit_fen=rent * 2)
        units.extend(existing.values())
        echo(f"  {building.name}: {len(existing)} units")
    return units


def _households(echo):
    for number, (employer, district, industry, members) in DEMO_HOUSEHOLDS.items():
        user = demo_user(f"resident{number}@demo.test")
        if user is None or db.session.scalar(sa.select(Household.id).where(Household.user_id == user.id)):
            continue
        ops.save_household(user, employer=employer, employer_district=district, industry=industry, actor=user)
        for name, relation in members:
            ops.add_member(user, name=name, relation=relation, actor=user)
        echo(f"  household of {user.email}")


def _round_fields(opens, closes):
    return dict(announcement=ANNOUNCEMENT, opens_at=opens, closes_at=closes, min_tier="junior", district=DISTRICT,
                require_no_lease=True, recent_allocation_months=12,
                tier_points={"junior": 10, "intermediate": 20, "senior": 30}, points_per_waiting_month=1,
                points_per_member=2, priority_industry_points=5,
                priority_industries=["集成电路", "生物医药", "人工智能"], offer_days=7)


def _closed_round(community, admin, units, echo):
    if db.session.scalar(sa.select(Round.id).where(Round.title == CLOSED_ROUND, Round.community_id == community.id)):
        return
    real_now = clock.now()
    try:
        clock.freeze(real_now - timedelta(days=20))
        round_ = ops.create_round(community, actor=admin, title=CLOSED_ROUND,
                                  **_round_fields(real_now - timedelta(days=19), real_now - timedelta(hours=2)))
        ops.offer_units(round_, actor=admin, unit_ids=[u.id for u in units if u.number in ("601", "603")
                                                       and u.building.name == "2号楼"])
        ops.publish_round(round_, actor=admin)
        clock.freeze(real_now - timedelta(days=10))
        for number, layouts in CLOSED_ROUND_APPLICANTS.items():
            user = demo_user(f"resident{number}@demo.test")
            if user is None:
                continue
            try:
                ops.apply(round_, user, [{"layout": code} for code in layouts], actor=user)
            except DomainError as error:  # 4's tier lapsed, 5 has none yet: not eligible, as the demo shows
                echo(f"  resident{number} not applying: {getattr(error, 'message', error)}")
        clock.freeze(real_now - timedelta(hours=1))
        result = ops.commit_allocation(round_, actor=admin)
        notices.send_pending_results()
        notices.send_pending_offers()
        echo(f"  allocated {CLOSED_ROUND}: {dict(result.counts())}")
    finally:
        clock.freeze(None)


def _open_round(community, admin, units, echo):
    if db.session.scalar(sa.select(Round.id).where(Round.title == OPEN_ROUND, Round.community_id == community.id)):
        return
    at = clock.now()
    round_ = ops.create_round(community, actor=admin, title=OPEN_ROUND,
                              **_round_fields(at - timedelta(days=1), at + timedelta(days=14)))
    ops.offer_units(round_, actor=admin, unit_ids=[u.id for u in units if u.building.name == "1号楼"
                                                   and u.layout in ("1b1l", "2b1l") and u.floor <= 4])
    ops.publish_round(round_, actor=admin)
    echo(f"  published {OPEN_ROUND} (open for 14 days)")


@demo_loader(30, "apartments")
def load_apartments(echo):
    community = demo_community()
    admin = demo_user("admin@demo.test")
    units = _units(community, echo)
    _households(echo)
    db.session.flush()
    _closed_round(community, admin, units, echo)
    _open_round(community, admin, units, echo)
    db.session.flush()
