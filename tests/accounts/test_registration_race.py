"""Two registrations of one login at the same moment: the existence check cannot see a row that
commits after it, so the unique constraint decides, and the loser gets the same 409 Conflict as
a plain duplicate, never a 500. Also for community names."""
import threading

import pytest
import sqlalchemy as sa

from community.accounts import operations as ops
from community.accounts.models import Community, RoleGrant, TalentProfile, User
from community.core.audit import AuditEntry
from community.core.errors import Conflict

PASSWORD = "goodpass123"


def _form(community, login="race@example.test", name="Loser"):
    community_id = community if isinstance(community, int) else community.id
    return {"login": login, "display_name": name, "community_id": community_id,
            "password": PASSWORD, "confirm": PASSWORD}


def _count(db, stmt):
    db.session.expire_all()
    return db.session.scalar(stmt)


@pytest.fixture
def rival_registers_after_the_check(app, monkeypatch):
    """find_user_by_login answers "nobody" and, before the caller flushes, another session
    registers and commits the same login: the race, made deterministic."""
    original = ops.find_user_by_login
    raced = []

    def check_then_rival_commits(login):
        found = original(login)
        if not raced:
            raced.append(login)
            with app.app_context():  # its own session and connection
                from community.extensions import db

                ops.register_user(login=login, password=PASSWORD, display_name="Winner")
                db.session.commit()
        return found

    monkeypatch.setattr(ops, "find_user_by_login", check_then_rival_commits)
    return raced


def test_page_registration_losing_the_race_is_409_not_500(client, db, community, english,
                                                          rival_registers_after_the_check):
    response = client.post("/register", data=_form(community))
    assert rival_registers_after_the_check == ["race@example.test"]
    assert response.status_code == 409
    assert "already exists" in response.get_data(as_text=True)
    users = db.session.scalars(sa.select(User)).all()
    assert [u.display_name for u in users] == ["Winner"]
    # the loser left nothing: no grant, no talent profile, no audit entry of its own
    assert _count(db, sa.select(sa.func.count(RoleGrant.id))) == 0
    assert _count(db, sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "user.registered")) == 1


def test_mobile_registration_losing_the_race_is_409(client, db, community, rival_registers_after_the_check):
    assert client.post("/register", data=_form(community, login="13912345678")).status_code == 409
    assert _count(db, sa.select(sa.func.count(User.id))) == 1


def test_the_operation_raises_conflict_and_the_session_stays_usable(db, community,
                                                                    rival_registers_after_the_check):
    with pytest.raises(Conflict) as caught:
        ops.register_user(login="race@example.test", password=PASSWORD, display_name="Loser")
    assert caught.value.code == "login_taken" and caught.value.status == 409
    # only the SAVEPOINT was rolled back: the unit of work goes on and commits
    other = ops.register_user(login="other@example.test", password=PASSWORD, display_name="Other")
    db.session.commit()
    names = db.session.scalars(sa.select(User.display_name).order_by(User.id)).all()
    assert names == ["Winner", "Other"] and other.id is not None


def test_a_community_name_taken_after_the_check_is_409(app, client, db, platform_admin, login, monkeypatch):
    original = db.session.scalar
    raced = []

    def scalar(stmt, *args, **kwargs):
        found = original(stmt, *args, **kwargs)
        if not raced and "communities.name" in str(stmt):
            raced.append(True)
            with app.app_context():
                ops.create_community(name="滨江", timezone="Asia/Shanghai")
                db.session.commit()
        return found

    login(platform_admin)
    monkeypatch.setattr(db.session, "scalar", scalar, raising=False)
    response = client.post("/admin/communities", data={"name": "滨江", "timezone": "Asia/Shanghai"})
    monkeypatch.undo()
    assert raced and response.status_code == 409
    assert _count(db, sa.select(sa.func.count(Community.id)).where(Community.name == "滨江")) == 1


def test_other_integrity_errors_are_not_dressed_up_as_conflicts(db):
    """Only a unique-key refusal means "already exists"; a broken rule stays an error."""
    nobody = User(email=None, mobile=None, display_name="x", password_hash="x")  # breaks ck has_login
    with pytest.raises(sa.exc.IntegrityError):
        ops._insert_unique(nobody, ops._login_taken)


def test_two_people_register_the_same_email_at_once(app, db, community, monkeypatch):
    """Real concurrency: two threads, two sessions, both past the check before either inserts.
    PostgreSQL makes the second INSERT wait for the first commit, then refuses it; SQLite
    queues the second writer behind the first. Either way: one 302, one 409."""
    original = ops.find_user_by_login
    both_checked = threading.Barrier(2, timeout=20)
    first_calls = []

    def check_together(login):
        found = original(login)
        if len(first_calls) < 2:
            first_calls.append(login)
            both_checked.wait()
        return found

    monkeypatch.setattr(ops, "find_user_by_login", check_together)
    community_id, statuses = community.id, [None, None]

    def register(index):
        statuses[index] = app.test_client().post(
            "/register", data=_form(community_id, login="Same@Example.test", name=f"Person {index}")
        ).status_code

    threads = [threading.Thread(target=register, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [302, 409]
    assert _count(db, sa.select(sa.func.count(User.id))) == 1
    assert _count(db, sa.select(sa.func.count(TalentProfile.id))) == 1  # nothing of the loser is left


def test_many_threads_on_postgresql(pg_only, app, db, community):
    """Ten unsynchronised registrations of one address on PostgreSQL: exactly one account."""
    community_id, statuses = community.id, []
    start = threading.Barrier(10, timeout=20)

    def register(index):
        client = app.test_client()
        start.wait()
        statuses.append(client.post("/register", data=_form(community_id, login="crowd@example.test",
                                                           name=f"P{index}")).status_code)

    threads = [threading.Thread(target=register, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [302] + [409] * 9
    assert _count(db, sa.select(sa.func.count(User.id))) == 1
