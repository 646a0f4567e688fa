"""The booking page and POST /api/v1/bookings share one resource lookup (queries.bookable_resource)
and one operation (operations.place_booking, whose end comes from rules.booking_end), so a
resource that cannot be booked is refused alike on both: the same status and the same rule, by
code in the API and by the same message on the page. Nothing is booked either way.

The clock is frozen on Tuesday 2026-12-01 09:30 in Shanghai."""
import html
import re
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from community.amenities import operations as ops
from community.amenities.models import Booking
from tests.factories.amenities import hours_every_day, local
from tests.helpers import assert_problem, frozen_at, text

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=SH)
frozen_clock = frozen_at(NOW)
at = partial(local, base=NOW)
ALERT = re.compile(r'<div class="alert alert-danger[^"]*" role="alert">\s*(.*?)\s*<button', re.S)


@pytest.fixture
def junior(create_user):
    return create_user("junior@example.test", tier="junior")


def closed(make_resource, community_admin):
    resource = make_resource(name="Gym", kind="gym", capacity=5)
    ops.set_resource_status(resource, "closed", actor=community_admin)
    return resource


def archived(make_resource, community_admin):
    resource = make_resource(name="Old laundry", kind="laundry")
    ops.set_resource_status(resource, "archived", actor=community_admin)
    return resource


def tier_restricted(make_resource, community_admin):
    return make_resource(name="Senior lounge", kind="coffee_bar", capacity=4, visible_tiers=["senior"])


CASES = [(closed, 422, "resource_unavailable"), (archived, 422, "resource_unavailable"),
         (tier_restricted, 422, "not_eligible")]


def page_refusal(client, resource, start):
    response = client.post(f"/amenities/{resource.id}/book",
                           data={"start": start.isoformat(), "slots": 1, "repeat": "none"})
    flashed = ALERT.findall(text(response))
    return response.status_code, flashed


def api_refusal(client, headers, resource, start, **how_long):
    response = client.post("/api/v1/bookings", headers=headers,
                           json={"resource_id": resource.id, "start": start.isoformat(), **how_long})
    return response.status_code, response.get_json()


@pytest.mark.parametrize("make, status, code", CASES, ids=[c[0].__name__ for c in CASES])
def test_page_and_api_refuse_by_the_same_rule(db, client, login, api_token, junior, make_resource, community_admin,
                                              make, status, code):
    resource = make(make_resource, community_admin)
    db.session.commit()
    start = at(1, 10)
    headers = api_token(junior)
    api_status, problem = api_refusal(client, headers, resource, start, end=at(1, 11).isoformat())
    assert_problem(client.post("/api/v1/bookings", headers=headers, json={
        "resource_id": resource.id, "start": start.isoformat(), "slots": 1}), status, code)
    login(junior)
    page_status, flashed = page_refusal(client, resource, start)
    assert api_status == page_status == status and problem["code"] == code
    assert flashed == [html.escape(problem["detail"], quote=False)]
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 0


@pytest.mark.parametrize("make, status, code", CASES, ids=[c[0].__name__ for c in CASES])
def test_the_booking_form_names_the_rule_instead_of_a_404(db, client, login, junior, make_resource, community_admin,
                                                          make, status, code):
    """Opening the form says at once why it cannot be booked, with the same status."""
    resource = make(make_resource, community_admin)
    db.session.commit()
    login(junior)
    response = client.get(f"/amenities/{resource.id}/book", query_string={"start": at(1, 10).isoformat()})
    assert response.status_code == status
    page = text(response)
    assert f'data-refusal="{code}"' in page and "data-booking-form" not in page


def test_another_communitys_resource_is_not_found_on_both(db, client, login, api_token, stranger, make_resource):
    resource = make_resource(name="Gym", kind="gym")
    headers = api_token(stranger)
    api_status, problem = api_refusal(client, headers, resource, at(1, 10), slots=1)
    login(stranger)
    page_status, _ = page_refusal(client, resource, at(1, 10))
    assert api_status == page_status == 404 and problem["code"] == "resource_not_found"


def test_page_and_api_compute_the_same_end(db, client, login, api_token, resident, make_resource):
    """"Two slots from 10:00" is 10:00-11:30 on a 45-minute laundry machine either way."""
    washer = make_resource(name="Washer", kind="laundry", slot_minutes=45, capacity=2,
                           opening_hours=hours_every_day("08:00-21:30"))
    start = at(1, 9, 30)  # a slot boundary: 08:00, 08:45, 09:30...
    headers = api_token(resident)
    created = client.post("/api/v1/bookings", headers=headers,
                          json={"resource_id": washer.id, "start": start.isoformat(), "slots": 2})
    assert created.status_code == 201, created.get_json()
    client.post(f"/api/v1/bookings/{created.get_json()['id']}/cancel", headers=headers, json={})
    login(resident)
    page = client.post(f"/amenities/{washer.id}/book", data={"start": start.isoformat(), "slots": 2, "repeat": "none"})
    assert page.status_code == 302
    spans = db.session.execute(sa.select(Booking.start_at, Booking.end_at).order_by(Booking.id)).all()
    assert spans == [(start, at(1, 11)), (start, at(1, 11))]


def test_the_api_wants_end_or_slots_but_not_both(db, client, api_token, resident, room):
    headers = api_token(resident)
    body = {"resource_id": room.id, "start": at(1, 10).isoformat()}
    neither = assert_problem(client.post("/api/v1/bookings", headers=headers, json=body), 422)
    both = assert_problem(client.post("/api/v1/bookings", headers=headers,
                                      json={**body, "end": at(1, 11).isoformat(), "slots": 1}), 422)
    too_many = assert_problem(client.post("/api/v1/bookings", headers=headers, json={**body, "slots": 9}), 422)
    assert "end" in neither["errors"] and "end" in both["errors"] and "slots" in too_many["errors"]
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 0
