"""The amenities API contract: shapes, status codes, problem+json codes, ownership and bad input.

The clock is frozen on Monday 2026-03-02 09:00 in Shanghai."""
import json
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from community.amenities import operations as ops
from community.core import clock
from community.core.audit import AuditEntry
from tests.factories.amenities import local
from tests.helpers import PROBLEM, assert_problem, frozen_at

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=SH)  # a Monday
frozen_clock = frozen_at(NOW)
at = partial(local, base=NOW)  # wall time in Shanghai, day_offset days after the frozen today


def iso(day_offset, hour, minute=0):
    return at(day_offset, hour, minute).isoformat()


@pytest.fixture
def gym(make_resource):
    return make_resource(kind="gym", name="Gym", capacity=10, fee_fen=0)


@pytest.fixture
def neighbour(create_user):
    return create_user("neighbour@example.test")


def post_booking(client, headers, resource, start, end, **extra):
    return client.post("/api/v1/bookings", json={"resource_id": resource.id, "start": start, "end": end, **extra},
                       headers=headers)


# -- resources ---------------------------------------------------------------------------------

def test_list_resources_filtered_by_kind(client, api_token, resident, room, gym):
    response = client.get("/api/v1/resources?kind=gym", headers=api_token(resident))
    assert response.status_code == 200
    items = response.get_json()
    assert [r["name"] for r in items] == ["Gym"]
    assert {"id", "name", "kind", "capacity", "slot_minutes", "location", "fee", "requires_approval",
            "timezone", "opening_hours"} <= set(items[0])
    assert (items[0]["capacity"], items[0]["slot_minutes"], items[0]["fee"]) == (10, 60, {"amount": 0, "currency": "CNY"})
    assert json.loads(response.headers["X-Pagination"])["total"] == 1
    everything = client.get("/api/v1/resources", headers=api_token(resident)).get_json()
    assert {r["kind"] for r in everything} == {"gym", "meeting_room"}


def test_resources_of_another_community_are_invisible(client, api_token, stranger, room):
    headers = api_token(stranger)
    assert client.get("/api/v1/resources", headers=headers).get_json() == []
    assert_problem(client.get(f"/api/v1/resources/{room.id}", headers=headers), 404)
    assert_problem(client.get(f"/api/v1/resources/{room.id}/availability", headers=headers), 404)


def test_unknown_kind_and_anonymous_callers(client, api_token, resident, room):
    body = assert_problem(client.get("/api/v1/resources?kind=pool", headers=api_token(resident)), 422)
    assert "kind" in body["errors"]
    assert_problem(client.get("/api/v1/resources"), 401)
    assert_problem(client.post("/api/v1/bookings", json={}), 401)


def test_get_one_resource(client, api_token, resident, room):
    body = client.get(f"/api/v1/resources/{room.id}", headers=api_token(resident)).get_json()
    assert (body["id"], body["name"], body["timezone"]) == (room.id, "Room A", "Asia/Shanghai")


# -- availability ------------------------------------------------------------------------------

def test_availability_contract(client, db, api_token, resident, gym):
    ops.book(resident, gym, at(0, 10), at(0, 11))
    db.session.commit()
    response = client.get(f"/api/v1/resources/{gym.id}/availability?start=2026-03-02&days=7",
                          headers=api_token(resident))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["resource_id"], body["timezone"]) == (gym.id, "Asia/Shanghai")
    assert len(body["slots"]) == 7 * 14
    first, booked = body["slots"][0], body["slots"][2]
    assert first == {"start": "2026-03-02T08:00:00+08:00", "end": "2026-03-02T09:00:00+08:00", "remaining": 10,
                     "state": "past", "reason": "", "bookable": False, "mine": False}
    assert (booked["start"], booked["remaining"], booked["state"]) == ("2026-03-02T10:00:00+08:00", 9, "partial")


def test_availability_marks_the_callers_own_bookings(client, db, api_token, resident, neighbour, gym):
    """Booking one's own slot again would be already_booked: it is "mine" and not bookable; for a
    neighbour the same slot is partly booked and bookable."""
    ops.book(resident, gym, at(0, 10), at(0, 11))
    db.session.commit()
    url = f"/api/v1/resources/{gym.id}/availability?start=2026-03-02&days=1"
    own = client.get(url, headers=api_token(resident)).get_json()["slots"][2]
    theirs = client.get(url, headers=api_token(neighbour)).get_json()["slots"][2]
    assert (own["state"], own["mine"], own["bookable"]) == ("partial", True, False)
    assert (theirs["state"], theirs["mine"], theirs["bookable"]) == ("partial", False, True)


