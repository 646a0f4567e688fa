"""Registration is limited per address (issue 9, defect 9): REGISTER_RATE_LIMIT accounts created,
REGISTER_ATTEMPT_RATE_LIMIT forms sent; over either, a friendly 429 page and nothing is created."""
import pytest
import sqlalchemy as sa

from community.accounts.models import User

HOME, ELSEWHERE = {"REMOTE_ADDR": "203.0.113.50"}, {"REMOTE_ADDR": "198.51.100.60"}


@pytest.fixture
def register(app, community):
    def _register(login, *, environ_base=HOME, password="goodpass123", headers=None):
        client = app.test_client()  # a new browser each time: nobody is logged in yet
        return client.post("/register", environ_base=environ_base, headers=headers or {}, data={
            "login": login, "display_name": "Someone", "community_id": community.id,
            "password": password, "confirm": password})

    return _register


def _count_users(db):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def test_one_address_opens_only_a_few_accounts(app, db, register):
    allowed = int(app.config["REGISTER_RATE_LIMIT"].split()[0])
    for n in range(allowed):
        assert register(f"person{n}@example.test").status_code == 302
    before = _count_users(db)
    refused = register("one-too-many@example.test")
    assert refused.status_code == 429 and refused.mimetype == "text/html"
    assert 'data-page="register-limited"' in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    assert _count_users(db) == before
    assert register("neighbour@example.test", environ_base=ELSEWHERE).status_code == 302


def test_typos_do_not_use_up_the_accounts_budget(app, register, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTER_RATE_LIMIT", "2 per hour")
    for n in range(4):
        assert register(f"typo{n}@example.test", password="short").status_code == 422
    assert register("first@example.test").status_code == 302
    assert register("second@example.test").status_code == 302
    assert register("third@example.test").status_code == 429


def test_probing_which_logins_exist_is_bounded(app, register, create_user, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTER_ATTEMPT_RATE_LIMIT", "3 per hour")
    taken = create_user("taken@example.test")
    for _ in range(3):
        assert register(taken.email).status_code == 409
    assert register(taken.email).status_code == 429


def test_the_page_is_friendly_in_both_languages(app, register, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTER_RATE_LIMIT", "1 per hour")
    register("first@example.test")
    page = register("second@example.test").get_data(as_text=True)
    assert "请稍后再试" in page and "社区办公室" in page
    english = app.test_client()
    english.get("/lang/en")
    response = english.post("/register", environ_base=HOME, data={"login": "third@example.test"})
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Please try again later" in page and "Please try again in about" in page


def test_json_clients_get_problem_json(app, register, monkeypatch, assert_problem):
    monkeypatch.setitem(app.config, "REGISTER_RATE_LIMIT", "1 per hour")
    register("first@example.test")
    assert_problem(register("second@example.test", headers={"Accept": "application/json"}), 429)


def test_other_limits_keep_their_usual_page(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_IP", "1 per minute")
    client.post("/login", data={"login": "a@example.test", "password": "x"})
    response = client.post("/login", data={"login": "b@example.test", "password": "x"})
    assert response.status_code == 429 and 'data-page="register-limited"' not in response.get_data(as_text=True)


def test_showing_the_form_is_not_limited(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTER_ATTEMPT_RATE_LIMIT", "1 per hour")
    for _ in range(3):
        assert client.get("/register").status_code == 200
