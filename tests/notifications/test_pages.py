"""The notices page, mark read / all read, the header badge, and what a person typed shown as text."""
import re

from community.notifications import kinds
from tests.helpers import text

XSS = "<script>alert(1)</script>"


def ids_on_page(html):
    return [int(i) for i in re.findall(r'data-notice="(\d+)"', html)]


def badge(html):
    match = re.search(r'data-unread="(\d+)"', html)
    return int(match.group(1)) if match else None


def test_anonymous_visitors_are_sent_to_log_in_and_see_no_badge(client):
    assert client.get("/notifications").status_code == 302
    assert badge(text(client.get("/login"))) is None


def test_the_list_is_newest_first_with_unread_marked(client, login, resident, make_notice):
    old, new = make_notice(resident, resource="Old room"), make_notice(resident, resource="New room")
    from community.notifications import operations as ops
    from community.extensions import db

    ops.mark_read(old, user=resident)
    db.session.commit()
    login(resident)
    html = text(client.get("/notifications"))
    assert ids_on_page(html) == [new.id, old.id]
    assert f'data-notice="{new.id}" data-read="false"' in html
    assert f'data-notice="{old.id}" data-read="true"' in html
    assert "New room" in html and badge(html) == 1


def test_the_empty_state(client, login, resident):
    login(resident)
    html = text(client.get("/notifications"))
    assert "data-empty" in html and badge(html) == 0


def test_the_list_is_paginated(client, login, app, resident, make_notice, monkeypatch):
    monkeypatch.setitem(app.config, "ITEMS_PER_PAGE", 3)
    made = [make_notice(resident) for _ in range(5)]
    login(resident)
    first, second = text(client.get("/notifications")), text(client.get("/notifications?page=2"))
    assert ids_on_page(first) == [n.id for n in made[::-1][:3]]
    assert ids_on_page(second) == [n.id for n in made[::-1][3:]]
    assert badge(first) == 5


def test_only_ones_own_notices_are_listed(client, login, resident, create_user, make_notice):
    other = create_user("other@example.test")
    theirs = make_notice(other)
    login(resident)
    assert theirs.id not in ids_on_page(text(client.get("/notifications")))


def test_a_notice_is_shown_in_the_readers_language(client, login, resident, make_notice):
    make_notice(resident)
    login(resident)
    chinese = text(client.get("/notifications"))
    client.get("/lang/en")
    english = text(client.get("/notifications"))
    assert "预约未获批准" in chinese and "Booking not approved: Room A" in english


def test_mark_read_then_the_badge_drops(client, login, resident, make_notice):
    notice = make_notice(resident)
    make_notice(resident)
    login(resident)
    response = client.post(f"/notifications/{notice.id}/read")
    assert response.status_code == 302 and response.location.endswith("/notifications")
    html = text(client.get("/notifications"))
    assert badge(html) == 1 and f'data-notice="{notice.id}" data-read="true"' in html


def test_someone_elses_notice_is_not_found(client, login, resident, create_user, make_notice, db):
    theirs = make_notice(create_user("other@example.test"))
    login(resident)
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 404
    assert client.post(f"/notifications/{theirs.id}/open").status_code == 404
    assert client.post("/notifications/999999/read").status_code == 404
    db.session.refresh(theirs)
    assert theirs.read_at is None


def test_opening_a_notice_leads_to_its_object_and_marks_it_read(client, login, resident, make_notice, db):
    notice = make_notice(resident)  # the rejection kind leads to My bookings
    login(resident)
    response = client.post(f"/notifications/{notice.id}/open")
    assert response.status_code == 302 and response.location.endswith("/amenities/bookings")
    db.session.refresh(notice)
    assert notice.read_at is not None


def test_a_no_show_notice_leads_to_past_bookings(client, login, resident, db):
    from community.notifications.operations import notify

    notice = notify(resident, "amenities.booking_released_no_show", link=("amenities.my_bookings", {"tab": "past"}),
                    resource="Gym", start_at="2026-12-01T10:00:00+08:00", grace=15)
    db.session.commit()
    login(resident)
    assert client.post(f"/notifications/{notice.id}/open").location.endswith("/amenities/bookings?tab=past")


def test_mark_all_read(client, login, resident, create_user, make_notice):
    other = create_user("other@example.test")
    for _ in range(3):
        make_notice(resident)
    make_notice(other)
    login(resident)
    assert 'data-action="read-all"' in text(client.get("/notifications"))
    assert client.post("/notifications/read-all").status_code == 302
    html = text(client.get("/notifications"))
    assert badge(html) == 0 and 'data-read="false"' not in html and 'data-action="read-all"' not in html
    client.post("/logout")
    login(other)
    assert badge(text(client.get("/dashboard"))) == 1


def _token_from(page):
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def test_marking_read_needs_the_csrf_token(client, resident, make_notice, csrf_on, db):
    notice = make_notice(resident)
    token = _token_from(text(client.get("/login")))
    client.post("/login", data={"login": resident.email, "password": "secret123", "csrf_token": token})
    assert client.post(f"/notifications/{notice.id}/read").status_code == 400
    assert client.post(f"/notifications/{notice.id}/open").status_code == 400
    assert client.post("/notifications/read-all").status_code == 400
    db.session.refresh(notice)
    assert notice.read_at is None
    token = _token_from(text(client.get("/notifications")))
    assert client.post(f"/notifications/{notice.id}/read", data={"csrf_token": token}).status_code == 302
    db.session.refresh(notice)
    assert notice.read_at is not None


def test_what_a_person_typed_is_shown_as_text(client, login, create_user, make_notice):
    person = create_user("xss@example.test", display_name=XSS)
    make_notice(person, resource=XSS, reason=f'"><img src=x onerror=alert(1)>{XSS}')
    login(person)  # the dashboard shows "Welcome back, <name>": a lazy string kept as a flash
    for url in ("/notifications", "/dashboard"):
        html = text(client.get(url))
        assert XSS not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown, escaped once, not swallowed
    assert "&amp;lt;" not in text(client.get("/notifications"))  # and not escaped twice


def test_the_header_badge_links_to_the_list(client, login, resident, make_notice):
    for _ in range(2):
        make_notice(resident)
    login(resident)
    html = text(client.get("/dashboard"))
    assert badge(html) == 2
    assert re.search(r'href="/notifications" data-unread="2"', html)


def test_a_large_count_is_capped_in_the_badge(client, login, resident, db):
    from community.notifications.models import Notice

    db.session.add_all([Notice(user_id=resident.id, kind=kinds.PASSWORD_CHANGED, params={}) for _ in range(120)])
    db.session.commit()
    login(resident)
    html = text(client.get("/dashboard"))
    assert badge(html) == 120 and ">99+<" in html