def test_availability_defaults_to_a_week_from_today(client, api_token, resident, room):
    body = client.get(f"/api/v1/resources/{room.id}/availability", headers=api_token(resident)).get_json()
    assert body["slots"][0]["start"].startswith("2026-03-02T08:00") and len(body["slots"]) == 7 * 14


@pytest.mark.parametrize("query, field", [
    ("days=0", "days"), ("days=32", "days"), ("days=x", "days"), ("start=2026-13-01", "start"),
    ("start=02/03/2026", "start"),
])
def test_availability_bad_input(client, api_token, resident, room, query, field):
    body = assert_problem(client.get(f"/api/v1/resources/{room.id}/availability?{query}",
                                     headers=api_token(resident)), 422)
    assert field in body["errors"]


def test_availability_of_31_days_is_allowed(client, api_token, resident, room):
    response = client.get(f"/api/v1/resources/{room.id}/availability?days=31", headers=api_token(resident))
    assert response.status_code == 200 and len(response.get_json()["slots"]) == 31 * 14


# -- booking -----------------------------------------------------------------------------------

def test_create_booking_201(client, api_token, resident, room):
    response = post_booking(client, api_token(resident), room, iso(1, 10), iso(1, 11), attendees=4)
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "confirmed" and body["resource_id"] == room.id and body["attendees"] == 4
    assert (body["start"], body["end"]) == ("2026-03-03T10:00:00+08:00", "2026-03-03T11:00:00+08:00")
    assert body["qr_token"] and body["fee"] == {"amount": 0, "currency": "CNY"}
    assert [o["id"] for o in body["occurrences"]] == [body["id"]]


def test_times_in_another_offset_mean_the_same_instant(client, api_token, resident, room):
    response = post_booking(client, api_token(resident), room, "2026-03-03T02:00:00Z", "2026-03-03T03:00:00+00:00")
    assert response.status_code == 201
    assert response.get_json()["start"] == "2026-03-03T10:00:00+08:00"


def test_full_slot_answers_409_problem(client, api_token, resident, neighbour, room):
    assert post_booking(client, api_token(resident), room, iso(1, 10), iso(1, 11)).status_code == 201
    body = assert_problem(post_booking(client, api_token(neighbour), room, iso(1, 10), iso(1, 11)), 409, "slot_full")
    assert "Room A" in body["detail"]


@pytest.mark.parametrize("start, end, code", [
    ((0, 8), (0, 9), "in_the_past"),
    ((1, 10, 30), (1, 11, 30), "not_aligned"),
    ((20, 10), (20, 11), "outside_window"),
])
def test_broken_rules_answer_422_with_their_code(client, api_token, resident, room, start, end, code):
    assert_problem(post_booking(client, api_token(resident), room, iso(*start), iso(*end)), 422, code)


def test_too_many_attendees_is_422(client, api_token, resident, make_resource):
    room = make_resource(max_attendees=2)
    assert_problem(post_booking(client, api_token(resident), room, iso(1, 10), iso(1, 11), attendees=3), 422,
                   "too_many_attendees")


@pytest.mark.parametrize("body, fields", [
    ({}, {"resource_id", "start", "end"}),
    ({"resource_id": "one", "start": "2026-03-03T10:00:00+08:00", "end": "2026-03-03T11:00:00+08:00"}, {"resource_id"}),
    ({"resource_id": 1, "start": "tomorrow", "end": "2026-03-03T11:00:00+08:00"}, {"start"}),
    ({"resource_id": 1, "start": "2026-03-03T10:00:00", "end": "2026-03-03T11:00:00"}, {"start", "end"}),  # naive
    ({"resource_id": 1, "start": "2026-03-03T10:00:00+08:00", "end": "2026-03-03T11:00:00+08:00", "attendees": 0},
     {"attendees"}),
])
def test_create_booking_bad_input(client, api_token, resident, room, body, fields):
    if body.get("resource_id") == 1:
        body["resource_id"] = room.id
    problem = assert_problem(client.post("/api/v1/bookings", json=body, headers=api_token(resident)), 422)
    assert set(problem["errors"]) == fields


def test_not_json_is_rejected(client, api_token, resident):
    response = client.post("/api/v1/bookings", data="resource_id=1", headers=api_token(resident),
                           content_type="application/x-www-form-urlencoded")
    assert 400 <= response.status_code < 500 and response.mimetype == PROBLEM


