"""The tickets part of ``flask demo generate`` (core/bulk.py): in every community of the city, a
service desk (the 2026/2027 calendar, a policy, eight categories, three specialists covering them)
and ``--tickets`` requests over the last year with their replies and timeline, in every state,
answered and resolved at realistic business-hours delays, some late, some reopened, most rated.

Reference numbers run per community and year as filing gives them; the counters are left at the
last number, so filing after generation continues the sequence. Skipped while the ticket tables
do not exist."""
import random
from datetime import date, timedelta

import click
import sqlalchemy as sa

from community.accounts.generate import city_plan
from community.core.bulk import BulkContext, bulk_step
from community.tickets import business_hours as bh
from community.tickets.rules import reference

TICKET_TABLES = ("tickets", "ticket_replies", "ticket_events", "ticket_categories", "ticket_sla_policies",
                 "ticket_sla_targets", "ticket_calendars", "ticket_calendar_days", "ticket_specialist_coverage",
                 "ticket_counters")
OPTIONS = (
    click.Option(["--tickets"], default=200_000, show_default=True, type=click.IntRange(0, 5_000_000),
                 help="service requests in all, over the last year, spread over communities"),
    click.Option(["--specialists"], default=3, show_default=True, type=click.IntRange(1, 50),
                 help="specialists a community"),
)
CATEGORIES = ["报修", "政策咨询", "落户", "子女入学", "就医", "配偶就业", "快递驿站", "投诉建议"]
CATEGORY_WEIGHTS = [40, 15, 8, 8, 8, 4, 10, 7]
TARGETS = {"low": (480, 4800), "normal": (240, 1920), "high": (120, 960), "urgent": (30, 240)}
PRIORITY_WEIGHTS = {"low": 15, "normal": 60, "high": 20, "urgent": 5}
WEEKLY = {str(d): "09:00-12:00, 13:30-18:00" for d in range(5)}


@bulk_step(40, "tickets", tables=TICKET_TABLES, options=OPTIONS)
def generate_tickets(ctx: BulkContext):
    if not ctx.options.get("tickets"):
        return
    if not all(ctx.writer.has_table(t) for t in TICKET_TABLES):
        ctx.echo("Skipping tickets: the ticket tables do not exist yet (run `flask db upgrade`).")
        return
    TicketPlan(ctx).write()


