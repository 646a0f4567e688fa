"""Demo community and the fixed demo logins printed by ``flask demo load``."""
from datetime import date

import sqlalchemy as sa

from community.accounts import operations as ops
from community.accounts.models import Community, User
from community.core.demo import DEMO_PASSWORD, demo_loader
from community.core.permissions import (
    COMMUNITY_ADMIN, MERCHANT_STAFF, PLATFORM_ADMIN, RESIDENT, SPECIALIST,
)
from community.extensions import db

DEMO_COMMUNITY = "青年人才社区（示范）"
DEMO_USERS = [
    ("platform@demo.test", "平台管理员", [(PLATFORM_ADMIN, False)]),
    ("admin@demo.test", "社区管理员", [(COMMUNITY_ADMIN, True)]),
    ("specialist@demo.test", "人才服务专员", [(SPECIALIST, True)]),
    ("merchant@demo.test", "联盟商户店员", [(MERCHANT_STAFF, True)]),
] + [(f"resident{i}@demo.test", f"住户{i}", [(RESIDENT, True)]) for i in range(1, 7)]
DEMO_TIERS = {
    1: ("production", "senior", date(2027, 12, 31)),
    2: ("business", "intermediate", date(2027, 12, 31)),
    3: ("skill_service", "junior", date(2027, 12, 31)),
    4: ("social_service", "junior", date(2024, 12, 31)),  # expired: shows the renewal notice
    6: ("production", "junior", date(2028, 6, 30)),  # a newcomer: no lease yet, holds an apartment offer
}


def demo_community() -> Community:
    community = db.session.scalar(sa.select(Community).where(Community.name == DEMO_COMMUNITY))
    if community is None:
        community = ops.create_community(name=DEMO_COMMUNITY, address="上海市浦东新区张江路 100 号",
                                         timezone="Asia/Shanghai")
        for name, floors in (("1号楼", 18), ("2号楼", 18), ("3号楼", 12)):
            ops.add_building(community, name=name, floors=floors)
    return community


def demo_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


@demo_loader(10, "accounts")
def load_accounts(echo):
    community = demo_community()
    for email, name, roles in DEMO_USERS:
        user = demo_user(email)
        if user is None:
            user = ops.register_user(login=email, password=DEMO_PASSWORD, display_name=name)
            if any(role == RESIDENT for role, _ in roles):
                user.community = community
            for role, scoped in roles:
                ops.grant_role(user, role, community if scoped else None)
            echo(f"  created {email}")
        if email.startswith("resident"):
            number = int(email[len("resident")])
            if number in DEMO_TIERS and user.talent and user.talent.tier is None:
                talent_type, tier, valid_until = DEMO_TIERS[number]
                ops.set_talent(user, talent_type=talent_type, tier=tier, valid_until=valid_until)
    db.session.flush()
    echo("Demo logins (password for all: %s):" % DEMO_PASSWORD)
    for email, _name, roles in DEMO_USERS:
        echo(f"  {email:<24} {', '.join(role for role, _ in roles)}")