def test_booking_a_resource_of_another_community_is_404(client, api_token, stranger, room):
    assert_problem(post_booking(client, api_token(stranger), room, iso(1, 10), iso(1, 11)), 404, "resource_not_found")
    assert_problem(client.post("/api/v1/bookings", json={"resource_id": 999999, "start": iso(1, 10), "end": iso(1, 11)},
                               headers=api_token(stranger)), 404)


def test_recurring_booking_through_the_api(client, api_token, resident, neighbour, make_resource):
    room = make_resource(booking_window_days=30)
    assert post_booking(client, api_token(neighbour), room, iso(7, 19), iso(7, 20)).status_code == 201
    body = assert_problem(post_booking(client, api_token(resident), room, iso(0, 19), iso(0, 20),
                                       rrule="FREQ=WEEKLY;COUNT=3"), 409, "recurrence_conflict")
    assert body["conflicts"] == [{"start": "2026-03-09T19:00:00+08:00", "end": "2026-03-09T20:00:00+08:00",
                                  "code": "slot_full", "reason": body["conflicts"][0]["reason"]}]
    ok = post_booking(client, api_token(resident), room, iso(1, 19), iso(1, 20), rrule="FREQ=WEEKLY;COUNT=3")
    assert ok.status_code == 201
    assert len(ok.get_json()["occurrences"]) == 3 and ok.get_json()["series_id"]
    assert_problem(post_booking(client, api_token(resident), room, iso(2, 19), iso(2, 20), rrule="FREQ=YEARLY;COUNT=2"),
                   422, "invalid_recurrence")


def test_a_broken_repeat_rule_answers_a_sentence_and_its_reason(client, api_token, resident, make_resource):
    """The same code and message as the booking page (one translated sentence), plus the reason
    and its dates for programs; never the parser's text."""
    room = make_resource(booking_window_days=366)
    headers = api_token(resident)
    past = assert_problem(post_booking(client, headers, room, iso(1, 19), iso(1, 20), rrule="FREQ=WEEKLY;UNTIL=20260301"),
                          422, "invalid_recurrence")
    assert (past["recurrence_error"], past["until"], past["first"]) == ("until_before_start", "2026-03-01", "2026-03-03")
    assert past["detail"] == "最后日期（3月1日）早于第一次预约（3月3日）。请选择 3月3日 或之后的日期作为最后日期。"
    far = assert_problem(post_booking(client, headers, room, iso(1, 19), iso(1, 20), rrule="FREQ=WEEKLY;UNTIL=20280101"),
                         422, "invalid_recurrence")
    assert (far["recurrence_error"], far["latest"]) == ("too_many_occurrences", "2027-02-23")
    assert "occurrences" not in far["detail"] and "52" in far["detail"]
    count = assert_problem(post_booking(client, headers, room, iso(1, 19), iso(1, 20), rrule="FREQ=WEEKLY;COUNT=60"),
                           422, "invalid_recurrence")
    assert count["recurrence_error"] == "too_many_occurrences" and "COUNT=60" not in count["detail"]
    backwards = assert_problem(post_booking(client, headers, room, iso(1, 20), iso(1, 19), rrule="FREQ=WEEKLY;COUNT=2"),
                               422, "not_aligned")
    assert "duration" not in backwards["detail"]


# -- my bookings, ownership --------------------------------------------------------------------

def test_list_my_bookings_paginated(client, api_token, resident, neighbour, gym):
    headers = api_token(resident)
    for hour in (10, 11, 12):
        assert post_booking(client, headers, gym, iso(1, hour), iso(1, hour + 1)).status_code == 201
    post_booking(client, api_token(neighbour), gym, iso(1, 13), iso(1, 14))
    first = client.get("/api/v1/bookings?page_size=2", headers=headers)
    assert [b["start"][11:16] for b in first.get_json()] == ["10:00", "11:00"]
    assert json.loads(first.headers["X-Pagination"])["total"] == 3
    second = client.get("/api/v1/bookings?page_size=2&page=2", headers=headers).get_json()
    assert [b["start"][11:16] for b in second] == ["12:00"]
    assert client.get("/api/v1/bookings?scope=past", headers=headers).get_json() == []
    assert_problem(client.get("/api/v1/bookings?scope=later", headers=headers), 422)
    assert_problem(client.get("/api/v1/bookings?page=0", headers=headers), 422)


def test_cancel_own_booking_moves_it_to_past(client, api_token, resident, room):
    headers = api_token(resident)
    booking_id = post_booking(client, headers, room, iso(1, 10), iso(1, 11)).get_json()["id"]
    response = client.post(f"/api/v1/bookings/{booking_id}/cancel", headers=headers)
    assert response.status_code == 200
    assert (response.get_json()["status"], response.get_json()["late_cancel"]) == ("cancelled", False)
    assert [b["id"] for b in client.get("/api/v1/bookings?scope=past", headers=headers).get_json()] == [booking_id]
    assert_problem(client.post(f"/api/v1/bookings/{booking_id}/cancel", headers=headers), 422, "not_cancellable")


