"""Availability answers carry an ETag derived from what they show; If-None-Match with it answers 304
Not Modified, and a booking, a cancellation or a closure (or the clock reaching the next minute)
changes it. The clock is frozen on Monday 2026-03-02 09:00 in Shanghai."""
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest

from community.amenities import operations as ops
from community.core import clock
from tests.factories.amenities import local
from tests.helpers import frozen_at, recorded_statements

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
frozen_clock = frozen_at(NOW)
at = partial(local, base=NOW)


@pytest.fixture
def gym(make_resource):
    return make_resource(kind="gym", name="Gym", capacity=10, fee_fen=0)


@pytest.fixture
def week(client, api_token, resident, gym):
    headers = api_token(resident)
    url = f"/api/v1/resources/{gym.id}/availability?start=2026-03-02&days=7"

    def _get(tag=None):
        return client.get(url, headers={**headers, **({"If-None-Match": tag} if tag else {})})

    return _get


def test_an_unchanged_week_answers_304_with_no_body(week):
    first = week()
    assert first.status_code == 200
    tag = first.headers["ETag"]
    assert tag and first.headers["Cache-Control"] == "private, no-cache"
    again = week(tag)
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == tag
    assert week('"something-else"').status_code == 200
    assert week("W/" + tag).status_code == 304  # compared weakly, as gzip weakens the tag


def test_a_booking_changes_the_tag(week, db, neighbour_booking):
    tag = week().headers["ETag"]
    neighbour_booking()
    changed = week(tag)
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert changed.get_json()["slots"][2]["remaining"] == 9


def test_a_cancellation_changes_the_tag(week, db, neighbour_booking, neighbour):
    booking = neighbour_booking()
    tag = week().headers["ETag"]
    ops.cancel_booking(booking, actor=neighbour)
    db.session.commit()
    changed = week(tag)
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert changed.get_json()["slots"][2]["remaining"] == 10


def test_a_closure_changes_the_tag(week, db, gym, community_admin):
    tag = week().headers["ETag"]
    ops.add_closure(gym, starts_at=at(1, 8), ends_at=at(1, 12), reason="Repairs", actor=community_admin)
    db.session.commit()
    changed = week(tag)
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert "closed" in {s["state"] for s in changed.get_json()["slots"]}


def test_the_next_minute_changes_the_tag(week):
    """Slots become past, or too late to book, at whole minutes: the tag holds within one."""
    tag = week().headers["ETag"]
    clock.freeze(NOW + timedelta(seconds=30))
    assert week(tag).status_code == 304
    clock.freeze(NOW + timedelta(minutes=1))
    assert week(tag).status_code == 200


def test_another_viewer_gets_another_tag(client, week, api_token, neighbour, gym):
    """The tag is the viewer's: their own bookings are "mine"."""
    tag = week().headers["ETag"]
    other = client.get(f"/api/v1/resources/{gym.id}/availability?start=2026-03-02&days=7",
                       headers={**api_token(neighbour), "If-None-Match": tag})
    assert other.status_code == 200 and other.headers["ETag"] != tag


def test_the_day_view_answers_304_until_a_booking(client, login, resident, gym, db, neighbour_booking):
    login(resident)
    url = "/amenities/day?kind=gym&date=2026-03-02"
    with_flash = client.get(url)  # the login's flashed welcome: shown, so this page has no tag
    assert with_flash.status_code == 200 and "ETag" not in with_flash.headers
    first = client.get(url)
    assert first.status_code == 200 and b"Gym" in first.data
    tag = first.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": tag}).status_code == 304
    neighbour_booking()
    changed = client.get(url, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag


@pytest.fixture
def neighbour(create_user):
    return create_user("neighbour@example.test")


@pytest.fixture
def neighbour_booking(db, neighbour, gym):
    def _book():
        booking = ops.book(neighbour, gym, at(0, 10), at(0, 11))
        db.session.commit()
        return booking

    return _book


def test_the_week_is_one_query_after_the_caller_and_the_resource(week, db):
    """Token with its user, the resource, then ONE query for the bookings and closures of the week
    (SQLite's BEGIN/COMMIT are not statements sent through the cursor)."""
    week()  # the token's first use writes last_used_at; not part of the budget
    with recorded_statements(db) as statements:
        assert week().status_code == 200
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 3, statements
    assert "UNION ALL" in reads[-1] and "amenity_closures" in reads[-1]


def test_a_booking_writes_its_rows_through_three_inserts(client, db, api_token, resident, gym):
    """The booking, its audit entry and its notice: one INSERT each, nothing else written."""
    headers = api_token(resident)
    client.get("/api/v1/resources", headers=headers)  # the token's first use (last_used_at)
    body = {"resource_id": gym.id, "start": at(0, 10).isoformat(), "end": at(0, 11).isoformat()}
    with recorded_statements(db) as statements:
        response = client.post("/api/v1/bookings", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    writes = [s.split()[0:3] for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == [["UPDATE", "amenity_resources", "SET"], ["INSERT", "INTO", "amenity_bookings"],
                      ["INSERT", "INTO", "audit_entries"], ["INSERT", "INTO", "notices"]], statements
    assert len(statements) <= 8, "\n".join(s[:90].replace("\n", " ") for s in statements)
