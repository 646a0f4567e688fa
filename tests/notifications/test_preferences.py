"""E-mail on/off per event group, from the profile; security e-mails stay on."""
import re

from tests.helpers import text
from tests.notifications.conftest import WHEN


def switch(html, group):
    match = re.search(rf'data-group="{group}">\s*<input ([^>]*)>', html)
    return match.group(1)


def test_the_profile_links_to_the_settings_for_its_owner_only(client, login, resident, community_admin):
    login(resident)
    assert 'href="/profile/notifications"' in text(client.get(f"/users/{resident.id}"))
    client.post("/logout")
    login(community_admin)
    assert 'href="/profile/notifications"' not in text(client.get(f"/users/{resident.id}"))


def test_every_group_is_listed_on_by_default_and_security_cannot_be_switched(client, login, resident):
    login(resident)
    html = text(client.get("/profile/notifications"))
    assert "checked" in switch(html, "bookings") and "disabled" not in switch(html, "bookings")
    assert "checked" in switch(html, "account") and "disabled" in switch(html, "account")


def test_switching_bookings_off_stops_their_emails_only(client, login, resident, outbox, make_notice, audit_actions):
    login(resident)
    response = client.post("/profile/notifications", data={})  # every switch off (account is disabled)
    assert response.status_code == 302
    assert "checked" not in switch(text(client.get("/profile/notifications")), "bookings")
    assert "checked" in switch(text(client.get("/profile/notifications")), "account")
    make_notice(resident)  # a booking rejection
    make_notice(resident, kind="account.password_changed", changed_at=WHEN)
    assert [m.kind for m in outbox()] == ["account.password_changed"]
    assert "notifications.preferences_changed" in audit_actions()


def test_switching_back_on(client, login, resident, outbox, make_notice):
    login(resident)
    client.post("/profile/notifications", data={})
    client.post("/profile/notifications", data={"email_bookings": "y"})
    assert "checked" in switch(text(client.get("/profile/notifications")), "bookings")
    make_notice(resident)
    assert [m.kind for m in outbox()] == ["amenities.booking_rejected"]


def test_the_settings_need_a_login(client):
    assert client.get("/profile/notifications").status_code == 302
    assert client.post("/profile/notifications", data={}).status_code == 302


def test_the_settings_need_the_csrf_token(client, resident, csrf_on, db):
    from community.notifications.models import NotificationPreference

    page = text(client.get("/login"))
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    client.post("/login", data={"login": resident.email, "password": "secret123", "csrf_token": token})
    assert client.post("/profile/notifications", data={}).status_code == 400
    assert db.session.query(NotificationPreference).count() == 0
