"""``flask demo generate``: a large, realistic, deterministic data set for benchmarks.

Writes with PostgreSQL COPY (psycopg 3 ``cursor.copy``) and, on SQLite (small sizes, tests), with
executemany in chunks; never one ORM object at a time. Ids are assigned here (1..n), so the target
must be empty: the command refuses otherwise, and ``--force`` first empties every data table of
the database (TRUNCATE ... RESTART IDENTITY CASCADE). It refuses under the Production config.

What it writes (``--seed`` makes every row the same on every run, except the API tokens, which
are random because they are credentials):
  communities (+ buildings), one community_admin a community (adminNN@city.test), residents
  r00001@city.test... spread evenly over communities, each with a resident role grant and a talent
  profile; every account shares ONE password hash of the --password (hashing is slow by design);
  pre-issued API tokens for the first residents of each community, their sha256 in api_tokens and
  the clear tokens in a JSON file for the load generator (bench/README.md).
  When the amenity tables exist (docs/amenities.md): resources of every kind with their opening
  hours, capacities, slot lengths, windows and quotas, and bookings over ``--weeks`` past and
  ``--future-weeks`` future weeks, with cancellations (some late), no-shows, check-ins, approvals.
  No audit entries: they record what people did, and nobody did this.
"""
import hashlib
import json
import math
import os
import random
import secrets
import time
from datetime import date, timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from community.core.clock import now

