"""Operator pages: communities, buildings, roles, talent profiles and the audit log, by scope."""
import re

import pytest
import sqlalchemy as sa

from community.accounts.models import Community, RoleGrant, User

ADMIN_PAGES = ["/admin/communities", "/admin/users", "/admin/roles", "/admin/audit"]


def _grants(db, user):
    db.session.expire_all()
    return sorted((g.role, g.community_id) for g in db.session.get(User, user.id).role_grants)


def _grant(client, login, role, community_id=0):
    return client.post("/admin/roles", data={"login": login, "role": role, "community_id": community_id})


# -- access ----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role", ["resident", "specialist", "merchant_staff"])
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_non_operators_get_403(client, create_user, login, path, role):
    login(create_user(f"{role}@example.test", roles=(role,)))
    response = client.get(path)
    assert response.status_code == 403
    assert response.mimetype == "text/html"


def test_403_as_json_for_json_clients(client, resident, login, assert_problem):
    login(resident)
    assert_problem(client.get("/admin/users", headers={"Accept": "application/json"}), 403)


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_operators_see_the_pages(client, community_admin, platform_admin, login, path):
    for user in (community_admin, platform_admin):
        login(user)
        assert client.get(path).status_code == 200, (user.email, path)
        client.post("/logout")


# -- communities and buildings -----------------------------------------------------------------

def test_platform_admin_creates_a_community(client, platform_admin, login, db, audit_actions):
    login(platform_admin)
    response = client.post("/admin/communities", data={"name": " 滨江人才公寓 ", "address": "滨江路 1 号",
                                                       "timezone": "Asia/Urumqi"})
    assert response.status_code == 302
    community = db.session.scalar(sa.select(Community).where(Community.name == "滨江人才公寓"))
    assert community.timezone == "Asia/Urumqi" and community.default_locale == "zh_CN"
    assert response.headers["Location"].endswith(f"/admin/communities/{community.id}")
    assert "community.created" in audit_actions(community_id=community.id)


@pytest.mark.parametrize("tz", ["Mars/Base", "Asia", "../etc/passwd", "asia/shanghai", ""])
def test_bad_time_zone_is_422_with_message(client, platform_admin, login, db, english, tz):
    login(platform_admin)
    response = client.post("/admin/communities", data={"name": "Bad zone", "timezone": tz})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert ("Unknown time zone" in page) or (tz == "" and "This field is required." in page)
    assert db.session.scalar(sa.select(Community).where(Community.name == "Bad zone")) is None


def test_duplicate_community_name_is_409(client, platform_admin, community, login):
    login(platform_admin)
    assert client.post("/admin/communities", data={"name": community.name, "timezone": "Asia/Shanghai"}).status_code == 409


def test_community_admin_cannot_create_communities(client, community_admin, login, db):
    login(community_admin)
    assert client.post("/admin/communities", data={"name": "Mine now", "timezone": "Asia/Shanghai"}).status_code == 403
    assert db.session.scalar(sa.select(Community).where(Community.name == "Mine now")) is None


def test_community_admin_sees_only_their_community(client, community_admin, community, elsewhere, login):
    login(community_admin)
    page = client.get("/admin/communities").get_data(as_text=True)
    assert community.name in page and elsewhere.name not in page
    assert client.get(f"/admin/communities/{community.id}").status_code == 200
    assert client.get(f"/admin/communities/{elsewhere.id}").status_code == 404
    assert client.get("/admin/communities/999999").status_code == 404


def test_community_admin_adds_buildings_to_their_community_only(client, community_admin, community, elsewhere,
                                                                login, db, audit_actions):
    login(community_admin)
    response = client.post(f"/admin/communities/{community.id}", data={"name": "5号楼", "floors": 20})
    assert response.status_code == 302
    assert client.post(f"/admin/communities/{community.id}", data={"name": "5号楼", "floors": 3}).status_code == 409
    assert client.post(f"/admin/communities/{community.id}", data={"name": "6号楼", "floors": 0}).status_code == 422
    assert client.post(f"/admin/communities/{elsewhere.id}", data={"name": "X", "floors": 2}).status_code == 404
    db.session.expire_all()
    assert [(b.name, b.floors) for b in db.session.get(Community, community.id).buildings] == [("5号楼", 20)]
    assert db.session.get(Community, elsewhere.id).buildings == []
    assert "building.created" in audit_actions(community_id=community.id)


