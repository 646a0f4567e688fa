"""Demo service desk: categories, two specialists, an SLA policy, the 2026/2027 holiday calendar
of mainland China (holidays and make-up working days), and tickets in every state, one of them
breached and escalated.

Idempotent: categories and policies are found by name, the second specialist by e-mail, and the
tickets are made only while the demo community has none."""
from datetime import date, timedelta

import sqlalchemy as sa

from community.accounts import operations as account_ops
from community.accounts.demo import demo_community, demo_user
from community.core import clock
from community.core.demo import DEMO_PASSWORD, demo_loader
from community.core.permissions import SPECIALIST
from community.extensions import db
from community.tickets import operations as ops
from community.tickets import queries
from community.tickets.models import SlaPolicy, Ticket

SECOND_SPECIALIST = ("specialist2@demo.test", "人才服务专员二")
POLICY = ("标准服务时限", {"low": (480, 4800), "normal": (240, 1920), "high": (120, 960), "urgent": (30, 240)})
CATEGORIES = [  # name, description, default priority, specialists (1: specialist@, 2: specialist2@)
    ("报修", "水电、门窗、家电等维修", "high", (1, 2)),
    ("政策咨询", "人才政策、补贴申领", "normal", (1,)),
    ("落户", "人才落户、集体户口", "normal", (2,)),
    ("子女入学", "学位、转学", "normal", (2,)),
    ("就医", "医保、就诊绿色通道", "normal", (1, 2)),
    ("配偶就业", "配偶就业推荐", "low", (2,)),
    ("快递驿站", "菜鸟驿站、包裹", "low", (1,)),
    ("投诉建议", "服务投诉与建议", "normal", (1, 2)),
]
# 2026 and 2027 public holidays and make-up working days (调休) of mainland China. The 2027 dates
# follow the usual pattern and are for the demo; an office enters the State Council's own list.
HOLIDAYS_2026 = [
    ("2026-01-01", "holiday", "元旦"), ("2026-01-02", "holiday", "元旦"), ("2026-01-03", "holiday", "元旦"),
    ("2026-01-04", "workday", "元旦调休"),
    *[(f"2026-02-{d:02d}", "holiday", "春节") for d in range(15, 24)],
    ("2026-02-14", "workday", "春节调休"), ("2026-02-28", "workday", "春节调休"),
    ("2026-04-04", "holiday", "清明节"), ("2026-04-05", "holiday", "清明节"), ("2026-04-06", "holiday", "清明节"),
    *[(f"2026-05-{d:02d}", "holiday", "劳动节") for d in range(1, 6)],
    ("2026-05-09", "workday", "劳动节调休"),
    ("2026-06-19", "holiday", "端午节"), ("2026-06-20", "holiday", "端午节"), ("2026-06-21", "holiday", "端午节"),
    ("2026-09-20", "workday", "国庆节调休"),
    ("2026-09-25", "holiday", "中秋节"), ("2026-09-26", "holiday", "中秋节"), ("2026-09-27", "holiday", "中秋节"),
    *[(f"2026-10-{d:02d}", "holiday", "国庆节") for d in range(1, 8)],
    ("2026-10-10", "workday", "国庆节调休"),
]
HOLIDAYS_2027 = [
    ("2027-01-01", "holiday", "元旦"), ("2027-01-02", "holiday", "元旦"), ("2027-01-03", "holiday", "元旦"),
    *[(f"2027-02-{d:02d}", "holiday", "春节") for d in range(5, 14)],
    ("2027-02-20", "workday", "春节调休"),
    ("2027-04-03", "holiday", "清明节"), ("2027-04-04", "holiday", "清明节"), ("2027-04-05", "holiday", "清明节"),
    *[(f"2027-05-{d:02d}", "holiday", "劳动节") for d in range(1, 6)],
    ("2027-04-25", "workday", "劳动节调休"),
    ("2027-06-09", "holiday", "端午节"), ("2027-06-10", "holiday", "端午节"), ("2027-06-11", "holiday", "端午节"),
    ("2027-09-15", "holiday", "中秋节"), ("2027-09-16", "holiday", "中秋节"), ("2027-09-17", "holiday", "中秋节"),
    *[(f"2027-10-{d:02d}", "holiday", "国庆节") for d in range(1, 8)],
    ("2027-09-26", "workday", "国庆节调休"), ("2027-10-09", "workday", "国庆节调休"),
]
WEEKLY = {d: "09:00-12:00, 13:30-18:00" for d in range(5)}


def _calendar_days():
    return [(date.fromisoformat(d), kind, name) for d, kind, name in HOLIDAYS_2026 + HOLIDAYS_2027]