DISTRICTS = ["张江", "临港", "虹桥", "漕河泾", "金桥", "外高桥", "徐汇滨江", "杨浦", "闵行", "嘉定",
             "松江", "青浦", "宝山", "奉贤", "前滩", "北外滩"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝丽阳"
EMPLOYERS = ["张江药谷生物", "临港智造", "集成电路设计院", "人工智能实验室", "软件园科技", "新能源汽车研究院",
             "市第六人民医院", "复旦大学", "同济大学", "金融科技中心", "航运服务集团", "社区卫生服务中心"]
TALENT_TYPES = ["production", "business", "skill_service", "skill_leading", "social_service", "academic",
                "high_level"]
TIERS = [("junior", 45), ("intermediate", 33), ("senior", 12), (None, 10)]
HOLDING = ("pending_approval", "pending_payment", "confirmed", "checked_in")
ACCOUNT_TABLES = ("communities", "buildings", "users", "role_grants", "talent_profiles", "api_tokens")
AMENITY_TABLES = ("amenity_resources", "amenity_bookings")

# Kind profiles: share of the resources, capacity range, slot length, opening hours (every day),
# booking window, quotas, and relative daily demand (scaled so the total meets the target).
KINDS = {
    "meeting_room": dict(share=8, capacity=(1, 1), slot=30, hours=[["08:00", "22:00"]], window=14,
                         demand=6, max_attendees=(6, 20), quota=dict(max_minutes_per_day=180)),
    "gym": dict(share=2, capacity=(20, 40), slot=60, hours=[["06:00", "23:00"]], window=7,
                demand=60, quota=dict(max_bookings_per_day=2)),
    "laundry": dict(share=12, capacity=(1, 1), slot=60, hours=[["07:00", "23:00"]], window=7,
                    demand=9, quota=dict(max_bookings_per_day=2, max_bookings_per_week=6)),
    "coffee_bar": dict(share=3, capacity=(8, 16), slot=60, hours=[["09:00", "21:00"]], window=7,
                       demand=20, quota=dict(max_minutes_per_day=240)),
    "canteen": dict(share=8, capacity=(1, 1), slot=30, hours=[["11:00", "13:30"], ["17:00", "19:30"]],
                    window=3, demand=8, quota=dict(max_bookings_per_day=2)),
    "activity_room": dict(share=4, capacity=(1, 1), slot=60, hours=[["09:00", "22:00"]], window=28,
                          demand=3, approval=0.5, fee=(0, 2000), quota=dict(max_bookings_per_week=3)),
    "other": dict(share=3, capacity=(1, 1), slot=120, hours=[["10:00", "24:00"]], window=28,
                  demand=2, fee=(5000, 10000), quota=dict(max_bookings_per_week=2)),
}
KIND_NAMES = {"meeting_room": "会议室", "gym": "健身房", "laundry": "洗衣机", "coffee_bar": "咖啡书吧",
              "canteen": "食堂餐桌", "activity_room": "活动室", "other": "KTV 包间"}


class Refused(click.ClickException):
    pass


@click.command("generate")
@click.option("--communities", default=10, show_default=True, type=click.IntRange(1, 500))
@click.option("--residents", default=20000, show_default=True, type=click.IntRange(1, 10_000_000))
@click.option("--resources", default=400, show_default=True, type=click.IntRange(0, 100_000),
              help="amenity resources in all, spread over communities and every kind")
@click.option("--weeks", default=52, show_default=True, type=click.IntRange(0, 520),
              help="weeks of past bookings")
@click.option("--future-weeks", default=4, show_default=True, type=click.IntRange(0, 52))
@click.option("--bookings-per-resource-week", "density", default=47.0, show_default=True, type=float,
              help="mean bookings a resource a past week (the default city gives about 1,000,000)")
@click.option("--tokens", default=2500, show_default=True, type=click.IntRange(0, 10_000_000),
              help="API tokens to pre-issue, spread evenly over communities")
@click.option("--tokens-file", default=None, help="where the clear tokens go "
              "(default: instance/bench-tokens.json)")
@click.option("--password", default="bench12345", show_default=True)
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--force", is_flag=True, help="empty every data table of the database first")
@with_appcontext
def generate_command(**options):
    """Generate a large data set (the benchmark "city") with bulk inserts."""
    if not current_app.config.get("DEMO_ALLOWED"):
        raise Refused("Refusing to generate data under the Production config.")
    summary = generate(**options, echo=click.echo)
    click.echo("Done: " + ", ".join(f"{table} {rows:,} ({secs:.1f} s)" for table, rows, secs in summary))


def generate(*, communities, residents, resources, weeks, future_weeks, density, tokens, tokens_file,
             password, seed, force, echo=print):
    from community.extensions import db

    started = now()
    plan = CityPlan(communities, residents, seed)
    with db.engine.begin() as conn:
        writer = BulkWriter(conn, db.metadata)
        prepare_target(conn, writer, force)
        timings = [writer.write("communities", *plan.communities(started), echo=echo),
                   writer.write("buildings", *plan.buildings(), echo=echo),
                   writer.write("users", *plan.users(_one_hash(password), started), echo=echo),
                   writer.write("role_grants", *plan.role_grants(started), echo=echo),
                   writer.write("talent_profiles", *plan.talent_profiles(started), echo=echo)]
        issued = plan.tokens(tokens, started)
        timings.append(writer.write("api_tokens", *issued.rows(), echo=echo))
        if resources and all(writer.has_table(t) for t in AMENITY_TABLES):
            amenities = AmenityPlan(plan, resources, weeks, future_weeks, density, started)
            timings.append(writer.write("amenity_resources", *amenities.resources(), echo=echo))
            timings.append(writer.write("amenity_bookings", *amenities.bookings(),
                                        length=amenities.expected_bookings(), echo=echo))
        elif resources:
            echo("Skipping amenities: the amenity tables do not exist yet (run `flask db upgrade` "
                 "once the amenities migration is there).")
        writer.finish()
    path = issued.save(tokens_file or default_tokens_file(), db.engine.url)
    echo(f"{len(issued.tokens):,} clear API tokens written to {path}")
    return timings


def default_tokens_file():
    return os.path.join(current_app.instance_path, "bench-tokens.json")


def _one_hash(password):
    from community.accounts.operations import hash_password

    return hash_password(password)


def prepare_target(conn, writer, force):
    tables = [t for t in ACCOUNT_TABLES + AMENITY_TABLES if writer.has_table(t)]
    busy = [t for t in tables if conn.execute(sa.text(f"SELECT 1 FROM {t} LIMIT 1")).first()]
    if busy and not force:
        raise Refused(f"The database already has data ({', '.join(busy)}); generated rows take ids "
                      f"from 1. Use --force to empty every data table first.")
    if force:
        writer.empty_everything()


# -- accounts ------------------------------------------------------------------------------------

class CityPlan:
    """Communities, buildings, admins and residents, with ids assigned in order."""

    def __init__(self, communities, residents, seed):
        self.rng = random.Random(seed)
        self.n_communities = communities
        self.n_residents = residents
        self.width = max(5, len(str(residents)))
        self.admin_ids = list(range(1, communities + 1))  # admins first: ids 1..C
        self.inactive_ids = set()  # filled by users(); tokens() skips them (they would answer 401)
        first = communities + 1
        self.resident_ranges = []  # (first id, count) a community, contiguous
        per, extra = divmod(residents, communities)
        for index in range(communities):
            count = per + (1 if index < extra else 0)
            self.resident_ranges.append((first, count))
            first += count

    def communities(self, at):
        rows = []
        for index in range(self.n_communities):
            district = DISTRICTS[index % len(DISTRICTS)]
            suffix = f" {index // len(DISTRICTS) + 1}" if index >= len(DISTRICTS) else ""
            rows.append((index + 1, f"{district}青年人才社区{suffix}", f"上海市{district}路 {100 + index} 号",
                         "Asia/Shanghai", "zh_CN", at, at))
        return ("id", "name", "address", "timezone", "default_locale", "created_at", "updated_at"), rows

    def buildings(self):
        rows, ident = [], 0
        for community in range(1, self.n_communities + 1):
            for number in range(1, self.rng.randint(4, 8) + 1):
                ident += 1
                rows.append((ident, community, f"{number}号楼", self.rng.randint(6, 30)))
        return ("id", "community_id", "name", "floors"), rows

    def users(self, password_hash, at):
        columns = ("id", "email", "password_hash", "display_name", "locale", "community_id", "active",
                   "last_login_at", "created_at", "updated_at")
        rows = [(ident, f"admin{ident:02d}@city.test", password_hash, f"社区管理员{ident:02d}", None,
                 ident, True, None, at, at) for ident in self.admin_ids]
        number = 0
        for community, (first, count) in enumerate(self.resident_ranges, start=1):
            for ident in range(first, first + count):
                number += 1
                created = at - timedelta(days=self.rng.randint(30, 900))
                locale = "en" if self.rng.random() < 0.05 else None
                active = self.rng.random() > 0.01
                if not active:
                    self.inactive_ids.add(ident)
                rows.append((ident, f"r{number:0{self.width}d}@city.test", password_hash, self._name(),
                             locale, community, active,
                             at - timedelta(hours=self.rng.randint(1, 2000)), created, created))
        return columns, rows

    def _name(self):
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.randint(1, 2)))

    def role_grants(self, at):
        rows = [(ident, ident, "community_admin", ident, at) for ident in self.admin_ids]
        for community, (first, count) in enumerate(self.resident_ranges, start=1):
            rows.extend((len(rows) + 1, ident, "resident", community, at) for ident in range(first, first + count))
        return ("id", "user_id", "role", "community_id", "granted_at"), rows

    def talent_profiles(self, at):
        tiers, weights = zip(*TIERS)
        rows = []
        for index, ident in enumerate(self.resident_ids(), start=1):
            tier = self.rng.choices(tiers, weights)[0]
            rows.append((index, ident, self.rng.choice(TALENT_TYPES) if tier else None, tier,
                         date(at.year + 1, 12, 31) if tier else None, at if tier else None,
                         self.rng.choice(EMPLOYERS), at, at))
        return ("id", "user_id", "talent_type", "tier", "valid_until", "verified_at", "employer",
                "created_at", "updated_at"), rows

    def resident_ids(self):
        for first, count in self.resident_ranges:
            yield from range(first, first + count)

    def residents_of(self, community):
        return self.resident_ranges[community - 1]

    def tokens(self, wanted, at):
        """The first active residents of each community, round robin, get a token each (call after
        users(): a deactivated account's token would answer 401 and read as a failure under load)."""
        chosen = []
        depth = 0
        while len(chosen) < wanted and depth < max(count for _, count in self.resident_ranges):
            for community, (first, count) in enumerate(self.resident_ranges, start=1):
                if depth < count and len(chosen) < wanted and first + depth not in self.inactive_ids:
                    chosen.append((first + depth, community))
            depth += 1
        return IssuedTokens(chosen, at, self.width, self.resident_ranges)