# -- roles -------------------------------------------------------------------------------------

def test_platform_admin_grants_community_admin(client, platform_admin, resident, community, login, db,
                                              audit_actions):
    login(platform_admin)
    response = _grant(client, resident.email, "community_admin", community.id)
    assert response.status_code == 302
    assert ("community_admin", community.id) in _grants(db, resident)
    assert "role.granted" in audit_actions(community_id=community.id)
    # the new admin now reaches the admin pages
    client.post("/logout")
    client.post("/login", data={"login": resident.email, "password": "secret123"})
    assert client.get("/admin/users").status_code == 200


def test_platform_admin_grants_platform_admin(client, platform_admin, resident, login, db):
    login(platform_admin)
    assert _grant(client, resident.email, "platform_admin").status_code == 302
    assert ("platform_admin", None) in _grants(db, resident)


def test_community_role_needs_a_community(client, platform_admin, resident, login, db, english):
    login(platform_admin)
    response = _grant(client, resident.email, "specialist", 0)
    assert response.status_code == 422 and "Choose the community" in response.get_data(as_text=True)
    assert _grants(db, resident) == [("resident", resident.community_id)]


def test_granting_to_an_unknown_login_is_422(client, platform_admin, community, login, english):
    login(platform_admin)
    response = _grant(client, "nobody@example.test", "specialist", community.id)
    assert response.status_code == 422 and "No account" in response.get_data(as_text=True)


def test_granting_twice_is_409(client, platform_admin, resident, community, login):
    login(platform_admin)
    assert _grant(client, resident.email, "resident", community.id).status_code == 409


def test_resident_of_one_community_cannot_be_made_resident_of_another(client, platform_admin, resident, elsewhere,
                                                                      login, db):
    login(platform_admin)
    assert _grant(client, resident.email, "resident", elsewhere.id).status_code == 409
    assert _grants(db, resident) == [("resident", resident.community_id)]


def test_community_admin_grants_specialist_in_their_community(client, community_admin, resident, community,
                                                             login, db):
    login(community_admin)
    assert _grant(client, resident.email, "specialist", community.id).status_code == 302
    assert ("specialist", community.id) in _grants(db, resident)


@pytest.mark.parametrize("role", ["community_admin", "platform_admin"])
def test_community_admin_cannot_grant_admin_roles(client, community_admin, resident, community, login, db, role):
    login(community_admin)
    response = _grant(client, resident.email, role, 0 if role == "platform_admin" else community.id)
    assert response.status_code == 403
    assert _grants(db, resident) == [("resident", community.id)]


def test_community_admin_cannot_grant_in_another_community(client, community_admin, resident, elsewhere, login, db):
    login(community_admin)
    response = _grant(client, resident.email, "specialist", elsewhere.id)
    assert response.status_code in (403, 422)  # that community is not even offered
    assert ("specialist", elsewhere.id) not in _grants(db, resident)


def test_revoke_a_role(client, platform_admin, create_user, community, login, db, audit_actions):
    specialist = create_user("spec@example.test", roles=("resident", "specialist"))
    grant = next(g for g in specialist.role_grants if g.role == "specialist")
    login(platform_admin)
    response = client.post(f"/admin/grants/{grant.id}/revoke")
    assert response.status_code == 302
    assert _grants(db, specialist) == [("resident", community.id)]
    assert "role.revoked" in audit_actions()


def test_revoking_residency_leaves_the_community(client, platform_admin, resident, elsewhere, login, db):
    grant = resident.role_grants[0]
    login(platform_admin)
    assert client.post(f"/admin/grants/{grant.id}/revoke").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, resident.id).community_id is None
    assert _grant(client, resident.email, "resident", elsewhere.id).status_code == 302  # moving house
    db.session.expire_all()
    assert db.session.get(User, resident.id).community_id == elsewhere.id


def test_revoke_is_post_only(client, platform_admin, resident, login):
    login(platform_admin)
    assert client.get(f"/admin/grants/{resident.role_grants[0].id}/revoke").status_code == 405


def test_unknown_grant_is_404(client, platform_admin, login):
    login(platform_admin)
    assert client.post("/admin/grants/999999/revoke").status_code == 404


