"""core.permissions: roles by scope (community, merchant, everywhere), ownership, and refusals that
are domain errors answered the same way from a decorator, a helper or an abort()."""
from urllib.parse import parse_qs, urlsplit

import pytest
from flask_login import AnonymousUserMixin, login_user

from community.accounts import operations as ops
from community.core import permissions as perms
from community.core.errors import LoginRequired, NotFound, PermissionDenied
from tests.factories.perks import merchants_numbered

MERCHANT_A, MERCHANT_B = 101, 202
numbered_merchants = merchants_numbered(MERCHANT_A, MERCHANT_B)


@pytest.fixture
def staff_of(create_user, db):
    """staff_of(merchant_id) -> a user who is merchant_staff at that merchant only."""

    def _staff(merchant_id, email=None):
        user = create_user(email or f"staff{merchant_id}@example.test", roles=())
        ops.grant_role(user, perms.MERCHANT_STAFF, merchant_id=merchant_id)
        db.session.commit()
        return user

    return _staff


# -- community scope ---------------------------------------------------------------------------

def test_has_role_is_scoped_to_the_community(create_user, community, elsewhere):
    admin = create_user("a@example.test", roles=("community_admin",))
    assert perms.has_role(admin, "community_admin")
    assert perms.has_role(admin, "community_admin", community.id)
    assert not perms.has_role(admin, "community_admin", elsewhere.id)
    assert not perms.has_role(admin, "resident")
    assert perms.community_ids_with_role(admin, "community_admin") == {community.id}
    assert perms.merchant_ids_with_role(admin, "community_admin") == set()


# -- merchant scope ----------------------------------------------------------------------------

def test_merchant_staff_is_scoped_to_their_merchant(staff_of, community):
    staff = staff_of(MERCHANT_A)
    assert perms.has_role(staff, perms.MERCHANT_STAFF)  # somewhere: the dashboard's question
    assert perms.has_role(staff, perms.MERCHANT_STAFF, merchant_id=MERCHANT_A)
    assert not perms.has_role(staff, perms.MERCHANT_STAFF, merchant_id=MERCHANT_B)
    # a merchant grant is in no community
    assert not perms.has_role(staff, perms.MERCHANT_STAFF, community.id)
    assert not perms.has_role(staff, perms.MERCHANT_STAFF, community.id, merchant_id=MERCHANT_A)
    assert perms.merchant_ids_with_role(staff, perms.MERCHANT_STAFF) == {MERCHANT_A}
    assert perms.community_ids_with_role(staff, perms.MERCHANT_STAFF) == set()


def test_staff_of_two_merchants_hold_each_and_only_those(staff_of, db):
    staff = staff_of(MERCHANT_A)
    ops.grant_role(staff, perms.MERCHANT_STAFF, merchant_id=MERCHANT_B)
    db.session.commit()
    assert perms.merchant_ids_with_role(staff, perms.MERCHANT_STAFF) == {MERCHANT_A, MERCHANT_B}
    assert not perms.has_role(staff, perms.MERCHANT_STAFF, merchant_id=303)


def test_a_community_role_is_at_no_merchant(community_admin):
    assert not perms.has_role(community_admin, perms.COMMUNITY_ADMIN, merchant_id=MERCHANT_A)
    assert not perms.has_role(community_admin, perms.MERCHANT_STAFF, merchant_id=MERCHANT_A)
    assert perms.merchant_ids_with_role(community_admin, perms.MERCHANT_STAFF) == set()


def test_merchant_staff_granted_in_a_community_is_at_no_merchant(create_user, community, elsewhere):
    """The shape every merchant_staff grant had before merchants existed: it works in its community
    and nowhere else, and names no merchant."""
    staff = create_user("old-staff@example.test", roles=("merchant_staff",))
    assert perms.has_role(staff, perms.MERCHANT_STAFF, community.id)
    assert not perms.has_role(staff, perms.MERCHANT_STAFF, elsewhere.id)
    assert not perms.has_role(staff, perms.MERCHANT_STAFF, merchant_id=MERCHANT_A)
    assert perms.merchant_ids_with_role(staff, perms.MERCHANT_STAFF) == set()
    assert perms.community_ids_with_role(staff, perms.MERCHANT_STAFF) == {community.id}


def test_platform_admin_passes_every_check_but_holds_only_its_role(platform_admin, elsewhere):
    assert perms.has_role(platform_admin, "community_admin", elsewhere.id)
    assert perms.has_role(platform_admin, "resident")
    assert perms.has_role(platform_admin, perms.MERCHANT_STAFF, merchant_id=MERCHANT_B)
    assert perms.has_role(platform_admin, perms.MERCHANT_STAFF, elsewhere.id, merchant_id=MERCHANT_A)
    assert perms.community_ids_with_role(platform_admin, "community_admin") is None
    assert perms.merchant_ids_with_role(platform_admin, perms.MERCHANT_STAFF) is None
    assert perms.holds_role(platform_admin, "platform_admin")
    assert not perms.holds_role(platform_admin, "resident")


