"""Pure rules of the talent domain: no session, no request. The easiest code to test."""
from datetime import date, timedelta

from community.talent.models import TIER_RANK, TIERS

NOTICE_WORKING_DAYS = 5
TERM_DAYS = 365          # a registry entry is valid for a year by default
REREVIEW_LEAD_DAYS = 30  # the re-review opens this many days before valid-until


def is_working_day(day: date) -> bool:
    """Monday to Friday. The platform has no holiday calendar yet: this is the one place to plug
    one in (a community's calendar of public holidays and make-up working days, 调休) when the
    tickets domain's business calendars land; add_working_days and everything after it follow."""
    return day.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself not counted)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def notice_until(published_on: date, working_days: int = NOTICE_WORKING_DAYS) -> date:
    """The last day of a public notice published on ``published_on`` (local date): it runs for
    ``working_days`` full working days after the day of publication."""
    return add_working_days(published_on, working_days)


def notice_is_over(until: date, today: date) -> bool:
    return today > until


def term_end(valid_from: date, days: int = TERM_DAYS) -> date:
    """Valid-until of a term that starts on ``valid_from`` (one year: the same day a year on, less one)."""
    try:
        return valid_from.replace(year=valid_from.year + 1) - timedelta(days=1)
    except ValueError:  # 29 February
        return valid_from + timedelta(days=days - 1)


def rereview_opens_on(valid_until: date) -> date:
    return valid_until - timedelta(days=REREVIEW_LEAD_DAYS)


def lapses_on(valid_until: date) -> date:
    """A tier lapses on the day after its valid-until, in the community's zone."""
    return valid_until + timedelta(days=1)


def may_lower_to(claimed: str, tier: str) -> bool:
    """A reviewer may keep or lower the claimed tier, never raise it."""
    return tier in TIERS and TIER_RANK[tier] <= TIER_RANK[claimed]


def mask_name(name: str) -> str:
    """张*明: the first and last character kept, everything between starred; two characters keep
    the first (张*); one stays as it is hidden (*). Works for Latin names too (J**n)."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def certificate_number(year: int, entry_id: int) -> str:
    """备案 number: RC, the year of entry and the entry's id (unique because the id is)."""
    return f"RC{year}{entry_id:06d}"


def talent_status(profile, entry, has_open_application: bool, today: date) -> str:
    """What GET /api/v1/talent says: verified (a current tier), expired, revoked, pending (an open
    application or re-review and no current tier), unverified."""
    if profile is not None and profile.is_current(today):
        return "verified"
    if entry is not None and entry.status == "revoked" and (profile is None or profile.tier is None):
        return "revoked"
    if has_open_application:
        return "pending"
    if profile is not None and profile.has_expired(today):
        return "expired"
    if entry is not None and entry.status == "expired":
        return "expired"
    return "unverified"


# The defaults: the type codes of accounts.models.TALENT_TYPES, with criteria applicants read.
DEFAULT_TYPES = [
    ("production", "生产型人才", "Production talent",
     "从事种植、养殖、加工等生产一线工作满 2 年，有稳定产出。",
     "从事生产一线工作满 5 年，带动 3 户以上增收，或获县级表彰。",
     "从事生产一线工作满 8 年，带动 10 户以上增收，或获市级以上表彰。"),
    ("business", "经营型人才", "Business talent",
     "经营企业、合作社或个体工商户满 2 年，依法纳税。",
     "经营主体年营业额 200 万元以上，吸纳就业 5 人以上。",
     "经营主体年营业额 1000 万元以上，吸纳就业 20 人以上，或获市级以上品牌。"),
    ("skill_service", "技能服务型人才", "Skilled service talent",
     "持有初级（五级）以上职业技能等级证书。",
     "持有中级（四级）或高级（三级）职业技能等级证书，从业满 3 年。",
     "持有技师（二级）以上证书，或在市级以上技能竞赛获奖。"),
    ("skill_leading", "技能带动型人才", "Skill-leading talent",
     "传授技能，每年培训学员 10 人以上。",
     "创办工作室或培训基地，每年培训学员 30 人以上。",
     "获评市级以上技能大师工作室，或带动 100 人以上就业。"),
    ("social_service", "社会服务型人才", "Social service talent",
     "在社区、社会组织从事公共服务满 2 年。",
     "从事公共服务满 5 年，获县级以上表彰。",
     "从事公共服务满 8 年，获市级以上表彰，或主持重点公益项目。"),
    ("academic", "科技创新型人才", "Science and innovation talent",
     "本科以上学历，从事研发工作满 2 年。",
     "硕士以上学历或中级职称，主持或参与省级以上科研项目。",
     "博士学历或高级职称，取得发明专利或重大科技成果。"),
    ("high_level", "高层次人才", "High-level talent",
     "入选区级以上人才计划。",
     "入选市级以上人才计划。",
     "入选省级以上人才计划，或国家级重大人才工程。"),
]

# (kind, role, name_zh, name_en): 社区推荐 → 部门评审 → 公示; 入库 follows when the notice ends.
DEFAULT_STAGES = [
    ("review", "community_admin", "社区推荐", "Community recommendation"),
    ("review", "talent_reviewer", "部门评审", "Department review"),
    ("notice", None, "公示", "Public notice"),
]
