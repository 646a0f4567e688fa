"""Long lists page, and the pager keeps the filters."""
import pytest


@pytest.fixture
def long_audit_log(db, platform_admin, monkeypatch):
    """45 entries of a test domain "demos" (3 pages of 20), filtered by their action prefix."""
    from community.core import audit, labels

    monkeypatch.setattr(labels, "AUDIT_LABELS", labels.AUDIT_LABELS.copy())
    labels.register_audit_labels("demos", action_prefixes=["demo"])
    for number in range(45):
        audit.record(platform_admin, "demo.event", None, number=number)
    db.session.commit()


def test_audit_log_pages_keep_filters(client, platform_admin, login, long_audit_log):
    login(platform_admin)
    first = client.get("/admin/audit?action=demo.")
    assert first.status_code == 200
    body = first.get_data(as_text=True)
    assert "page=2" in body and "action=demo." in body
    third = client.get("/admin/audit?action=demo.&page=3")
    assert third.status_code == 200 and "page=2" in third.get_data(as_text=True)


def test_a_page_past_the_end_goes_to_the_last_page_keeping_the_filters(client, platform_admin, login,
                                                                         long_audit_log):
    login(platform_admin)
    far = client.get("/admin/audit?action=demo.&page=999")
    assert far.status_code == 302
    assert far.headers["Location"] == "/admin/audit?action=demo.&page=3"
    assert client.get("/admin/audit?action=demo.&page=3").status_code == 200  # the last page itself stays
    assert client.get("/admin/audit?action=demo.&page=abc").status_code == 200  # not a number: the first page


def test_my_bookings_page_999_is_the_last_page_not_no_bookings(client, db, login, resident, room, book):
    """With no bookings at all there is no page 2 either: page 1, which says so."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from community.core import clock

    clock.freeze(datetime(2026, 12, 1, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
    login(resident)
    empty = client.get("/amenities/bookings?page=999&tab=past")
    assert empty.status_code == 302 and empty.headers["Location"] == "/amenities/bookings?tab=past"
    book(resident, room, datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    far = client.get("/amenities/bookings?page=999")
    assert far.status_code == 302 and far.headers["Location"] == "/amenities/bookings"
    page = client.get(far.headers["Location"]).get_data(as_text=True)
    assert "data-booking=" in page


def test_a_second_list_on_a_page_has_its_own_page_argument(client, db, login, resident):
    from community.accounts import operations as account_ops

    for number in range(12):
        account_ops.issue_api_token(resident, f"token-{number:02d}")
    db.session.commit()
    login(resident)
    far = client.get(f"/users/{resident.id}?tokens_page=9")
    assert far.status_code == 302 and far.headers["Location"] == f"/users/{resident.id}?tokens_page=2"
    assert client.get(f"/users/{resident.id}?tokens_page=2&page=7").status_code == 200  # not its argument


def test_the_api_answers_a_page_past_the_end_with_an_empty_list_and_the_totals(client, api_token, resident):
    import json

    response = client.get("/api/v1/bookings?page=999", headers=api_token(resident))
    assert response.status_code == 200 and response.get_json() == []
    assert json.loads(response.headers["X-Pagination"]) == {"total": 0, "total_pages": 0}