def test_anonymous_holds_nothing():
    assert not perms.has_role(AnonymousUserMixin(), "resident")
    assert not perms.has_role(None, "resident")
    assert not perms.has_role(None, perms.MERCHANT_STAFF, merchant_id=MERCHANT_A)
    assert not perms.holds_role(None, "resident")


# -- helpers raise domain errors ---------------------------------------------------------------

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


def test_ensure_role_by_scope(app, staff_of, community_admin, platform_admin, community, elsewhere):
    staff = staff_of(MERCHANT_A)
    with app.test_request_context():
        with pytest.raises(LoginRequired):
            perms.ensure_role(perms.MERCHANT_STAFF, merchant_id=MERCHANT_A)
        login_user(staff)
        perms.ensure_role(perms.MERCHANT_STAFF, merchant_id=MERCHANT_A)
        with pytest.raises(PermissionDenied):
            perms.ensure_role(perms.MERCHANT_STAFF, merchant_id=MERCHANT_B)
    with app.test_request_context():
        login_user(community_admin)
        perms.ensure_role(perms.COMMUNITY_ADMIN, community.id)
        with pytest.raises(PermissionDenied):
            perms.ensure_role(perms.COMMUNITY_ADMIN, elsewhere.id)
    with app.test_request_context():
        login_user(platform_admin)
        perms.ensure_role(perms.COMMUNITY_ADMIN, elsewhere.id)
        perms.ensure_role(perms.MERCHANT_STAFF, merchant_id=MERCHANT_B)


def test_get_or_404(db, community):
    from community.accounts.models import Community

    assert perms.get_or_404(Community, community.id) == community
    with pytest.raises(NotFound):
        perms.get_or_404(Community, community.id + 1000)


# -- one way to refuse: the same answer from every path ----------------------------------------

@pytest.fixture
def refusing_app(make_app):
    """An app with routes that refuse in each way the code base can."""
    from flask import abort

    app = make_app()

    @app.route("/api/v1/test-admin-only")
    @app.route("/test-admin-only")
    @perms.role_required(perms.COMMUNITY_ADMIN)
    def admin_only():
        return {"ok": True}

    @app.route("/test-logged-in")
    @perms.login_required
    def logged_in():
        return "in"

    @app.route("/api/v1/test-abort-403")
    def abort_403():
        abort(403)

    @app.route("/api/v1/test-raise-403")
    def raise_403():
        raise PermissionDenied()

    @app.route("/api/v1/test-abort-404")
    def abort_404():
        abort(404)

    @app.route("/api/v1/test-raise-404")
    def raise_404():
        raise NotFound()

    return app


def _token_headers(client, user):
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": "secret123"})
    return {"Authorization": "Bearer " + response.get_json()["token"]}


def test_role_required_answers_401_then_403_in_the_api(refusing_app, create_user, assert_problem):
    client = refusing_app.test_client()
    response = client.get("/api/v1/test-admin-only")
    assert_problem(response, 401, "login_required")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    resident = create_user("r@example.test")
    assert_problem(client.get("/api/v1/test-admin-only", headers=_token_headers(client, resident)), 403,
                   "forbidden")
    admin = create_user("a@example.test", roles=("community_admin",))
    assert client.get("/api/v1/test-admin-only", headers=_token_headers(client, admin)).get_json() == {"ok": True}


def test_anonymous_pages_go_to_the_login_form_and_come_back(refusing_app):
    client = refusing_app.test_client()
    for path in ("/test-admin-only?x=1", "/test-logged-in"):
        response = client.get(path)
        assert response.status_code == 302
        location = urlsplit(response.headers["Location"])
        assert location.path == "/login" and parse_qs(location.query)["next"] == [path]


def test_a_page_refusal_is_the_403_error_page(refusing_app, create_user):
    client = refusing_app.test_client()
    resident = create_user("r@example.test")
    client.post("/login", data={"login": resident.email, "password": "secret123"})
    client.get("/lang/en")
    response = client.get("/test-admin-only")
    assert response.status_code == 403 and response.mimetype == "text/html"
    assert "You do not have permission" in response.get_data(as_text=True)
    assert client.get("/test-logged-in").get_data(as_text=True) == "in"


@pytest.mark.parametrize("status", [403, 404])
def test_abort_and_a_domain_error_read_the_same(refusing_app, assert_problem, status):
    client = refusing_app.test_client()
    aborted = assert_problem(client.get(f"/api/v1/test-abort-{status}"), status)
    raised = assert_problem(client.get(f"/api/v1/test-raise-{status}"), status)
    assert aborted == raised
    assert aborted["code"] == {403: "forbidden", 404: "not_found"}[status]
