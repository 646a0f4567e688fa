"""The report matches a recount from the raw tickets, replies and events; the page draws the
chart as SVG without inline styles or scripts; the CSV has a BOM. Admins of the community only."""
import random
from datetime import date, datetime, timedelta
from statistics import median
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from community.core import clock
from community.tickets import business_hours as bh
from community.tickets import operations as ops
from community.tickets import queries, report
from community.tickets.models import Ticket, TicketEvent, TicketReply
from tests.factories.tickets import file, make_desk
from tests.helpers import frozen_at, text

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 10, 12, 9, 0, tzinfo=SH)
frozen_clock = frozen_at(NOW)


@pytest.fixture
def history(db, community, community_admin, create_user, specialist, specialist2):
    """Sixty tickets over five weeks, each handled at random: answered late or early, paused,
    resolved, reopened, closed, rated."""
    rng = random.Random(7)
    repairs = make_desk(db, community, community_admin, [specialist, specialist2], name="报修")
    policy = make_desk(db, community, community_admin, [specialist2], name="政策咨询")
    residents = [create_user(f"r{i}@example.test") for i in range(5)]
    start = datetime(2026, 9, 1, 8, 0, tzinfo=SH)
    for n in range(60):
        at = start + timedelta(hours=rng.randrange(0, 24 * 35))
        clock.freeze(at)
        ticket = file(db, rng.choice(residents), rng.choice([repairs, policy]), commit=False)
        staff = ticket.assignee or specialist
        at += timedelta(minutes=rng.randrange(5, 300))
        roll = rng.random()
        if roll < 0.15:
            db.session.commit()
            continue  # never answered
        clock.freeze(at)
        ops.add_reply(ticket, staff, "answer")
        if rng.random() < 0.3:
            ops.change_status(ticket, staff, "waiting")
            at += timedelta(minutes=rng.randrange(30, 600))
            clock.freeze(at)
            ops.add_reply(ticket, ticket.resident, "details")
        if rng.random() < 0.8:
            at += timedelta(minutes=rng.randrange(10, 3000))
            clock.freeze(at)
            ops.change_status(ticket, staff, "resolved")
            if rng.random() < 0.25:
                at += timedelta(hours=rng.randrange(1, 48))
                clock.freeze(at)
                ops.change_status(ticket, ticket.resident, "reopened")
                at += timedelta(hours=rng.randrange(1, 30))
                clock.freeze(at)
                ops.change_status(ticket, staff, "resolved")
            if rng.random() < 0.6:
                at += timedelta(hours=2)
                clock.freeze(at)
                ops.change_status(ticket, ticket.resident, "closed")
                if rng.random() < 0.7:
                    ops.rate(ticket, ticket.resident, rng.randint(1, 5))
        db.session.commit()
    clock.freeze(NOW)
    return community


def recount(db, community, start, end):
    """From raw rows, not the stored minutes: the first public staff reply (or resolution), the
    last resolution event, the events of waiting, the reopen events and the ratings."""
    cal = queries.calendar_for(community)
    since, until = report.period_bounds(SH, start, end)
    tickets = db.session.scalars(sa.select(Ticket).where(Ticket.community_id == community.id,
                                                         Ticket.created_at >= since, Ticket.created_at < until)).all()
    out = {"received": len(tickets), "answered_in_time": 0, "resolved_in_time": 0, "fr": [], "res": [],
           "reopened": 0, "ever_resolved": 0, "ratings": []}
    for t in tickets:
        replies = db.session.scalars(sa.select(TicketReply).where(TicketReply.ticket_id == t.id,
                                                                  TicketReply.internal.is_(False),
                                                                  TicketReply.author_id != t.resident_id)
                                     .order_by(TicketReply.created_at)).all()
        events = db.session.scalars(sa.select(TicketEvent).where(TicketEvent.ticket_id == t.id,
                                                                 TicketEvent.kind == "status")
                                    .order_by(TicketEvent.created_at, TicketEvent.id)).all()
        resolutions = [e.created_at for e in events if e.to_status == "resolved"]
        first = min([r.created_at for r in replies] + resolutions[:1], default=None)
        if first is not None:
            out["fr"].append(bh.business_minutes_between(cal, t.created_at, first))
            if first <= t.first_response_due_at:
                out["answered_in_time"] += 1
        reopens = [e for e in events if e.to_status == "reopened"]
        out["reopened"] += bool(reopens)
        out["ever_resolved"] += bool(resolutions)
        if t.status in ("resolved", "closed"):
            # Business time to the last resolution, less every pause: waiting spans and resolved spans.
            paused, pause_start = 0, None
            for e in events:
                if e.to_status in ("waiting", "resolved") and pause_start is None:
                    pause_start = e.created_at
                elif e.to_status in ("in_progress", "reopened") and pause_start is not None:
                    paused += bh.business_minutes_between(cal, pause_start, e.created_at)
                    pause_start = None
            last = resolutions[-1]
            out["res"].append(bh.business_minutes_between(cal, t.created_at, last) - paused)
            due = bh.add_business_minutes(cal, t.created_at, t.resolution_target + paused)
            out["resolved_in_time"] += last <= due
        if t.rating is not None:
            out["ratings"].append(t.rating)
    return out


