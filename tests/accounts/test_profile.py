"""The profile page: who may see whose, and what it shows."""
from datetime import date

import pytest


@pytest.fixture
def neighbour(create_user):
    return create_user("neighbour@example.test")


def test_own_profile(client, resident, login):
    login(resident)
    response = client.get("/profile", follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert resident.email in page and "Test Community" in page


def test_resident_cannot_open_another_residents_profile(client, resident, neighbour, login):
    login(resident)
    response = client.get(f"/users/{neighbour.id}")
    assert response.status_code == 404
    assert neighbour.email not in response.get_data(as_text=True)


def test_community_admin_of_that_community_can(client, community_admin, neighbour, login):
    login(community_admin)
    response = client.get(f"/users/{neighbour.id}")
    assert response.status_code == 200 and neighbour.email in response.get_data(as_text=True)


def test_admin_of_another_community_cannot(client, create_user, create_community, neighbour, login):
    elsewhere = create_community("Elsewhere")
    admin = create_user("other-admin@example.test", roles=("community_admin",), community_=elsewhere)
    login(admin)
    assert client.get(f"/users/{neighbour.id}").status_code == 404


def test_specialist_of_the_community_cannot(client, create_user, neighbour, login):
    login(create_user("spec@example.test", roles=("specialist",)))
    assert client.get(f"/users/{neighbour.id}").status_code == 404


def test_platform_admin_can(client, platform_admin, neighbour, login):
    login(platform_admin)
    assert client.get(f"/users/{neighbour.id}").status_code == 200


def test_unknown_profile_is_404(client, resident, login):
    login(resident)
    assert client.get("/users/999999").status_code == 404


def test_anonymous_is_sent_to_login(client, neighbour):
    response = client.get(f"/users/{neighbour.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_talent_set_by_admin_is_shown_on_the_profile(client, resident, community_admin, login):
    login(community_admin)
    response = client.post(f"/admin/users/{resident.id}",
                           data={"talent_type": "skill_service", "tier": "senior", "valid_until": "2027-06-30"})
    assert response.status_code == 302
    client.post("/logout")
    client.get("/lang/en")
    login(resident)
    page = client.get("/profile", follow_redirects=True).get_data(as_text=True)
    assert "Skilled service talent" in page and "Senior" in page and "2027-06-30" in page
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Senior" in dashboard


def test_edit_profile_name_and_language(client, resident, login, db, audit_actions):
    login(resident)
    response = client.post("/profile/edit", data={"display_name": "  小李  ", "locale": "en"})
    assert response.status_code == 302
    db.session.refresh(resident)
    assert resident.display_name == "小李" and resident.locale == "en"
    assert 'lang="en"' in client.get("/dashboard").get_data(as_text=True)
    assert "user.profile_updated" in audit_actions()


def test_saved_language_is_used_at_next_login(client, create_user, db, login):
    user = create_user("lang@example.test")
    user.locale = "en"
    db.session.commit()
    login(user)
    assert 'lang="en"' in client.get("/dashboard").get_data(as_text=True)


def test_edit_profile_rejects_unknown_language(client, resident, login, db):
    login(resident)
    assert client.post("/profile/edit", data={"display_name": "x", "locale": "fr"}).status_code == 422
    db.session.refresh(resident)
    assert resident.locale is None


def test_talent_is_current_until_its_valid_until_date(create_user):
    user = create_user("tier@example.test", tier="junior")
    assert user.talent.is_current(date(2099, 1, 1))
    assert not user.talent.is_current(date(2099, 1, 2))
