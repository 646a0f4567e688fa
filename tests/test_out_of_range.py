"""Numbers and dates beyond what the database or the calendar can hold are the client's mistake:
a 4xx with a clear message, never a 500."""
import pytest

from tests.helpers import assert_problem

HUGE = 10**30


@pytest.fixture
def logged_in_admin(client, login, community_admin, resident):
    login(community_admin)
    return community_admin


@pytest.mark.parametrize("path", [
    f"/amenities/{HUGE}", f"/users/{HUGE}", f"/admin/users/{HUGE}", f"/admin/communities/{HUGE}",
])
def test_huge_ids_in_paths_are_not_found(client, logged_in_admin, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", [
    f"/admin/users?page={HUGE}", f"/admin/audit?page={HUGE}", f"/admin/users?community_id={HUGE}",
    f"/admin/audit?community_id={HUGE}", f"/amenities/bookings?page={HUGE}",
])
def test_huge_numbers_in_pages_never_500(client, logged_in_admin, path):
    assert client.get(path).status_code < 500


@pytest.mark.parametrize("path", [f"/api/v1/resources/{HUGE}", f"/api/v1/bookings/{HUGE}"])
def test_huge_ids_in_the_api_are_not_found(client, api_token, resident, path):
    response = client.get(path, headers=api_token(resident))
    assert_problem(response, 404)


@pytest.mark.parametrize("path", [f"/api/v1/resources?page={HUGE}", f"/api/v1/bookings?page={HUGE}"])
def test_huge_page_numbers_in_the_api_never_500(client, api_token, resident, path):
    response = client.get(path, headers=api_token(resident))
    assert response.status_code < 500


def test_a_huge_resource_id_in_a_booking_is_a_client_error(client, api_token, resident):
    response = client.post("/api/v1/bookings", headers=api_token(resident),
                           json={"resource_id": HUGE, "start": "2030-01-01T10:00:00+08:00",
                                 "end": "2030-01-01T11:00:00+08:00"})
    assert 400 <= response.status_code < 500
    assert response.mimetype == "application/problem+json"


def test_dates_at_the_end_of_the_calendar_are_a_client_error(client, api_token, resident, room, login):
    headers = api_token(resident)
    for start in ("9999-12-31", "0001-01-01"):
        response = client.get(f"/api/v1/resources/{room.id}/availability?start={start}", headers=headers)
        assert 400 <= response.status_code < 500, start
    response = client.post("/api/v1/bookings", headers=headers,
                           json={"resource_id": room.id, "start": "9999-12-31T23:00:00-12:00",
                                 "end": "9999-12-31T23:59:00-12:00"})
    assert 400 <= response.status_code < 500
    login(resident)
    # A week or day past the booking window is sent to the last bookable one (docs/amenities.md).
    for path in (f"/amenities/{room.id}?start=9999-12-31", "/amenities/day?kind=meeting_room&date=9999-12-31"):
        page = client.get(path)
        assert page.status_code == 302 and "9999" not in page.headers["Location"], path
    for path in ("/amenities/day?date=9999-12-31", "/amenities/day?date=0001-01-01"):  # no gym: no window
        page = client.get(path)
        assert 400 <= page.status_code < 500, path
        assert "Traceback" not in page.get_data(as_text=True)
