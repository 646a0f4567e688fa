"""A resident's pages send as many SQL statements with a long history as with a short one: no
query per booking, per slot or per resource (the pages benchmark, bench/README.md, checks the same
on the city data set). The clock is frozen on Tuesday 2026-12-01 09:30 in Shanghai."""
import secrets
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from community.amenities import queries
from community.amenities.models import Booking
from tests.factories.amenities import local
from tests.helpers import frozen_at, recorded_statements

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=SH)
frozen_clock = frozen_at(NOW)
at = partial(local, base=NOW)


def add_booking(db, user, resource, start, status="confirmed", hours=1):
    """A booking row as history leaves it (past ones cannot be made through book())."""
    booking = Booking(resource_id=resource.id, user_id=user.id, community_id=resource.community_id,
                      start_at=start, end_at=start + timedelta(hours=hours), status=status,
                      qr_token=secrets.token_urlsafe(24))
    db.session.add(booking)
    db.session.commit()
    return booking


def add_history(db, user, resources, days):
    """A booking a day for ``days`` past days (checked in, cancelled, no-show in turn) and one
    upcoming confirmed booking a resource."""
    for offset in range(1, days + 1):
        status = ("checked_in", "cancelled", "no_show")[offset % 3]
        add_booking(db, user, resources[offset % len(resources)], at(-offset, 18), status)
    for index, resource in enumerate(resources):
        add_booking(db, user, resource, at(1 + index, 10))


def statements_per_page(client, db, urls):
    counts = {}
    for url in urls:
        with recorded_statements(db) as statements:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(statements)
    return counts


def test_resident_pages_do_not_query_more_with_more_history(client, db, login, resident, room, make_resource):
    urls = ["/dashboard", "/amenities/bookings", "/amenities/bookings?tab=past", f"/amenities/{room.id}",
            "/amenities/day?kind=meeting_room", "/amenities/"]
    login(resident)
    add_history(db, resident, [room], 1)
    short = statements_per_page(client, db, urls)
    more_rooms = [room] + [make_resource(name=f"Room {n}") for n in "BCD"]
    add_history(db, resident, more_rooms, 40)
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 1 + 1 + 40 + 4
    long = statements_per_page(client, db, urls)
    assert long == short


def test_a_booking_under_way_is_still_upcoming(db, resident, room):
    """The upcoming list bounds start_at from below (for the index); a booking that started before
    now and has not ended is still in it, and one that ended is not."""
    running = add_booking(db, resident, room, at(0, 9), hours=2)      # 09:00-11:00, now 09:30
    ended = add_booking(db, resident, room, at(0, 8), hours=1)        # 08:00-09:00
    soon = add_booking(db, resident, room, at(0, 12))
    upcoming = db.session.scalars(queries.bookings_for(resident, upcoming=True)).unique().all()
    past = db.session.scalars(queries.bookings_for(resident, upcoming=False)).unique().all()
    assert [b.id for b in upcoming] == [running.id, soon.id]
    assert [b.id for b in past] == [ended.id]
    admin_list = db.session.scalars(queries.upcoming_for_resource(room)).unique().all()
    assert [b.id for b in admin_list] == [running.id, soon.id]


@pytest.mark.parametrize("hours_before", [25, 26])
def test_the_longest_booking_under_way_is_still_upcoming(db, resident, make_resource, hours_before):
    """MAX_BOOKING_SPAN (26 h) is the bound: a booking that began up to a day ago and has not ended
    is listed (such a booking cannot be made through book(): it would cross midnight)."""
    allday = make_resource(name="All day", slot_minutes=60,
                           opening_hours={str(d): [["00:00", "24:00"]] for d in range(7)})
    start = NOW - timedelta(hours=hours_before) + timedelta(minutes=1)
    long_one = add_booking(db, resident, allday, start, hours=hours_before)
    upcoming = db.session.scalars(queries.bookings_for(resident, upcoming=True)).unique().all()
    assert [b.id for b in upcoming] == [long_one.id]
