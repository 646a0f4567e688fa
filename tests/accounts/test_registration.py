"""Registration by e-mail or mobile number, with the password rule and its error messages."""
import pytest
import sqlalchemy as sa

from community.accounts.models import RoleGrant, User


@pytest.fixture
def register(client, community):
    def _register(login="new@example.test", password="goodpass123", confirm=None, name="New Person",
                  community_id=None):
        return client.post("/register", data={
            "login": login, "display_name": name, "community_id": community_id or community.id,
            "password": password, "confirm": password if confirm is None else confirm,
        })

    return _register


def _users(db):
    db.session.expire_all()
    return db.session.scalars(sa.select(User)).all()


def test_register_by_email_logs_in_as_an_applicant_awaiting_verification(client, register, db, community,
                                                                         audit_actions):
    response = register("New@Example.test")
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    user = db.session.scalar(sa.select(User).where(User.email == "new@example.test"))
    assert user is not None and user.community_id == community.id
    assert user.role_grants == []  # a resident only once the community office verifies them
    assert user.password_hash.startswith("pbkdf2:") and "goodpass123" not in user.password_hash
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert 'data-panel="applicant"' in dashboard and 'data-panel="resident"' not in dashboard
    assert audit_actions(action="user.registered") == ["user.registered"]


def test_the_community_office_verifies_an_applicant(client, register, db, community, community_admin, login):
    register("applicant@example.test")
    client.post("/logout")
    applicant = db.session.scalar(sa.select(User).where(User.email == "applicant@example.test"))
    login(community_admin)
    assert "data-awaiting" in client.get("/dashboard").get_data(as_text=True)
    listed = client.get("/admin/users?awaiting=1").get_data(as_text=True)
    assert "applicant@example.test" in listed and "admin@example.test" not in listed
    assert client.post(f"/admin/users/{applicant.id}/verify").status_code == 302
    db.session.expire_all()
    assert [(g.role, g.community_id) for g in applicant.role_grants] == [("resident", community.id)]
    assert "applicant@example.test" not in client.get("/admin/users?awaiting=1").get_data(as_text=True)
    assert client.post(f"/admin/users/{applicant.id}/verify").status_code == 409  # twice: explained, no change
    db.session.expire_all()
    assert len(applicant.role_grants) == 1


def test_an_office_cannot_verify_an_applicant_of_another_community(client, register, db, create_community,
                                                                   create_user, login):
    register("applicant@example.test")
    client.post("/logout")
    applicant = db.session.scalar(sa.select(User).where(User.email == "applicant@example.test"))
    elsewhere = create_community("Elsewhere")
    login(create_user("far-admin@example.test", roles=("community_admin",), community_=elsewhere))
    assert client.post(f"/admin/users/{applicant.id}/verify").status_code == 404
    assert "applicant@example.test" not in client.get("/admin/users?awaiting=1").get_data(as_text=True)
    db.session.expire_all()
    assert applicant.role_grants == []


def test_register_by_mobile_number(client, register, db):
    assert register("+86 139 1234 5678").status_code == 302
    user = db.session.scalar(sa.select(User).where(User.mobile == "13912345678"))
    assert user is not None and user.email is None
    client.post("/logout")
    assert client.post("/login", data={"login": "13912345678", "password": "goodpass123"}).status_code == 302


@pytest.mark.parametrize("password, message", [
    ("short1", "Use at least 8 characters."),
    ("onlyletters", "Use both letters and digits."),
    ("1234567890", "Use both letters and digits."),
])
def test_weak_passwords_are_refused_with_the_rule(register, english, db, password, message):
    response = register(password=password)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _users(db) == []


def test_password_equal_to_the_login_is_refused(register, english, db):
    response = register(login="abc12345@example.test", password="abc12345@example.test")
    assert response.status_code == 422
    assert "must not be your e-mail or mobile number" in response.get_data(as_text=True)
    assert _users(db) == []


def test_password_mismatch(register, english, db):
    response = register(password="goodpass123", confirm="goodpass124")
    assert response.status_code == 422
    assert "The passwords do not match." in response.get_data(as_text=True)
    assert _users(db) == []


@pytest.mark.parametrize("login", ["not-an-address", "someone@", "@example.test", "12345", "1381234567"])
def test_bad_login_format(register, english, db, login):
    response = register(login=login)
    assert response.status_code == 422
    assert "Enter an e-mail address or an 11-digit mainland mobile number." in response.get_data(as_text=True)
    assert _users(db) == []


def test_duplicate_email_is_refused(register, create_user, english, db):
    create_user("taken@example.test")
    response = register(login="TAKEN@example.test")
    assert response.status_code == 409
    assert "already exists" in response.get_data(as_text=True)
    assert len(_users(db)) == 1


def test_duplicate_mobile_is_refused(register, create_user, english, db):
    create_user("13812345678")
    response = register(login="+8613812345678")
    assert response.status_code == 409
    assert len(_users(db)) == 1


def test_missing_fields_are_422_not_500(client, community):
    response = client.post("/register", data={})
    assert response.status_code == 422


def test_unknown_community_is_refused(register, db):
    assert register(community_id=999_999).status_code == 422
    assert _users(db) == []


def test_register_page_renders(client, community):
    response = client.get("/register")
    assert response.status_code == 200 and community.name in response.get_data(as_text=True)


def test_logged_in_user_is_sent_to_the_dashboard(client, resident, login):
    login(resident)
    assert client.get("/register").headers["Location"].endswith("/dashboard")


def test_failed_registration_leaves_nothing_behind(register, db, audit_actions):
    register(login="abc12345@example.test", password="abc12345@example.test")
    assert _users(db) == []
    assert audit_actions(action="user.registered") == []
    assert db.session.scalar(sa.select(sa.func.count(RoleGrant.id))) == 0
