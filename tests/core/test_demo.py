"""`flask demo load`: fixed demo logins, idempotent, refused under Production; each role's dashboard."""
import pytest
import sqlalchemy as sa

from community.accounts.models import Community, User
from community.perks.models import Merchant

DEMO_PASSWORD = "demo12345"
DEMO_LOGINS = ["platform@demo.test", "admin@demo.test", "specialist@demo.test", "merchant@demo.test"] + [
    f"resident{i}@demo.test" for i in range(1, 7)] + ["reviewer@demo.test", "specialist2@demo.test"]


@pytest.fixture
def demo(app, db):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return result


def _row_counts(db):
    db.session.expire_all()
    return {table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def test_demo_load_creates_the_fixed_logins(demo, db):
    assert DEMO_PASSWORD in demo.output
    for email in DEMO_LOGINS:
        assert email in demo.output
    emails = set(db.session.scalars(sa.select(User.email)))
    assert emails == set(DEMO_LOGINS)
    [community] = db.session.scalars(sa.select(Community)).all()
    assert len(community.buildings) >= 2 and community.timezone == "Asia/Shanghai"
    roles = {u.email: {(g.role, g.community_id) for g in u.role_grants} for u in db.session.scalars(sa.select(User))}
    cafe = db.session.scalar(sa.select(Merchant).where(Merchant.name == "拾光咖啡"))
    assert roles["platform@demo.test"] == {("platform_admin", None)}
    assert roles["admin@demo.test"] == {("community_admin", community.id)}
    assert roles["specialist@demo.test"] == {("specialist", community.id)}
    # Staff of the café (a merchant-scoped grant; the demo's old community-scoped one is gone).
    assert {(g.role, g.merchant_id) for g in db.session.scalar(sa.select(User).where(User.email == "merchant@demo.test")).role_grants} == {
        ("merchant_staff", cafe.id)}
    for i in range(1, 7):
        assert roles[f"resident{i}@demo.test"] == {("resident", community.id)}


def test_demo_load_is_idempotent(app, demo, db):
    before = _row_counts(db)
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert _row_counts(db) == before
    assert "created" not in result.output


@pytest.mark.filterwarnings("ignore:REDIS_URL is not set")  # expected: this test has no Redis
def test_demo_load_is_refused_under_production(make_app, db, monkeypatch, database_url):
    from config import Production

    monkeypatch.setenv("DATABASE_URL", database_url)
    app = make_app(Production, SECRET_KEY="a-real-secret", SQLALCHEMY_DATABASE_URI=database_url,
                   PUBLIC_BASE_URL="https://community.example.cn")
    with app.app_context():  # CLI commands run in the active app context; make it this app's
        result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0
    assert "Refusing" in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


@pytest.mark.parametrize("email, panel, absent", [
    ("platform@demo.test", 'data-panel="operator" data-scope="platform"', ["resident", "merchant", "specialist"]),
    ("admin@demo.test", 'data-panel="operator" data-scope="community"', ["resident", "merchant", "specialist"]),
    ("specialist@demo.test", 'data-panel="specialist"', ["resident", "merchant", "operator"]),
    ("merchant@demo.test", 'data-panel="merchant"', ["resident", "specialist", "operator"]),
    ("resident1@demo.test", 'data-panel="resident"', ["merchant", "specialist", "operator"]),
])
def test_each_demo_role_lands_on_its_own_dashboard(client, demo, email, panel, absent):
    response = client.post("/login", data={"login": email, "password": DEMO_PASSWORD}, follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == "/dashboard"
    page = response.get_data(as_text=True)
    assert panel in page
    for other in absent:
        assert f'data-panel="{other}"' not in page


def test_demo_residents_show_their_tier(client, demo):
    client.get("/lang/en")
    client.post("/login", data={"login": "resident1@demo.test", "password": DEMO_PASSWORD})
    assert "Senior" in client.get("/dashboard").get_data(as_text=True)


def test_a_load_racing_another_fails_cleanly_and_saves_nothing(demo, app, db, monkeypatch):
    """A second `flask demo load` that checked before the first one committed: the unique key
    refuses its user, and it says so instead of a traceback, leaving the data as it was."""
    import community.accounts.demo as accounts_demo

    before = _row_counts(db)
    monkeypatch.setattr(accounts_demo, "demo_user", lambda email: None)
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 1
    from community.accounts.operations import _login_taken

    with app.test_request_context():  # outside a request, domain errors speak the default locale
        taken = str(_login_taken().message)
    assert taken in result.output and "run this one again" in result.output
    assert "Traceback" not in result.output
    assert _row_counts(db) == before


def test_demo_has_one_resident_whose_tier_expired(demo, db):
    from datetime import date

    tiers = {u.email: u.talent for u in db.session.scalars(sa.select(User))}
    assert tiers["resident4@demo.test"].has_expired(date(2025, 1, 1))
    assert tiers["resident1@demo.test"].is_current(date(2025, 1, 1))