class TicketPlan:
    def __init__(self, ctx):
        from community.tickets.demo import HOLIDAYS_2026, HOLIDAYS_2027

        self.ctx, self.city, self.at = ctx, city_plan(ctx), ctx.at
        self.rng = random.Random(self.city.rng.random())
        self.days = [(date.fromisoformat(d), kind, name) for d, kind, name in HOLIDAYS_2026 + HOLIDAYS_2027]
        self.calendar = bh.calendar_from("Asia/Shanghai", WEEKLY, [(d, k) for d, k, _n in self.days])
        self.communities = list(range(1, self.city.n_communities + 1))
        conn = ctx.writer.conn
        self.password_hash = conn.execute(sa.text("SELECT password_hash FROM users ORDER BY id LIMIT 1")).scalar()
        self.next_user = conn.execute(sa.text("SELECT COALESCE(max(id), 0) + 1 FROM users")).scalar()
        self.next_grant = conn.execute(sa.text("SELECT COALESCE(max(id), 0) + 1 FROM role_grants")).scalar()

    def write(self):
        ctx, at = self.ctx, self.at
        specialists = {c: [self.next_user + (c - 1) * self.spc + i for i in range(self.spc)] for c in self.communities}
        users, grants = [], []
        for community, ids in specialists.items():
            for n, ident in enumerate(ids, start=1):
                users.append((ident, f"sp{community:02d}{n}@city.test", self.password_hash, f"人才服务专员{community:02d}-{n}",
                              None, community, True, None, at, at))
                grants.append((self.next_grant + len(grants), ident, "specialist", community, at))
        ctx.write("users", ("id", "email", "password_hash", "display_name", "locale", "community_id", "active",
                            "last_login_at", "created_at", "updated_at"), users)
        ctx.write("role_grants", ("id", "user_id", "role", "community_id", "granted_at"), grants)
        ctx.write("ticket_calendars", ("id", "community_id", "weekly_hours", "makeup_hours", "created_at", "updated_at"),
                  [(c, c, WEEKLY, "", at, at) for c in self.communities])
        ctx.write("ticket_calendar_days", ("id", "calendar_id", "day", "kind", "name"),
                  [(i, c, d, k, n) for i, (c, (d, k, n)) in enumerate(
                      ((c, day) for c in self.communities for day in self.days), start=1)])
        ctx.write("ticket_sla_policies", ("id", "community_id", "name", "created_at", "updated_at"),
                  [(c, c, "标准服务时限", at, at) for c in self.communities])
        ctx.write("ticket_sla_targets", ("id", "policy_id", "priority", "first_response_minutes", "resolution_minutes"),
                  [(i, c, p, f, r) for i, (c, (p, (f, r))) in enumerate(
                      ((c, item) for c in self.communities for item in TARGETS.items()), start=1)])
        categories = {}
        rows = []
        for c in self.communities:
            for position, name in enumerate(CATEGORIES):
                ident = len(rows) + 1
                categories.setdefault(c, []).append(ident)
                rows.append((ident, c, name, "", c, "normal", position, True, at, at))
        ctx.write("ticket_categories", ("id", "community_id", "name", "description", "sla_policy_id",
                                        "default_priority", "position", "active", "created_at", "updated_at"), rows)
        coverage = []
        self.covering = {}
        for c in self.communities:
            for index, category in enumerate(categories[c]):
                chosen = [specialists[c][index % self.spc], specialists[c][(index + 1) % self.spc]]
                self.covering[category] = sorted(set(chosen))
                coverage.extend((len(coverage) + 1, user, category, None) for user in sorted(set(chosen)))
        ctx.write("ticket_specialist_coverage", ("id", "user_id", "category_id", "last_assigned_at"), coverage)
        self.categories = categories
        tickets, replies, events = self._tickets()
        ctx.write("tickets", TICKET_COLUMNS, tickets)
        ctx.write("ticket_replies", ("id", "ticket_id", "author_id", "body", "internal", "created_at"), replies)
        ctx.write("ticket_events", ("id", "ticket_id", "actor_id", "kind", "from_status", "to_status", "assignee_id",
                                    "reason", "public", "created_at"), events)
        for (community, year), last in self.counters.items():
            ctx.writer.conn.execute(sa.text("INSERT INTO ticket_counters (community_id, year, last) VALUES (:c, :y, :l)"),
                                    {"c": community, "y": year, "l": last})

    @property
    def spc(self):
        return self.ctx.options.get("specialists") or 3

    def _tickets(self):
        rng, cal, at = self.rng, self.calendar, self.at
        total = self.ctx.options["tickets"]
        start = at - timedelta(days=365)
        span = (at - start).total_seconds()
        # Filing instants, daytime-heavy, sorted so numbers follow filing order.
        instants = []
        for _ in range(total):
            moment = start + timedelta(seconds=rng.random() * span)
            local = moment.astimezone(cal.tz)
            if local.hour < 7 and rng.random() < 0.8:
                moment += timedelta(hours=9)
            instants.append((rng.choice(self.communities), min(moment, at - timedelta(minutes=5))))
        instants.sort(key=lambda item: item[1])
        self.counters = {}
        tickets, replies, events = [], [], []
        for ident, (community, created) in enumerate(instants, start=1):
            year = created.astimezone(cal.tz).year
            number = self.counters[(community, year)] = self.counters.get((community, year), 0) + 1
            category = rng.choices(self.categories[community], CATEGORY_WEIGHTS)[0]
            priority = rng.choices(list(PRIORITY_WEIGHTS), list(PRIORITY_WEIGHTS.values()))[0]
            first_target, resolution_target = TARGETS[priority]
            first, count = self.city.residents_of(community)
            resident = first + rng.randrange(count)
            assignee = rng.choice(self.covering[category])
            age = at - created
            fr_due = bh.add_business_minutes(cal, created, first_target)
            row = dict(id=ident, community_id=community, reference=reference(year, number), year=year, number=number,
                       resident_id=resident, category_id=category, title=f"{CATEGORIES[(category - 1) % 8]}诉求 {number}",
                       description="住户反映的问题描述。", priority=priority, assignee_id=assignee,
                       first_response_target=first_target, resolution_target=resolution_target,
                       first_response_due_at=fr_due, created_at=created)
            # First response: usually within target, sometimes late; recent ones may still wait.
            fr_minutes = int(rng.expovariate(1 / (first_target * 0.45))) + 1
            fr_at = bh.add_business_minutes(cal, created, fr_minutes)
            paused = int(rng.expovariate(1 / 240)) if rng.random() < 0.25 else 0
            res_minutes = fr_minutes + int(rng.expovariate(1 / (resolution_target * 0.5))) + 5
            resolved_at = bh.add_business_minutes(cal, created, res_minutes + paused)
            resolution_due = bh.add_business_minutes(cal, created, resolution_target + paused)
            status, reply_count = "closed", 2
            row.update(first_response_at=None, first_response_minutes=None, resolved_at=None, resolution_minutes=None,
                       closed_at=None, paused_minutes=paused, paused_at=None, reopen_count=0, rating=None,
                       rated_at=None, resolution_due_at=resolution_due, first_response_breached_at=None,
                       resolution_breached_at=None, escalated_at=None)
            if fr_at > at:
                status, reply_count = "assigned", 0
                row["paused_minutes"] = 0
                row["resolution_due_at"] = bh.add_business_minutes(cal, created, resolution_target)
            else:
                row.update(first_response_at=fr_at, first_response_minutes=fr_minutes)
                if resolved_at > at:
                    status = "waiting" if paused and rng.random() < 0.5 else "in_progress"
                    if status == "waiting":
                        row["paused_at"] = fr_at
                        row["paused_minutes"] = 0
                else:
                    row.update(resolved_at=resolved_at, resolution_minutes=res_minutes)
                    if rng.random() < 0.04:
                        row["reopen_count"] = 1
                        reply_count += 2
                    if at - resolved_at > timedelta(days=7) or rng.random() < 0.5:
                        status = "closed"
                        row["closed_at"] = min(at, resolved_at + timedelta(days=rng.choice([1, 2, 7])))
                        if rng.random() < 0.65:
                            row["rating"] = rng.choices([1, 2, 3, 4, 5], [3, 4, 10, 33, 50])[0]
                            row["rated_at"] = row["closed_at"]
                    else:
                        status = "resolved"
                        row["paused_at"] = resolved_at
            if row["first_response_at"] is None and fr_due < at:
                row["first_response_breached_at"] = fr_due + timedelta(minutes=5)
                row["escalated_at"] = row["first_response_breached_at"]
            if status in ("assigned", "in_progress") and row["resolution_due_at"] < at:
                row["resolution_breached_at"] = row["resolution_due_at"] + timedelta(minutes=5)
                row["escalated_at"] = row["escalated_at"] or row["resolution_breached_at"]
            if row["resolved_at"] and row["resolved_at"] > row["resolution_due_at"]:
                row["resolution_breached_at"] = row["resolution_due_at"] + timedelta(minutes=5)
            row["status"], row["updated_at"] = status, min(at, row["closed_at"] or row["resolved_at"] or fr_at or created)
            tickets.append(tuple(row.get(c, DEFAULTS.get(c)) for c in TICKET_COLUMNS))
            events.append((len(events) + 1, ident, resident, "status", None, "new", None, "", True, created))
            events.append((len(events) + 1, ident, None, "assigned", None, None, assignee, "", False, created))
            if status != "assigned":
                events.append((len(events) + 1, ident, assignee, "status", "assigned", status, None, "", True,
                               row["updated_at"]))
            moment = fr_at
            for n in range(reply_count):
                staff = n % 2 == 0
                replies.append((len(replies) + 1, ident, assignee if staff else resident,
                                "您好，已收到，正在处理。" if staff else "好的，谢谢。", False, moment))
                moment = moment + timedelta(minutes=rng.randint(10, 600))
            if reply_count and rng.random() < 0.2:
                replies.append((len(replies) + 1, ident, assignee, "内部备注：已联系物业。", True, fr_at))
        return tickets, replies, events


TICKET_COLUMNS = ("id", "community_id", "reference", "year", "number", "resident_id", "category_id", "title",
                  "description", "location_kind", "building_id", "location_detail", "contact_time", "priority",
                  "status", "assignee_id", "first_response_target", "resolution_target", "first_response_due_at",
                  "resolution_due_at", "first_response_at", "first_response_minutes", "paused_at", "paused_minutes",
                  "resolved_at", "resolution_minutes", "closed_at", "reopen_count", "first_response_breached_at",
                  "resolution_breached_at", "escalated_at", "rating", "rating_comment", "rated_at", "created_at",
                  "updated_at")
DEFAULTS = {"location_kind": "public", "building_id": None, "location_detail": "", "contact_time": "",
            "rating_comment": ""}
