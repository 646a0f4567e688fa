"""Demo talent data: the types with criteria, reviewer@demo.test, residents 1–3's verified tiers
as registry entries with certificate numbers, one application at each stage and one talent under
public notice. Idempotent: a person who already has an application gets no new one."""
import sqlalchemy as sa

from community.accounts import operations as accounts_ops
from community.accounts.demo import demo_community, demo_user
from community.core.demo import DEMO_PASSWORD, demo_loader
from community.core.permissions import TALENT_REVIEWER
from community.extensions import db
from community.talent import operations as ops
from community.talent.models import TalentApplication

REVIEWER = "reviewer@demo.test"
# (resident, type, tier, how far it gets): one application at each stage. Residents 1-3 hold
# verified tiers and apply for another (a higher tier, another type); 4's tier lapsed.
DEMO_APPLICANTS = [
    ("resident1@demo.test", "high_level", "senior", "draft"),
    ("resident4@demo.test", "social_service", "intermediate", "recommend"),
    ("resident2@demo.test", "business", "senior", "department"),
    ("resident5@demo.test", "skill_leading", "junior", "returned"),
    ("resident3@demo.test", "skill_service", "intermediate", "notice"),
]


@demo_loader(40, "talent")
def load_talent(echo):
    ops.ensure_default_types()
    community = demo_community()
    ops.ensure_stages(community.id)
    reviewer = demo_user(REVIEWER)
    if reviewer is None:
        reviewer = accounts_ops.register_user(login=REVIEWER, password=DEMO_PASSWORD, display_name="人才评审员")
        accounts_ops.grant_role(reviewer, TALENT_REVIEWER)
        echo(f"  created {REVIEWER} (talent_reviewer)")
    entered = ops.carry_over_profiles()
    if entered:
        echo(f"  {entered} verified tiers entered in the talent registry")
    admin = demo_user("admin@demo.test")
    for email, talent_type, tier, reach in DEMO_APPLICANTS:
        user = demo_user(email)
        if user is None or db.session.scalar(sa.select(sa.func.count(TalentApplication.id)).where(
                TalentApplication.user_id == user.id)):
            continue
        application = ops.create_application(
            user, submit=reach != "draft", talent_type=talent_type, claimed_tier=tier, employer="张江科技有限公司",
            position_title="工程师", years_in_field=5, statement="本人从事相关工作多年，符合该层级评价标准，附证书和合同。")
        if reach in ("department", "returned", "notice"):
            ops.decide(application, actor=admin, decision="approve", message="社区推荐。")
        if reach == "returned":
            ops.decide(application, actor=reviewer, decision="return", message="请补充近一年的劳动合同。")
        if reach == "notice":
            ops.decide(application, actor=reviewer, decision="approve", message="评审通过。")
    db.session.flush()
    echo(f"  {REVIEWER:<24} talent_reviewer")