def test_the_report_matches_a_recount_from_the_raw_tickets(db, history):
    start, end = date(2026, 9, 1), date(2026, 10, 1)
    data = report.build(history, start, end)
    expected = recount(db, history, start, end)
    total = data.total
    assert total.received == expected["received"] > 20
    assert total.answered_in_time == expected["answered_in_time"]
    assert total.resolved_in_time == expected["resolved_in_time"]
    assert total.median_first_response == median(expected["fr"])
    assert total.median_resolution == median(expected["res"])
    assert total.reopened == expected["reopened"] and total.ever_resolved == expected["ever_resolved"]
    assert total.average_rating == pytest.approx(sum(expected["ratings"]) / len(expected["ratings"]))
    assert sum(t.received for _n, t in data.by_category) == total.received
    assert sum(t.received for _n, t in data.by_specialist) == total.received
    assert sum(t.received for _m, t in data.by_week) == total.received
    assert all(monday.weekday() == 0 for monday, _t in data.by_week)


def test_the_report_page_and_csv(client, db, login, history, community_admin):
    login(community_admin)
    page = client.get(f"/admin/tickets/report?community={history.id}&start=2026-09-01&end=2026-10-01")
    assert page.status_code == 200
    body = text(page)
    assert "<svg" in body and "style=" not in body.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "<script" not in body.split("<svg", 1)[1].split("</svg>", 1)[0]
    csv = client.get(f"/admin/tickets/report.csv?community={history.id}&start=2026-09-01&end=2026-10-01")
    assert csv.status_code == 200 and csv.data.startswith("\ufeff".encode())
    assert "报修" in csv.get_data(as_text=True)
    assert client.get("/admin/tickets/report?start=2026-10-01&end=2026-09-01").status_code == 422


def test_the_report_is_not_for_specialists(client, db, login, history, specialist):
    login(specialist)
    assert client.get("/admin/tickets/report").status_code == 403


def test_the_report_is_for_the_communitys_admins(client, db, login, history, create_user, elsewhere):
    other_admin = create_user("far-admin@example.test", roles=("community_admin",), community_=elsewhere)
    login(other_admin)
    assert client.get(f"/admin/tickets/report?community={history.id}").status_code == 404


def _counted(tally):
    return (tally.received, tally.answered, tally.answered_in_time, tally.resolved, tally.resolved_in_time,
            tally.ever_resolved, tally.reopened, tally.rating_sum, tally.rating_count,
            repr(tally.median_first_response), repr(tally.median_resolution))


@pytest.mark.parametrize("start, end", [(date(2026, 9, 1), date(2026, 10, 1)), (date(2026, 9, 8), date(2026, 9, 10)),
                                        (date(2025, 1, 1), date(2025, 2, 1))])
def test_the_grouped_statement_counts_as_the_rows_do(db, history, pg_only, start, end):
    """PostgreSQL's one grouped statement (GROUPING SETS, percentile_cont) gives every number of
    the per-ticket count, medians to the type (an int for an odd count, a float for an even one,
    as statistics.median), for the total, each category, specialist and week; an empty period too."""
    since, until = report.period_bounds(SH, start, end)
    grouped = report.grouped_tallies(history, since, until)
    counted = report.python_tallies(history, since, until)
    assert _counted(grouped[0]) == _counted(counted[0])
    for part in (1, 2, 3):
        assert {key: _counted(t) for key, t in grouped[part].items()} == {
            key: _counted(t) for key, t in counted[part].items()}
    if start.month == 9 and end.month == 10:
        assert grouped[0].received > 20 and len(grouped[3]) == 5 and len(grouped[1]) == 2