@demo_loader(40, "tickets")
def load_tickets(echo):
    community = demo_community()
    admin = demo_user("admin@demo.test")
    first = demo_user("specialist@demo.test")
    second = demo_user(SECOND_SPECIALIST[0])
    if second is None:
        second = account_ops.register_user(login=SECOND_SPECIALIST[0], password=DEMO_PASSWORD,
                                           display_name=SECOND_SPECIALIST[1])
        account_ops.grant_role(second, SPECIALIST, community)
        echo(f"  created {SECOND_SPECIALIST[0]}")
    if queries.calendar_row(community.id) is None:
        ops.save_calendar(community.id, actor=admin, weekly_texts=WEEKLY, days=_calendar_days())
    policy = db.session.scalar(sa.select(SlaPolicy).where(SlaPolicy.community_id == community.id,
                                                          SlaPolicy.name == POLICY[0]))
    if policy is None:
        policy = ops.save_policy(community.id, actor=admin, name=POLICY[0], targets=POLICY[1])
    existing = {c.name: c for c in queries.categories_of(community.id, active_only=False)}
    covered = {first.id: set(), second.id: set()}
    for position, (name, description, priority, who) in enumerate(CATEGORIES):
        category = existing.get(name) or ops.save_category(
            community.id, actor=admin, name=name, description=description, sla_policy_id=policy.id,
            default_priority=priority, position=position)
        for n in who:
            covered[(first, second)[n - 1].id].add(category.id)
    for user in (first, second):
        current = queries.coverage_of(community.id).get(user.id, set())
        if not covered[user.id] <= current:
            ops.set_coverage(community.id, user, current | covered[user.id], actor=admin)
    if not queries.canned_replies_of(community.id):
        ops.save_canned_reply(community.id, actor=admin, title="已收到，正在处理",
                              body="您好，您的诉求已收到，我们正在处理，会尽快给您答复。")
        ops.save_canned_reply(community.id, actor=admin, title="请补充信息",
                              body="您好，为了更快处理，请补充具体位置和方便上门的时间，谢谢。")
    db.session.flush()
    if db.session.scalar(sa.select(sa.func.count(Ticket.id)).where(Ticket.community_id == community.id)):
        return
    _demo_tickets(community, admin, first, second, echo)


def _demo_tickets(community, admin, first, second, echo):
    """Tickets in every state, filed over the last weeks with the clock moved back and forth so
    times, dues and the breach look as they would have."""
    categories = {c.name: c for c in queries.categories_of(community.id)}
    # resident4 is left out: the amenities demo tells them about a cancelled booking, and its test
    # counts their notices.
    residents = [demo_user(f"resident{i}@demo.test") for i in (1, 2, 3, 5, 5)]
    buildings = queries.buildings_of(community.id)
    real_now = clock.now()
    frozen = clock._frozen

    def at(days_ago, hour):
        local = (real_now.astimezone(queries.calendar_for(community).tz) - timedelta(days=days_ago)).replace(
            hour=hour, minute=15, second=0, microsecond=0)
        return local

    def filed(who, category, title, description, days_ago, hour=10):
        when = at(days_ago, hour)
        clock.freeze(when)
        return ops.file_ticket(residents[who], categories[category], title=title, description=description,
                               location_kind="building", building_id=buildings[who % len(buildings)].id,
                               location_detail=f"{1001 + who * 101} 室", contact_time="工作日 18:00 以后",
                               at=when), when

    def later(when, hours):
        moment = when + timedelta(hours=hours)
        clock.freeze(moment)
        return moment

    try:
        t, when = filed(0, "报修", "厨房水龙头漏水", "厨房水龙头一直滴水，关不紧。", 20)
        moment = later(when, 2)
        ops.add_reply(t, t.assignee, "您好，维修师傅明天上午上门，请留人在家。", at=moment)
        ops.add_reply(t, t.assignee, "师傅已联系物业备件。", internal=True, at=moment)
        ops.change_status(t, t.assignee, "resolved", at=later(when, 26))
        ops.change_status(t, t.resident, "closed", at=later(when, 30))
        ops.rate(t, t.resident, 5, "师傅很专业，谢谢！", at=later(when, 31))

        t, when = filed(1, "政策咨询", "人才租房补贴怎么申请", "我是中级人才，想了解租房补贴的申请流程。", 12)
        ops.add_reply(t, t.assignee, "您好，请问您的人才认定是哪一年？", at=later(when, 1))
        ops.change_status(t, t.assignee, "waiting", at=later(when, 1))

        t, when = filed(2, "落户", "集体户口办理", "想办理人才集体户口，需要哪些材料？", 3)
        ops.add_reply(t, t.assignee, "需要身份证、劳动合同和人才认定证书，材料齐全后可预约窗口办理。", at=later(when, 3))
        ops.change_status(t, t.assignee, "resolved", at=later(when, 4))

        t, when = filed(4, "子女入学", "孩子转学咨询", "孩子九月要转到张江的小学，如何办理？", 8)
        ops.add_reply(t, t.assignee, "已为您联系教育局窗口，稍后回复。", at=later(when, 2))
        ops.change_status(t, t.assignee, "resolved", at=later(when, 20))
        ops.change_status(t, t.resident, "reopened", at=later(when, 40))

        t, when = filed(4, "快递驿站", "驿站包裹丢失", "驿站显示已签收，但我没有拿到包裹。", 5)
        ops.add_reply(t, t.assignee, "正在调取驿站监控。", at=later(when, 1))

        t, when = filed(0, "投诉建议", "夜间噪音", "楼上每晚 11 点后还在装修，影响休息。", 4, hour=9)
        filed(1, "就医", "医保绿色通道", "请问人才医疗绿色通道在哪家医院可以用？", 3)
        # Breached: filed days ago and never answered; the job marks it and tells the admin.
        filed(2, "配偶就业", "配偶求职推荐", "配偶是会计，希望推荐园区内的工作。", 6, hour=9)
        clock.freeze(real_now)
        ops.mark_breaches(real_now)
        # Unassigned: the only specialist of a category on leave; it waits in the community queue.
        ops.add_leave(community.id, second, starts_on=real_now.date(), ends_on=real_now.date() + timedelta(days=3),
                      note="年假", actor=admin)
        moment = real_now - timedelta(minutes=5)
        ops.file_ticket(residents[4], categories["落户"], title="户口迁移证明", description="需要开具户口迁移证明。",
                        at=moment)
    finally:
        clock.freeze(frozen)
    echo("  demo tickets: every state, one breached and escalated, one waiting in the community queue")
