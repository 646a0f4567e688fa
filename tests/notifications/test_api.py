"""GET /api/v1/notifications, POST /api/v1/notifications/<id>/read and /read-all."""
import json

from community.notifications import operations as ops


def test_the_list_is_the_callers_newest_first_in_their_language(client, api_token, resident, create_user, make_notice,
                                                                 set_locale):
    set_locale(resident, "en")
    older, newer = make_notice(resident, resource="Old"), make_notice(resident, resource="New")
    make_notice(create_user("other@example.test"))
    response = client.get("/api/v1/notifications", headers=api_token(resident))
    assert response.status_code == 200
    body = response.get_json()
    assert [n["id"] for n in body] == [newer.id, older.id]
    first = body[0]
    assert first["subject"] == "Booking not approved: New, 12/3/26, 10:00\u202fAM"
    assert first["kind"] == "amenities.booking_rejected" and first["group"] == "bookings"
    assert first["read"] is False and first["read_at"] is None and first["url"] == "/amenities/bookings"
    assert first["params"]["resource"] == "New" and first["created_at"].endswith("+08:00")
    assert json.loads(response.headers["X-Pagination"])["total"] == 2


def test_the_list_is_paginated(client, api_token, resident, make_notice):
    made = [make_notice(resident) for _ in range(5)]
    headers = api_token(resident)
    page = client.get("/api/v1/notifications?page=2&page_size=2", headers=headers)
    assert [n["id"] for n in page.get_json()] == [made[2].id, made[1].id]
    assert json.loads(page.headers["X-Pagination"]) | {} == {
        "total": 5, "total_pages": 3, "first_page": 1, "last_page": 3, "page": 2, "previous_page": 1, "next_page": 3}


def test_the_read_filter(client, api_token, resident, make_notice, db):
    read, unread = make_notice(resident), make_notice(resident)
    ops.mark_read(read, user=resident)
    db.session.commit()
    headers = api_token(resident)
    assert [n["id"] for n in client.get("/api/v1/notifications?read=false", headers=headers).get_json()] == [unread.id]
    assert [n["id"] for n in client.get("/api/v1/notifications?read=true", headers=headers).get_json()] == [read.id]
    assert len(client.get("/api/v1/notifications", headers=headers).get_json()) == 2


def test_a_bad_filter_is_422(client, api_token, resident, assert_problem):
    assert_problem(client.get("/api/v1/notifications?read=perhaps", headers=api_token(resident)), 422)


def test_mark_one_read(client, api_token, resident, make_notice):
    notice = make_notice(resident)
    response = client.post(f"/api/v1/notifications/{notice.id}/read", headers=api_token(resident))
    assert response.status_code == 200
    assert response.get_json()["read"] is True and response.get_json()["read_at"]


def test_someone_elses_notice_is_404(client, api_token, resident, create_user, make_notice, assert_problem, db):
    theirs = make_notice(create_user("other@example.test"))
    headers = api_token(resident)
    assert_problem(client.post(f"/api/v1/notifications/{theirs.id}/read", headers=headers), 404, "not_found")
    assert_problem(client.post("/api/v1/notifications/987654/read", headers=headers), 404, "not_found")
    db.session.refresh(theirs)
    assert theirs.read_at is None


def test_read_all(client, api_token, resident, create_user, make_notice):
    other = create_user("other@example.test")
    for _ in range(3):
        make_notice(resident)
    make_notice(other)
    response = client.post("/api/v1/notifications/read-all", headers=api_token(resident))
    assert response.get_json() == {"marked": 3}
    assert client.post("/api/v1/notifications/read-all", headers=api_token(resident)).get_json() == {"marked": 0}
    assert len(client.get("/api/v1/notifications?read=false", headers=api_token(other)).get_json()) == 1


def test_anonymous_callers_get_401(client, assert_problem):
    assert_problem(client.get("/api/v1/notifications"), 401)
    assert_problem(client.post("/api/v1/notifications/read-all"), 401)


def test_a_session_caller_needs_the_csrf_header_to_write(client, login, resident, csrf_on, assert_problem):
    import re

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    client.post("/login", data={"login": resident.email, "password": "secret123", "csrf_token": token})
    assert_problem(client.post("/api/v1/notifications/read-all"), 400)
    assert client.get("/api/v1/notifications").status_code == 200


def test_the_endpoints_are_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {"/api/v1/notifications", "/api/v1/notifications/{notice_id}/read",
            "/api/v1/notifications/read-all"} <= set(spec["paths"])
    listing = spec["paths"]["/api/v1/notifications"]["get"]
    assert "read" in {p["name"] for p in listing["parameters"]}
    assert "404" in spec["paths"]["/api/v1/notifications/{notice_id}/read"]["post"]["responses"]
    assert {"subject", "body", "url", "read", "created_at"} <= set(spec["components"]["schemas"]["Notice"]["properties"])