def test_platform_admin_cannot_demote_themselves(client, platform_admin, login, db, english):
    login(platform_admin)
    grant = platform_admin.role_grants[0]
    response = client.post(f"/admin/grants/{grant.id}/revoke")
    # The user's page again, with the reason and the rule's status (not a redirect that commits).
    assert response.status_code == 422
    assert "cannot remove your own platform admin role" in response.get_data(as_text=True)
    assert ("platform_admin", None) in _grants(db, platform_admin)


def test_community_admin_cannot_revoke_admin_roles_or_elsewhere(client, community_admin, create_user, elsewhere,
                                                               login, db):
    other_admin = create_user("admin2@example.test", roles=("community_admin",))
    outsider = create_user("out@example.test", roles=("specialist",), community_=elsewhere)
    login(community_admin)
    admin_grant = other_admin.role_grants[0]
    outside_grant = outsider.role_grants[0]
    assert client.post(f"/admin/grants/{admin_grant.id}/revoke").status_code == 403
    assert client.post(f"/admin/grants/{outside_grant.id}/revoke").status_code == 404
    assert _grants(db, other_admin) == [("community_admin", other_admin.role_grants[0].community_id)]
    assert _grants(db, outsider) == [("specialist", elsewhere.id)]


# -- users and talent ----------------------------------------------------------------------------

def test_user_list_is_scoped_to_the_admins_community(client, community_admin, resident, create_user, elsewhere,
                                                     login):
    outsider = create_user("out@example.test", community_=elsewhere)
    login(community_admin)
    page = client.get("/admin/users").get_data(as_text=True)
    assert resident.email in page and outsider.email not in page
    assert client.get(f"/admin/users/{outsider.id}").status_code == 404
    assert client.get(f"/admin/users/{resident.id}").status_code == 200


def test_user_list_filters(client, platform_admin, resident, create_user, elsewhere, login):
    outsider = create_user("out@example.test", community_=elsewhere, roles=("resident", "specialist"))
    login(platform_admin)
    page = client.get("/admin/users", query_string={"q": "OUT@"}).get_data(as_text=True)
    assert outsider.email in page and resident.email not in page
    page = client.get("/admin/users", query_string={"role": "specialist"}).get_data(as_text=True)
    assert outsider.email in page and resident.email not in page
    page = client.get("/admin/users", query_string={"community_id": elsewhere.id}).get_data(as_text=True)
    assert outsider.email in page and resident.email not in page
    assert client.get("/admin/users", query_string={"page": "x", "per_page": "-5"}).status_code == 200


def test_admin_sets_and_clears_talent(client, community_admin, resident, login, db, audit_actions):
    login(community_admin)
    assert client.post(f"/admin/users/{resident.id}",
                       data={"talent_type": "academic", "tier": "intermediate", "valid_until": "2028-01-31"}).status_code == 302
    db.session.expire_all()
    talent = db.session.get(User, resident.id).talent
    assert (talent.talent_type, talent.tier, str(talent.valid_until)) == ("academic", "intermediate", "2028-01-31")
    assert talent.verified_by_id == community_admin.id
    assert "talent_registry.entered" in audit_actions(community_id=resident.community_id)  # through the registry
    assert client.post(f"/admin/users/{resident.id}", data={"talent_type": "", "tier": ""}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, resident.id).talent.tier is None


@pytest.mark.parametrize("data", [{"tier": "legendary"}, {"talent_type": "wizard"}, {"valid_until": "31/12/2027"}])
def test_bad_talent_input_is_422(client, community_admin, resident, login, db, data):
    login(community_admin)
    assert client.post(f"/admin/users/{resident.id}", data=data).status_code == 422
    db.session.expire_all()
    assert db.session.get(User, resident.id).talent.tier is None


# -- audit log ---------------------------------------------------------------------------------

def _entries(page):
    """The audit entries part of the page (the filter menus list codes too)."""
    return page.split('data-section="audit-entries"', 1)[1]


def _actions(page):
    return re.findall(r'data-action="([^"]+)"', _entries(page))