def test_the_owner_cannot_cancel_once_the_booking_has_started(client, api_token, resident, room):
    headers = api_token(resident)
    booking_id = post_booking(client, headers, room, iso(0, 10), iso(0, 11)).get_json()["id"]
    clock.freeze(at(0, 10))  # exactly at the start is too late
    assert_problem(client.post(f"/api/v1/bookings/{booking_id}/cancel", headers=headers), 422, "cancel_too_late")
    assert client.get(f"/api/v1/bookings/{booking_id}", headers=headers).get_json()["status"] == "confirmed"


def test_cancel_a_series_from_a_date_or_whole(client, api_token, resident, neighbour, make_resource):
    room = make_resource(booking_window_days=60)
    headers = api_token(resident)
    made = post_booking(client, headers, room, iso(1, 19), iso(1, 20), rrule="FREQ=WEEKLY;COUNT=4").get_json()
    ids = [b["id"] for b in made["occurrences"]]
    assert_problem(client.post(f"/api/v1/bookings/{ids[0]}/cancel", json={"scope": "series"},
                               headers=api_token(neighbour)), 404)
    assert_problem(client.post(f"/api/v1/bookings/{ids[0]}/cancel", json={"scope": "all"}, headers=headers), 422)
    following = client.post(f"/api/v1/bookings/{ids[2]}/cancel", json={"scope": "following"}, headers=headers)
    assert following.status_code == 200
    body = following.get_json()
    assert (body["id"], body["status"]) == (ids[2], "cancelled")
    assert [b["id"] for b in body["cancelled"]] == ids[2:]
    assert [b["status"] for b in client.get("/api/v1/bookings", headers=headers).get_json()] == ["confirmed"] * 2
    whole = client.post(f"/api/v1/bookings/{ids[3]}/cancel", json={"scope": "series"}, headers=headers).get_json()
    assert [b["id"] for b in whole["cancelled"]] == ids[:2] and whole["status"] == "cancelled"
    one = post_booking(client, headers, room, iso(2, 10), iso(2, 11)).get_json()["id"]
    alone = client.post(f"/api/v1/bookings/{one}/cancel", headers=headers).get_json()
    assert [b["id"] for b in alone["cancelled"]] == [one]


def test_admin_cancels_a_residents_booking_with_a_reason(client, api_token, resident, community_admin,
                                                        other_admin, room):
    booking_id = post_booking(client, api_token(resident), room, iso(1, 10), iso(1, 11)).get_json()["id"]
    admin = api_token(community_admin)
    assert_problem(client.post(f"/api/v1/bookings/{booking_id}/cancel", headers=admin), 422, "reason_required")
    assert_problem(client.post(f"/api/v1/bookings/{booking_id}/cancel", json={"reason": "x" * 256}, headers=admin), 422)
    assert_problem(client.post(f"/api/v1/bookings/{booking_id}/cancel", json={"reason": "No"},
                               headers=api_token(other_admin)), 404, "booking_not_found")
    response = client.post(f"/api/v1/bookings/{booking_id}/cancel", json={"reason": "Water leak"}, headers=admin)
    assert response.status_code == 200
    assert (response.get_json()["status"], response.get_json()["decision_reason"]) == ("cancelled", "Water leak")
    seen = client.get(f"/api/v1/bookings/{booking_id}", headers=api_token(resident)).get_json()
    assert seen["decision_reason"] == "Water leak"


def test_another_resident_cannot_read_or_cancel_a_booking(client, api_token, resident, neighbour, stranger, room):
    booking_id = post_booking(client, api_token(resident), room, iso(1, 10), iso(1, 11)).get_json()["id"]
    for other in (neighbour, stranger):
        headers = api_token(other)
        assert_problem(client.get(f"/api/v1/bookings/{booking_id}", headers=headers), 404, "booking_not_found")
        assert_problem(client.post(f"/api/v1/bookings/{booking_id}/cancel", headers=headers), 404)
        assert_problem(client.post(f"/api/v1/bookings/{booking_id}/checkin", headers=headers), 404)
    assert client.get(f"/api/v1/bookings/{booking_id}", headers=api_token(resident)).get_json()["status"] == "confirmed"