class IssuedTokens:
    def __init__(self, chosen, at, width, ranges):
        self.at = at
        self.tokens = []
        for user_id, community in chosen:
            number = user_id - ranges[0][0] + 1  # residents are numbered from the first range
            self.tokens.append({"user_id": user_id, "community_id": community,
                                "email": f"r{number:0{width}d}@city.test",
                                "token": "tc_" + secrets.token_urlsafe(32)})

    def rows(self):
        expires = self.at + timedelta(days=365)
        rows = [(index, t["user_id"], hashlib.sha256(t["token"].encode()).hexdigest(), "bench",
                 self.at, expires) for index, t in enumerate(self.tokens, start=1)]
        return ("id", "user_id", "token_hash", "name", "created_at", "expires_at"), rows

    def save(self, path, url):
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        data = {"database": url.set(password=None).render_as_string(hide_password=False),
                "created_at": self.at.isoformat(), "tokens": self.tokens}
        with open(path, "w") as handle:
            json.dump(data, handle, indent=1)
        return path


# -- amenities (written against docs/amenities.md; runs once the amenity tables exist) -------------

class AmenityPlan:
    """Resources of every kind in every community, and their bookings day by day."""

    def __init__(self, city, n_resources, weeks, future_weeks, density, at):
        from community.core.clock import zone

        self.city = city
        self.rng = random.Random(city.rng.random())
        self.tz = zone("Asia/Shanghai")
        self.at = at
        self.today = at.astimezone(self.tz).date()
        self.first_day = self.today - timedelta(weeks=weeks)
        self.last_day = self.today + timedelta(weeks=future_weeks)  # exclusive
        self.density = density
        self.weeks = weeks
        self.resources_list = self._plan_resources(n_resources)
        self.scale = self._demand_scale()
        self._slot_cache = {}

    def _plan_resources(self, n_resources):
        kinds = list(KINDS)
        shares = [KINDS[k]["share"] for k in kinds]
        planned = []
        for index in range(n_resources):
            community = index % self.city.n_communities + 1
            # Deal kinds round robin by share, so every community gets every kind once it has 7+.
            kind = kinds[index // self.city.n_communities % len(kinds)] if index < 7 * self.city.n_communities \
                else self.rng.choices(kinds, shares)[0]
            planned.append(self._resource(index + 1, community, kind))
        return planned

    def _resource(self, ident, community, kind):
        profile = KINDS[kind]
        rng = self.rng
        fee = rng.randint(*profile["fee"]) // 100 * 100 if "fee" in profile else 0
        return dict(
            id=ident, community_id=community, kind=kind,
            name=f"{KIND_NAMES[kind]} {ident:03d}", location=f"{rng.randint(1, 6)}号楼 {rng.randint(1, 3)} 层",
            description="", capacity=rng.randint(*profile["capacity"]), slot_minutes=profile["slot"],
            opening_hours={str(day): profile["hours"] for day in range(7)},
            booking_window_days=profile["window"], min_notice_minutes=0,
            max_bookings_per_day=profile["quota"].get("max_bookings_per_day"),
            max_bookings_per_week=profile["quota"].get("max_bookings_per_week"),
            max_minutes_per_day=profile["quota"].get("max_minutes_per_day"),
            max_minutes_per_week=None, cancel_cutoff_minutes=60 if kind != "gym" else 30,
            requires_approval=rng.random() < profile.get("approval", 0), fee_fen=fee, currency="CNY",
            checkin_grace_minutes=15, max_attendees=rng.randint(*profile["max_attendees"])
            if "max_attendees" in profile else None, visible_tiers=[], status="active", lock_version=0,
            demand=profile["demand"])

    def _demand_scale(self):
        """Scale kind demand so a past week holds ``density`` bookings a resource on average."""
        if not self.resources_list:
            return 0.0
        daily = sum(r["demand"] for r in self.resources_list) / len(self.resources_list)
        return self.density / 7.0 / daily

    def expected_bookings(self):
        past = len(self.resources_list) * self.weeks * self.density
        future = len(self.resources_list) * (self.last_day - self.today).days * self.density / 7 * 0.3
        return int(past + future)

    def resources(self):
        columns = ("id", "community_id", "kind", "name", "location", "description", "capacity",
                   "slot_minutes", "opening_hours", "booking_window_days", "min_notice_minutes",
                   "max_bookings_per_day", "max_bookings_per_week", "max_minutes_per_day",
                   "max_minutes_per_week", "cancel_cutoff_minutes", "requires_approval", "fee_fen",
                   "currency", "checkin_grace_minutes", "max_attendees", "visible_tiers", "status",
                   "lock_version", "created_at", "updated_at")
        created = self.at - timedelta(weeks=self.weeks + 4)
        rows = [tuple(r[c] for c in columns[:-2]) + (created, created) for r in self.resources_list]
        return columns, rows

    BOOKING_COLUMNS = ("id", "resource_id", "user_id", "community_id", "start_at", "end_at", "status",
                       "attendees", "qr_token", "fee_fen", "currency", "late_cancel", "cancelled_at",
                       "checked_in_at", "paid_at", "decided_by_id", "decision_reason", "created_at",
                       "updated_at")

    def bookings(self):
        return self.BOOKING_COLUMNS, self._booking_rows()

    def _booking_rows(self):
        ident = 0
        day = self.first_day
        while day < self.last_day:
            for resource in self.resources_list:
                for start, end in self._day_bookings(resource, day):
                    ident += 1
                    yield self._booking_row(ident, resource, start, end, day)
            day += timedelta(days=1)

    def _day_bookings(self, resource, day):
        ahead = (day - self.today).days
        if ahead >= resource["booking_window_days"]:
            return []
        weekend = 1.3 if day.weekday() >= 5 else 1.0
        fill = 1.0 if ahead < 0 else max(0.0, 1.0 - ahead / resource["booking_window_days"]) * 0.6
        wanted = _poisson(self.rng, resource["demand"] * self.scale * weekend * fill)
        slots, weights = self._slots(resource, day)
        if not slots or not wanted:
            return []
        taken = {}
        chosen = []
        for index in self.rng.choices(range(len(slots)), weights, k=wanted):
            if taken.get(index, 0) < resource["capacity"]:
                taken[index] = taken.get(index, 0) + 1
                chosen.append(slots[index])
        return chosen

    def _slots(self, resource, day):
        key = (resource["kind"], resource["slot_minutes"], day)
        if key not in self._slot_cache:
            from community.amenities.schedule import OpeningHours, slots_for_day

            hours = OpeningHours.from_dict(resource["opening_hours"])
            slots = [(s.start, s.end) for s in slots_for_day(day, hours, resource["slot_minutes"], self.tz)]
            weights = [_popularity(s.astimezone(self.tz).hour) for s, _ in slots]
            self._slot_cache = {k: v for k, v in self._slot_cache.items() if k[2] == day}
            self._slot_cache[key] = (slots, weights)
        return self._slot_cache[key]

    def _booking_row(self, ident, resource, start, end, day):
        rng = self.rng
        community = resource["community_id"]
        first, count = self.city.residents_of(community)
        user_id = first + int(count * rng.random() ** 1.5)  # a few heavy users, a long tail
        created = min(start - timedelta(minutes=rng.randint(10, 60 * 24 * resource["booking_window_days"])),
                      self.at)
        status, cancelled_at, checked_in_at, late, decided = self._outcome(resource, start, created)
        fee = resource["fee_fen"]
        paid_at = created + timedelta(minutes=5) if fee and status in ("confirmed", "checked_in", "no_show") else None
        attendees = rng.randint(2, resource["max_attendees"]) if resource["max_attendees"] else None
        updated = cancelled_at or checked_in_at or created
        return (ident, resource["id"], user_id, community, start, end, status, attendees,
                f"g{ident:x}{rng.getrandbits(64):016x}", fee, "CNY", late, cancelled_at, checked_in_at,
                paid_at, community if decided else None, "", created, min(updated, self.at))

    def _outcome(self, resource, start, created):
        """(status, cancelled_at, checked_in_at, late_cancel, decided_by_admin)."""
        rng = self.rng
        roll = rng.random()
        past = start < self.at
        decided = resource["requires_approval"]
        if decided and roll < 0.04:
            return "rejected", None, None, False, True
        if roll < 0.15:  # cancelled, one in six of them after the cut-off
            late = rng.random() < 0.17
            before = rng.randint(1, resource["cancel_cutoff_minutes"]) if late else \
                rng.randint(resource["cancel_cutoff_minutes"] + 1, 60 * 24 * 2)
            cancelled = max(created, start - timedelta(minutes=before))
            return ("cancelled", cancelled, None, late, decided) if cancelled <= self.at else \
                ("confirmed", None, None, False, decided)
        if not past:
            if decided and roll < 0.25:
                return "pending_approval", None, None, False, False
            if resource["fee_fen"] and roll < 0.20:
                return "pending_payment", None, None, False, decided
            return "confirmed", None, None, False, decided
        if roll < 0.19:
            return "no_show", None, None, False, decided
        return "checked_in", start + timedelta(minutes=rng.randint(-10, 12)), None, False, decided


def _popularity(hour):
    if 18 <= hour < 22:
        return 3.0
    if 11 <= hour < 14 or 7 <= hour < 9:
        return 1.6
    return 1.0


def _poisson(rng, lam):
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


# -- writing -------------------------------------------------------------------------------------

class BulkWriter:
    """COPY on PostgreSQL, chunked executemany elsewhere; ids are given, so sequences are reset."""

    CHUNK = 5000

    def __init__(self, conn, metadata):
        self.conn = conn
        self.metadata = metadata
        self.postgres = conn.dialect.name == "postgresql"
        self.written = []
        self._inspector = sa.inspect(conn)

    def has_table(self, name):
        return self._inspector.has_table(name)

    def empty_everything(self):
        names = [t for t in self._inspector.get_table_names() if t != "alembic_version"]
        if self.postgres:  # fail clearly rather than wait forever on someone's open transaction
            self.conn.execute(sa.text("SET LOCAL lock_timeout = '15s'"))
            self.conn.execute(sa.text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
            return
        for table in reversed(self._sorted_tables(names)):
            self.conn.execute(table.delete())

    def _sorted_tables(self, names):
        known = [t for t in self.metadata.sorted_tables if t.name in names]
        reflected = sa.MetaData()
        extra = [sa.Table(n, reflected, autoload_with=self.conn) for n in names
                 if n not in self.metadata.tables]
        return known + extra

    def write(self, table, columns, rows, *, length=None, echo=print):
        began = time.perf_counter()
        total = length if length is not None else len(rows)
        label = f"{table:<18}"
        count = 0
        with click.progressbar(length=max(total, 1), label=label, show_pos=True) as bar:
            if self.postgres:
                count = self._copy(table, columns, rows, bar)
            else:
                count = self._insert(table, columns, rows, bar)
            bar.update(max(0, total - bar.pos))
        self.written.append(table)
        return table, count, time.perf_counter() - began

    def _copy(self, table, columns, rows, bar):
        cursor = self.conn.connection.driver_connection.cursor()
        count, json_columns = 0, None
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                if json_columns is None:  # JSON values go as text; found from the first row
                    json_columns = [i for i, v in enumerate(row) if isinstance(v, (dict, list))]
                if json_columns:
                    row = list(row)
                    for i in json_columns:
                        row[i] = json.dumps(row[i], ensure_ascii=False)
                copy.write_row(row)
                count += 1
                if count % self.CHUNK == 0:
                    bar.update(self.CHUNK)
        return count

    def _insert(self, table, columns, rows, bar):
        target = self.metadata.tables.get(table)
        if target is None:
            target = sa.Table(table, sa.MetaData(), autoload_with=self.conn)
        chunk, count = [], 0
        for row in rows:
            chunk.append(dict(zip(columns, row)))
            if len(chunk) == self.CHUNK:
                self.conn.execute(target.insert(), chunk)
                count += len(chunk)
                bar.update(len(chunk))
                chunk = []
        if chunk:
            self.conn.execute(target.insert(), chunk)
            count += len(chunk)
        return count

    def finish(self):
        if not self.postgres:
            return
        for table in self.written:
            self.conn.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"))
        for table in self.written:  # planner statistics for the new rows (ANALYZE runs in-transaction)
            self.conn.execute(sa.text(f"ANALYZE {table}"))