def test_audit_log_is_scoped_to_the_admins_community(client, community_admin, create_user, elsewhere, login):
    create_user("here@example.test")
    create_user("there@example.test", community_=elsewhere)
    login(community_admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "role.granted" in _actions(page)
    assert "Elsewhere" not in page and "there@example.test" not in page
    # asking for the other community by filter shows nothing either
    page = client.get("/admin/audit", query_string={"community_id": elsewhere.id}).get_data(as_text=True)
    assert _actions(page) == []


def test_audit_log_entries_of_another_community_are_not_listed(client, community_admin, create_user, elsewhere,
                                                               login, db):
    from community.core.audit import AuditEntry

    there = create_user("there@example.test", community_=elsewhere)
    login(community_admin)
    page = client.get("/admin/audit", query_string={"per_page": 100}).get_data(as_text=True)
    foreign = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.community_id == elsewhere.id)).all()
    assert foreign
    assert not {f'data-entry-id="{entry.id}"' for entry in foreign} & set(re.findall(r'data-entry-id="\d+"', page))
    assert there.email not in page


def test_audit_log_filters(client, platform_admin, resident, create_user, elsewhere, login):
    login(platform_admin)
    client.post("/admin/roles", data={"login": resident.email, "role": "specialist",
                                      "community_id": resident.community_id})
    page = client.get("/admin/audit", query_string={"action": "role."}).get_data(as_text=True)
    assert "role.granted" in _actions(page) and "community.created" not in _actions(page)
    page = client.get("/admin/audit", query_string={"action": "role.granted"}).get_data(as_text=True)
    assert set(_actions(page)) == {"role.granted"}
    page = client.get("/admin/audit", query_string={"actor": "PLATFORM@"}).get_data(as_text=True)
    # the fixture created the community, no actor
    assert "role.granted" in _actions(page) and "community.created" not in _actions(page)
    page = client.get("/admin/audit", query_string={"object_type": "accounts.Community"}).get_data(as_text=True)
    assert "community.created" in _actions(page) and "role.granted" not in _actions(page)
    assert _actions(client.get("/admin/audit", query_string={"object_type": "Community"}).get_data(as_text=True)) == []
    page = client.get("/admin/audit", query_string={"community_id": elsewhere.id}).get_data(as_text=True)
    assert "community.created" in _actions(page) and "role.granted" not in _actions(page)
    assert client.get("/admin/audit", query_string={"community_id": "abc", "page": "0"}).status_code == 200


def test_object_type_choices_are_scoped(client, community_admin, elsewhere, login, db, monkeypatch):
    from community.core import audit, labels

    monkeypatch.setattr(labels, "AUDIT_LABELS", labels.AUDIT_LABELS.copy())
    labels.register_audit_labels("secrets", action_prefixes=["secret"])  # claimed, never labelled

    class SecretThing:
        id = 7

    audit.record(None, "secret.thing", SecretThing(), community_id=elsewhere.id, object_type="secrets.SecretThing")
    db.session.commit()
    login(community_admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "secret.thing" not in page and "SecretThing" not in page


def test_lists_page_through_results(client, platform_admin, create_user, login):
    users = [create_user(f"p{n}@example.test") for n in range(3)]
    login(platform_admin)
    first = client.get("/admin/users", query_string={"per_page": 2, "role": "resident"}).get_data(as_text=True)
    assert users[0].email in first and users[2].email not in first
    assert "page=2" in first
    second = client.get("/admin/users", query_string={"per_page": 2, "role": "resident", "page": 2})
    assert users[2].email in second.get_data(as_text=True)
    assert client.get("/admin/audit", query_string={"per_page": 1}).status_code == 200


def test_failed_operation_writes_no_audit_entry(client, platform_admin, resident, login, audit_actions):
    login(platform_admin)
    before = audit_actions()
    _grant(client, resident.email, "resident", resident.community_id)  # 409
    assert audit_actions() == before


def test_grants_are_audited_with_actor(client, platform_admin, resident, community, login, db):
    from community.core.audit import AuditEntry

    login(platform_admin)
    _grant(client, resident.email, "specialist", community.id)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "role.granted",
                                                          AuditEntry.actor_id == platform_admin.id))
    assert entry.object_type == "accounts.User" and entry.object_id == resident.id
    assert entry.details == {"role": "specialist"} and entry.community_id == community.id
    assert db.session.scalar(sa.select(RoleGrant.granted_by_id).where(RoleGrant.role == "specialist")) == platform_admin.id