def test_check_in_through_the_api(client, api_token, resident, room):
    headers = api_token(resident)
    booking_id = post_booking(client, headers, room, iso(0, 10), iso(0, 11)).get_json()["id"]
    assert_problem(client.post(f"/api/v1/bookings/{booking_id}/checkin", headers=headers), 422, "checkin_window")
    clock.freeze(at(0, 9, 50))
    response = client.post(f"/api/v1/bookings/{booking_id}/checkin", headers=headers)
    assert response.status_code == 200 and response.get_json()["status"] == "checked_in"
    again = assert_problem(client.post(f"/api/v1/bookings/{booking_id}/checkin", headers=headers), 409,
                           "already_checked_in")
    assert again["checked_in_at"] == "2026-03-02T09:50:00+08:00" and "09:50" in again["detail"]


# -- approval ----------------------------------------------------------------------------------

@pytest.fixture
def hall(make_resource):
    return make_resource(kind="activity_room", name="Hall", requires_approval=True)


def test_admin_approves_and_rejects(client, api_token, resident, neighbour, community_admin, hall):
    first = post_booking(client, api_token(resident), hall, iso(1, 10), iso(1, 11)).get_json()
    second = post_booking(client, api_token(neighbour), hall, iso(1, 12), iso(1, 13)).get_json()
    assert first["status"] == second["status"] == "pending_approval"
    admin = api_token(community_admin)
    assert [b["id"] for b in client.get("/api/v1/bookings/pending", headers=admin).get_json()] == [first["id"], second["id"]]
    approved = client.post(f"/api/v1/bookings/{first['id']}/approve", headers=admin)
    assert approved.status_code == 200 and approved.get_json()["status"] == "confirmed"
    body = assert_problem(client.post(f"/api/v1/bookings/{second['id']}/reject", json={}, headers=admin), 422)
    assert "reason" in body["errors"]
    rejected = client.post(f"/api/v1/bookings/{second['id']}/reject", json={"reason": "Maintenance"}, headers=admin)
    assert (rejected.get_json()["status"], rejected.get_json()["decision_reason"]) == ("rejected", "Maintenance")


def test_residents_and_other_admins_cannot_approve(client, api_token, resident, other_admin, hall):
    booking_id = post_booking(client, api_token(resident), hall, iso(1, 10), iso(1, 11)).get_json()["id"]
    assert_problem(client.post(f"/api/v1/bookings/{booking_id}/approve", headers=api_token(resident)), 403)
    other = api_token(other_admin)
    assert_problem(client.post(f"/api/v1/bookings/{booking_id}/approve", headers=other), 404)
    assert_problem(client.post(f"/api/v1/bookings/{booking_id}/reject", json={"reason": "x"}, headers=other), 404)
    assert client.get("/api/v1/bookings/pending", headers=other).get_json() == []


def test_paid_resource_books_pending_payment(client, api_token, resident, make_resource):
    ktv = make_resource(kind="activity_room", name="KTV", fee_fen=3000)
    body = post_booking(client, api_token(resident), ktv, iso(1, 20), iso(1, 22)).get_json()
    assert (body["status"], body["fee"]) == ("pending_payment", {"amount": 6000, "currency": "CNY"})


def test_openapi_documents_the_amenity_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/resources", "/api/v1/resources/{resource_id}/availability", "/api/v1/bookings",
                 "/api/v1/bookings/{booking_id}/cancel", "/api/v1/bookings/{booking_id}/approve",
                 "/api/v1/bookings/{booking_id}/reject"):
        assert path in paths
    assert "201" in paths["/api/v1/bookings"]["post"]["responses"]


@pytest.mark.parametrize("method, path", [
    ("get", "/api/v1/resources/999999"), ("get", "/api/v1/resources/999999/availability"),
    ("get", "/api/v1/bookings/999999"), ("post", "/api/v1/bookings/999999/cancel"),
    ("post", "/api/v1/bookings/999999/checkin"), ("post", "/api/v1/bookings/999999/approve"),
])
def test_unknown_ids_are_404_problems(client, api_token, community_admin, method, path):
    assert_problem(getattr(client, method)(path, headers=api_token(community_admin)), 404)


def test_staff_check_in_a_residents_booking(client, db, api_token, resident, community_admin, room):
    booking_id = post_booking(client, api_token(resident), room, iso(0, 10), iso(0, 11)).get_json()["id"]
    clock.freeze(at(0, 10, 10))
    response = client.post(f"/api/v1/bookings/{booking_id}/checkin", headers=api_token(community_admin))
    assert response.status_code == 200 and response.get_json()["status"] == "checked_in"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "amenity.checked_in"))
    assert entry.details == {"via": "staff"} and entry.actor_id == community_admin.id
