"""The tickets API contract (paths, fields, status codes) and who sees what."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import frozen_at

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=SH)
frozen_clock = frozen_at(NOW)


@pytest.fixture
def resident_api(api_token, resident):
    return api_token(resident)


@pytest.fixture
def specialist_api(api_token, specialist):
    return api_token(specialist)


def test_categories_are_the_callers_communitys(client, desk, resident_api, create_user, elsewhere, api_token):
    body = client.get("/api/v1/ticket-categories", headers=resident_api).get_json()
    assert [c["id"] for c in body] == [desk.id] and body[0]["name"] == "报修"
    outsider = api_token(create_user("out@example.test", community_=elsewhere))
    assert client.get("/api/v1/ticket-categories", headers=outsider).get_json() == []


def test_filing_answers_201_with_reference_status_and_assignee(client, desk, resident_api, specialist):
    response = client.post("/api/v1/tickets", headers=resident_api,
                           json={"category_id": desk.id, "title": "Tap", "description": "Drips"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) >= {"id", "reference", "status", "assignee"}
    assert body["reference"] == "TC-2026-000001" and body["status"] == "assigned"
    assert body["assignee"] == {"id": specialist.id, "name": specialist.display_name}


@pytest.mark.parametrize("payload, status", [
    ({"title": "Tap", "description": "Drips"}, 422),
    ({"category_id": "1", "title": "Tap", "description": "Drips"}, 422),
    ({"category_id": 10**6, "title": "Tap", "description": "Drips"}, 404),
    ({"category_id": None, "title": "", "description": "Drips"}, 422),
])
def test_bad_filings_are_problems(client, desk, resident_api, assert_problem, payload, status):
    assert_problem(client.post("/api/v1/tickets", headers=resident_api, json=payload), status)


def test_filing_in_another_community_is_not_found(client, db, resident_api, elsewhere, create_user, assert_problem):
    from tests.factories.tickets import make_desk

    admin = create_user("e-admin@example.test", roles=("community_admin",), community_=elsewhere)
    category = make_desk(db, elsewhere, admin, [])
    assert_problem(client.post("/api/v1/tickets", headers=resident_api,
                               json={"category_id": category.id, "title": "x", "description": "y"}), 404)


def test_lists_are_the_residents_own_and_the_specialists_queue(client, file_ticket, resident_api, specialist_api,
                                                              create_user, api_token, specialist):
    mine = file_ticket()
    neighbour = create_user("neighbour@example.test")
    file_ticket(who=neighbour)
    assert [t["id"] for t in client.get("/api/v1/tickets", headers=resident_api).get_json()] == [mine.id]
    queue = client.get("/api/v1/tickets", headers=specialist_api).get_json()
    assert len(queue) == 2 and all(t["assignee"]["id"] == specialist.id for t in queue)
    assert client.get("/api/v1/tickets", headers=api_token(neighbour)).get_json()[0]["id"] != mine.id


def test_detail_replies_and_internal_notes(client, file_ticket, resident_api, specialist_api, assert_problem):
    ticket = file_ticket()
    r = client.post(f"/api/v1/tickets/{ticket.id}/replies", headers=specialist_api, json={"body": "On my way"})
    assert r.status_code == 201 and r.get_json()["internal"] is False
    r = client.post(f"/api/v1/tickets/{ticket.id}/replies", headers=specialist_api,
                    json={"body": "NOTE-7f3a the resident was rude", "internal": True})
    assert r.status_code == 201 and r.get_json()["internal"] is True
    as_resident = client.get(f"/api/v1/tickets/{ticket.id}", headers=resident_api)
    assert "NOTE-7f3a" not in as_resident.get_data(as_text=True)
    assert [x["body"] for x in as_resident.get_json()["replies"]] == ["On my way"]
    as_staff = client.get(f"/api/v1/tickets/{ticket.id}", headers=specialist_api).get_json()
    assert [x["internal"] for x in as_staff["replies"]] == [False, True]
    # A resident's internal=true is refused, never stored as internal.
    assert_problem(client.post(f"/api/v1/tickets/{ticket.id}/replies", headers=resident_api,
                               json={"body": "psst", "internal": True}), 403, "internal_not_allowed")
    assert [x["body"] for x in client.get(f"/api/v1/tickets/{ticket.id}", headers=specialist_api)
            .get_json()["replies"]] == ["On my way", "NOTE-7f3a the resident was rude"]


def test_others_get_404(client, file_ticket, create_user, api_token, elsewhere, assert_problem):
    ticket = file_ticket()
    for who in (create_user("n@example.test"),
                create_user("far-spec@example.test", roles=("specialist",), community_=elsewhere)):
        headers = api_token(who)
        assert_problem(client.get(f"/api/v1/tickets/{ticket.id}", headers=headers), 404)
        assert_problem(client.post(f"/api/v1/tickets/{ticket.id}/replies", headers=headers, json={"body": "x"}), 404)
        assert_problem(client.post(f"/api/v1/tickets/{ticket.id}/status", headers=headers,
                                   json={"status": "resolved"}), 404)
    assert_problem(client.get(f"/api/v1/tickets/{ticket.id}"), 401)


def test_status_transitions_and_rating(client, file_ticket, resident_api, specialist_api, assert_problem):
    ticket = file_ticket()
    assert_problem(client.post(f"/api/v1/tickets/{ticket.id}/status", headers=resident_api,
                               json={"status": "resolved"}), 403)
    assert_problem(client.post(f"/api/v1/tickets/{ticket.id}/status", headers=specialist_api,
                               json={"status": "closed"}), 409, "transition_not_allowed")
    assert_problem(client.post(f"/api/v1/tickets/{ticket.id}/status", headers=specialist_api,
                               json={"status": "nonsense"}), 422)
    r = client.post(f"/api/v1/tickets/{ticket.id}/status", headers=specialist_api, json={"status": "resolved"})
    assert r.status_code == 200 and r.get_json()["status"] == "resolved"
    assert_problem(client.post(f"/api/v1/tickets/{ticket.id}/rating", headers=resident_api,
                               json={"score": 5, "comment": ""}), 409)
    r = client.post(f"/api/v1/tickets/{ticket.id}/status", headers=resident_api, json={"status": "closed"})
    assert r.status_code == 200 and r.get_json()["status"] == "closed"
    assert_problem(client.post(f"/api/v1/tickets/{ticket.id}/rating", headers=specialist_api,
                               json={"score": 5, "comment": ""}), 403)
    assert_problem(client.post(f"/api/v1/tickets/{ticket.id}/rating", headers=resident_api,
                               json={"score": 0, "comment": ""}), 422)
    r = client.post(f"/api/v1/tickets/{ticket.id}/rating", headers=resident_api, json={"score": 5, "comment": "好"})
    assert r.status_code == 201 and r.get_json()["rating"] == 5
    assert_problem(client.post(f"/api/v1/tickets/{ticket.id}/rating", headers=resident_api,
                               json={"score": 4, "comment": ""}), 409, "already_rated")


def test_reply_files_are_listed_with_urls_that_check_who_asks(client, db, file_ticket, resident_api, specialist_api,
                                                               specialist, create_user, api_token, elsewhere):
    """GET /api/v1/tickets/<id>: each reply lists its files (id, name, size, a download URL); a
    resident's answer never names an internal note's file, and the URLs serve a file only to those
    who may see its reply, by bearer token as by session."""
    from urllib.parse import urlsplit

    from community.tickets import operations as ops
    from tests.core.sample_files import tiny_pdf, tiny_png, upload

    ticket = file_ticket()
    public = ops.add_reply(ticket, specialist, "The form", files=[upload(tiny_pdf(), "answer-form.pdf")])
    ops.add_reply(ticket, specialist, "Staff only", internal=True,
                  files=[upload(tiny_png(), "INTERNAL-NOTE-photo.png")])
    db.session.commit()

    as_resident = client.get(f"/api/v1/tickets/{ticket.id}", headers=resident_api)
    assert as_resident.status_code == 200
    assert "INTERNAL-NOTE" not in as_resident.get_data(as_text=True)
    [reply] = as_resident.get_json()["replies"]
    [listed] = reply["files"]
    assert reply["id"] == public.id
    assert listed["name"] == "answer-form.pdf" and listed["size"] == len(tiny_pdf())
    assert listed["content_type"] == "application/pdf" and listed["url"].startswith("http")
    public_path = urlsplit(listed["url"]).path
    download = client.get(public_path, headers=resident_api)
    assert download.status_code == 200 and download.data == tiny_pdf()

    as_staff = client.get(f"/api/v1/tickets/{ticket.id}", headers=specialist_api).get_json()
    assert [[f["name"] for f in r["files"]] for r in as_staff["replies"]] == [["answer-form.pdf"],
                                                                            ["INTERNAL-NOTE-photo.png"]]
    note_path = urlsplit(as_staff["replies"][1]["files"][0]["url"]).path
    assert client.get(note_path, headers=specialist_api).status_code == 200
    assert client.get(note_path, headers=resident_api).status_code == 404  # the resident, by the note file's URL
    for outsider in (create_user("neighbour@example.test"),
                     create_user("far-spec@example.test", roles=("specialist",), community_=elsewhere)):
        headers = api_token(outsider)
        assert client.get(public_path, headers=headers).status_code == 404
        assert client.get(note_path, headers=headers).status_code == 404
    # A reply posted through the API has no files, and says so.
    posted = client.post(f"/api/v1/tickets/{ticket.id}/replies", headers=resident_api, json={"body": "Thanks"})
    assert posted.status_code == 201 and posted.get_json()["files"] == []
