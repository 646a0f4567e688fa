"""The operator's report: per community and period, what was received, answered within the
first-response target (the "every request answered" rate), resolved within target, the median
business minutes to first response and to resolution, the reopen rate and the average rating;
by category, by specialist and by week.

On PostgreSQL one grouped statement counts everything (GROUPING SETS: the total, by category, by
specialist, by local week; the medians by percentile_cont, which gives the same values as Python's
statistics.median), so no ticket row reaches Python. Elsewhere (SQLite) one query reads the few
columns it needs of the period's tickets and the counting is plain Python over those rows. Both
paths are what the recount test checks against raw tickets, and a PostgreSQL test checks that they
agree."""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from statistics import median
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from community.accounts.models import User
from community.extensions import db
from community.tickets.models import Ticket, TicketCategory


@dataclass
class Tally:
    received: int = 0
    answered: int = 0
    answered_in_time: int = 0
    resolved: int = 0
    resolved_in_time: int = 0
    ever_resolved: int = 0
    reopened: int = 0
    rating_sum: int = 0
    rating_count: int = 0
    first_response_minutes: list = field(default_factory=list)
    resolution_minutes: list = field(default_factory=list)
    # (median first response, median resolution) when counted by the database (grouped_tallies)
    medians: tuple | None = None

    def add(self, row) -> None:
        """One ticket: ``row`` is (answered in time or None when unanswered, first-response
        minutes, resolved in time or None when unresolved, resolution minutes, reopened, rating)."""
        in_time, first_minutes, resolved_in_time, resolution_minutes, reopened, rating = row
        self.received += 1
        if in_time is not None:
            self.answered += 1
            self.first_response_minutes.append(first_minutes or 0)
            self.answered_in_time += bool(in_time)
        if resolved_in_time is not None:
            self.resolved += 1
            self.resolution_minutes.append(resolution_minutes)
            self.resolved_in_time += bool(resolved_in_time)
            self.ever_resolved += 1
        elif reopened:
            self.ever_resolved += 1
        if reopened:
            self.reopened += 1
        if rating is not None:
            self.rating_sum += rating
            self.rating_count += 1

    @staticmethod
    def _rate(part, whole):
        return part / whole if whole else None

    @property
    def answered_rate(self):
        return self._rate(self.answered_in_time, self.received)

    @property
    def resolved_rate(self):
        return self._rate(self.resolved_in_time, self.received)

    @property
    def reopen_rate(self):
        return self._rate(self.reopened, self.ever_resolved)

    @property
    def average_rating(self):
        return self.rating_sum / self.rating_count if self.rating_count else None

    @property
    def median_first_response(self):
        if self.medians is not None:
            return self.medians[0]
        return median(self.first_response_minutes) if self.first_response_minutes else None

    @property
    def median_resolution(self):
        if self.medians is not None:
            return self.medians[1]
        return median(self.resolution_minutes) if self.resolution_minutes else None


@dataclass
class Report:
    community: object
    start: date
    end: date  # exclusive
    total: Tally
    by_category: list  # (name, Tally)
    by_specialist: list  # (name, Tally)
    by_week: list  # (monday, Tally)


def _in_time(done, due):
    """1 when ``done`` is at or before ``due`` (no target: in time), 0 when late, NULL when not done:
    compared in the database, so no instant has to be read into Python for it."""
    return sa.case((done.is_(None), sa.null()), (sa.or_(due.is_(None), done <= due), 1), else_=0)


COLUMNS = (Ticket.created_at, Ticket.category_id, Ticket.assignee_id,
           _in_time(Ticket.first_response_at, Ticket.first_response_due_at).label("answered_in_time"),
           Ticket.first_response_minutes,
           sa.case((Ticket.resolution_minutes.is_(None), sa.null()),
                   else_=_in_time(Ticket.resolved_at, Ticket.resolution_due_at)).label("resolved_in_time"),
           Ticket.resolution_minutes, (Ticket.reopen_count > 0).label("reopened"), Ticket.rating)


def period_bounds(tz: ZoneInfo, start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time(0), tz), datetime.combine(end, time(0), tz)


