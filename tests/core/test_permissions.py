"""core.permissions: roles by community, ownership, and the decorators' 401/403."""
import pytest
from werkzeug.exceptions import NotFound

from community.core import permissions as perms


@pytest.fixture
def elsewhere(create_community):
    return create_community("Elsewhere")


def test_has_role_is_scoped_to_the_community(create_user, community, elsewhere):
    admin = create_user("a@example.test", roles=("community_admin",))
    assert perms.has_role(admin, "community_admin")
    assert perms.has_role(admin, "community_admin", community.id)
    assert not perms.has_role(admin, "community_admin", elsewhere.id)
    assert not perms.has_role(admin, "resident")
    assert perms.community_ids_with_role(admin, "community_admin") == {community.id}


def test_platform_admin_passes_every_check_but_holds_only_its_role(platform_admin, elsewhere):
    assert perms.has_role(platform_admin, "community_admin", elsewhere.id)
    assert perms.has_role(platform_admin, "resident")
    assert perms.community_ids_with_role(platform_admin, "community_admin") is None
    assert perms.holds_role(platform_admin, "platform_admin")
    assert not perms.holds_role(platform_admin, "resident")


def test_anonymous_holds_nothing():
    from flask_login import AnonymousUserMixin

    assert not perms.has_role(AnonymousUserMixin(), "resident")
    assert not perms.has_role(None, "resident")
    assert not perms.holds_role(None, "resident")


def test_ensure_owner(create_user, community, elsewhere, app):
    owner = create_user("owner@example.test")
    other = create_user("other@example.test")
    admin_here = create_user("admin@example.test", roles=("community_admin",))
    admin_there = create_user("there@example.test", roles=("community_admin",), community_=elsewhere)
    perms.ensure_owner(owner, owner, "id", community_id=community.id)
    perms.ensure_owner(admin_here, owner, "id", community_id=community.id)
    for intruder in (other, admin_there):  # not theirs: answered as if it did not exist
        with pytest.raises(NotFound):
            perms.ensure_owner(intruder, owner, "id", community_id=community.id)
    with pytest.raises(NotFound):  # no community given: only the owner (or a platform admin)
        perms.ensure_owner(admin_here, owner, "id")


def test_role_required_answers_401_then_403(make_app, create_user, assert_problem):
    app = make_app()

    @app.route("/api/v1/test-admin-only")
    @perms.role_required(perms.COMMUNITY_ADMIN)
    def admin_only():
        return {"ok": True}

    client = app.test_client()
    assert_problem(client.get("/api/v1/test-admin-only"), 401)
    user = create_user("r@example.test")
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": "secret123"})
    headers = {"Authorization": "Bearer " + response.get_json()["token"]}
    assert_problem(client.get("/api/v1/test-admin-only", headers=headers), 403)
    admin = create_user("a@example.test", roles=("community_admin",))
    response = client.post("/api/v1/auth/token", json={"email": admin.email, "password": "secret123"})
    headers = {"Authorization": "Bearer " + response.get_json()["token"]}
    assert client.get("/api/v1/test-admin-only", headers=headers).get_json() == {"ok": True}
