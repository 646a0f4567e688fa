"""The amenities part of ``flask demo generate`` (core/bulk.py): resources of every kind in every
community of the city the accounts step planned, with their opening hours, capacities, slot
lengths, windows and quotas, and bookings over ``--weeks`` past and ``--future-weeks`` future
weeks, with cancellations (some late), no-shows, check-ins, approvals (docs/amenities.md).
Skipped, with a message, while the amenity tables do not exist yet.
"""
import math
import random
from datetime import timedelta

import click

from community.accounts.generate import city_plan
from community.core.bulk import BulkContext, bulk_step

AMENITY_TABLES = ("amenity_resources", "amenity_bookings")
OPTIONS = (
    click.Option(["--resources"], default=400, show_default=True, type=click.IntRange(0, 100_000),
                 help="amenity resources in all, spread over communities and every kind"),
    click.Option(["--weeks"], default=52, show_default=True, type=click.IntRange(0, 520),
                 help="weeks of past bookings"),
    click.Option(["--future-weeks"], default=4, show_default=True, type=click.IntRange(0, 52)),
    click.Option(["--bookings-per-resource-week", "density"], default=47.0, show_default=True, type=float,
                 help="mean bookings a resource a past week (the default city gives about 1,000,000)"),
)

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


@bulk_step(20, "amenities", tables=AMENITY_TABLES, options=OPTIONS)
def generate_amenities(ctx: BulkContext):
    options = ctx.options
    if not options["resources"]:
        return
    if not all(ctx.writer.has_table(t) for t in AMENITY_TABLES):
        ctx.echo("Skipping amenities: the amenity tables do not exist yet (run `flask db upgrade` "
                 "once the amenities migration is there).")
        return
    plan = AmenityPlan(city_plan(ctx), options["resources"], options["weeks"], options["future_weeks"],
                       options["density"], ctx.at)
    ctx.write("amenity_resources", *plan.resources())
    ctx.write("amenity_bookings", *plan.bookings(), length=plan.expected_bookings())


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