def build(community, start: date, end: date) -> Report:
    """The report of tickets filed from ``start`` to before ``end`` (local days of the community)."""
    tz = ZoneInfo(community.timezone)
    since, until = period_bounds(tz, start, end)
    if db.session.get_bind().dialect.name == "postgresql":
        total, categories, specialists, weeks = grouped_tallies(community, since, until)
    else:
        total, categories, specialists, weeks = python_tallies(community, since, until)
    category_names = dict(db.session.execute(sa.select(TicketCategory.id, TicketCategory.name).where(
        TicketCategory.community_id == community.id)).all())
    user_ids = [uid for uid in specialists if uid is not None]
    user_names = dict(db.session.execute(sa.select(User.id, User.display_name).where(
        User.id.in_(user_ids or [-1]))).all())
    monday = start - timedelta(days=start.weekday())
    all_weeks = []
    while monday < end:
        all_weeks.append((monday, weeks.get(monday, Tally())))
        monday += timedelta(days=7)
    return Report(
        community=community, start=start, end=end, total=total,
        by_category=sorted(((category_names.get(cid, str(cid)), t) for cid, t in categories.items()),
                           key=lambda item: item[0]),
        by_specialist=sorted(((user_names.get(uid) if uid else None, t) for uid, t in specialists.items()),
                             key=lambda item: (item[0] is None, item[0] or "")),
        by_week=all_weeks,
    )


def python_tallies(community, since: datetime, until: datetime):
    """(total, {category id: Tally}, {assignee id: Tally}, {local Monday: Tally}) counted in Python
    from one row a ticket (SQLite; and the reference the PostgreSQL path is tested against)."""
    tz = ZoneInfo(community.timezone)
    rows = db.session.execute(sa.select(*COLUMNS).where(
        Ticket.community_id == community.id, Ticket.created_at >= since, Ticket.created_at < until)).all()
    total, categories, specialists, weeks = Tally(), {}, {}, {}
    week_of = _week_finder(tz, since, until)
    for created_at, category_id, assignee_id, *facts in rows:
        total.add(facts)
        (categories.get(category_id) or categories.setdefault(category_id, Tally())).add(facts)
        (specialists.get(assignee_id) or specialists.setdefault(assignee_id, Tally())).add(facts)
        monday = week_of(created_at)
        (weeks.get(monday) or weeks.setdefault(monday, Tally())).add(facts)
    return total, categories, specialists, weeks


# What Tally.add counts, as aggregates of the period's tickets: "answered" is a first response at
# all, "resolved" a resolution with its business minutes, "ever resolved" that or a reopening.
GROUPED_SQL = sa.text("""
WITH t AS (
  SELECT category_id, assignee_id, date_trunc('week', created_at AT TIME ZONE :tz)::date AS week,
         CASE WHEN first_response_at IS NULL THEN NULL
              WHEN first_response_due_at IS NULL OR first_response_at <= first_response_due_at THEN 1 ELSE 0 END
           AS answered_in_time,
         COALESCE(first_response_minutes, 0) AS first_minutes,
         CASE WHEN resolution_minutes IS NULL OR resolved_at IS NULL THEN NULL
              WHEN resolution_due_at IS NULL OR resolved_at <= resolution_due_at THEN 1 ELSE 0 END
           AS resolved_in_time,
         resolution_minutes, reopen_count > 0 AS reopened, rating
  FROM tickets
  WHERE community_id = :community_id AND created_at >= :since AND created_at < :until)
SELECT GROUPING(category_id) AS no_category, GROUPING(assignee_id) AS no_assignee, GROUPING(week) AS no_week,
       category_id, assignee_id, week,
       count(*) AS received,
       count(answered_in_time) AS answered,
       COALESCE(sum(answered_in_time), 0) AS answered_in_time,
       count(resolved_in_time) AS resolved,
       COALESCE(sum(resolved_in_time), 0) AS resolved_in_time,
       count(*) FILTER (WHERE resolved_in_time IS NOT NULL OR reopened) AS ever_resolved,
       count(*) FILTER (WHERE reopened) AS reopened,
       COALESCE(sum(rating), 0) AS rating_sum, count(rating) AS rating_count,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY first_minutes)
         FILTER (WHERE answered_in_time IS NOT NULL) AS median_first,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution_minutes)
         FILTER (WHERE resolved_in_time IS NOT NULL) AS median_resolution
FROM t
GROUP BY GROUPING SETS ((), (category_id), (assignee_id), (week))
""")


def _as_median(value, count):
    """percentile_cont's double as statistics.median gives it for integers: the middle value itself
    (an int) for an odd count, the mean of the two middle ones (a float, exact) for an even one."""
    if value is None:
        return None
    return int(value) if count % 2 else float(value)


def grouped_tallies(community, since: datetime, until: datetime):
    """python_tallies' result from one grouped statement on PostgreSQL: a row a group, none a ticket."""
    total, categories, specialists, weeks = Tally(), {}, {}, {}
    for row in db.session.execute(GROUPED_SQL, {"tz": community.timezone, "community_id": community.id,
                                                "since": since, "until": until}):
        tally = Tally(received=row.received, answered=row.answered, answered_in_time=int(row.answered_in_time),
                      resolved=row.resolved, resolved_in_time=int(row.resolved_in_time),
                      ever_resolved=row.ever_resolved, reopened=row.reopened, rating_sum=int(row.rating_sum),
                      rating_count=row.rating_count,
                      medians=(_as_median(row.median_first, row.answered),
                               _as_median(row.median_resolution, row.resolved)))
        if not row.no_category:
            categories[row.category_id] = tally
        elif not row.no_assignee:
            specialists[row.assignee_id] = tally
        elif not row.no_week:
            weeks[row.week] = tally
        else:
            total = tally
    return total, categories, specialists, weeks


def _week_finder(tz, since: datetime, until: datetime):
    """created_at -> the local Monday of its week, by bisecting the period's week starts (no
    time-zone conversion a row)."""
    from bisect import bisect_right

    first = since.date() - timedelta(days=since.weekday())
    mondays = []
    day = first
    while datetime.combine(day, time(0), tz) < until:
        mondays.append(day)
        day += timedelta(days=7)
    starts = [datetime.combine(m, time(0), tz).astimezone(timezone.utc) for m in mondays]  # UTC: cheap to compare

    def week_of(instant):
        return mondays[max(0, bisect_right(starts, instant) - 1)]

    return week_of


def quarter_of(day: date) -> tuple[date, date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end = date(day.year + (first_month + 3 > 12), (first_month + 2) % 12 + 1, 1)
    return start, end


# -- the chart ----------------------------------------------------------------------------------

CHART_W, CHART_H, PAD_L, PAD_B, PAD_T = 640, 220, 36, 28, 12


def week_chart(report: Report) -> dict:
    """Geometry of the weekly bar chart (received, and answered in time inside it) for the
    template to draw as SVG: no script, no style attribute (CSP), only numbers."""
    weeks = report.by_week
    peak = max((t.received for _m, t in weeks), default=0) or 1
    plot_w, plot_h = CHART_W - PAD_L - 8, CHART_H - PAD_B - PAD_T
    step = plot_w / max(1, len(weeks))
    bar_w = max(2.0, step * 0.7)
    bars = []
    for index, (monday, tally) in enumerate(weeks):
        x = PAD_L + index * step + (step - bar_w) / 2
        received_h = plot_h * tally.received / peak
        in_time_h = plot_h * tally.answered_in_time / peak
        bars.append({"x": round(x, 1), "w": round(bar_w, 1), "monday": monday, "received": tally.received,
                     "in_time": tally.answered_in_time,
                     "received_y": round(PAD_T + plot_h - received_h, 1), "received_h": round(received_h, 1),
                     "in_time_y": round(PAD_T + plot_h - in_time_h, 1), "in_time_h": round(in_time_h, 1),
                     "label": index % max(1, len(weeks) // 7) == 0})
    return {"width": CHART_W, "height": CHART_H, "bars": bars, "peak": peak, "base_y": PAD_T + plot_h,
            "left": PAD_L, "top": PAD_T, "right": CHART_W - 8}
