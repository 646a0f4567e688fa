"""A page that caught a domain error answers 4xx and keeps nothing the failed operation wrote.

The operations here flush their change and the audit row, then send a signal; a listener in another
domain may still refuse (a DomainError) after that. Before this was fixed the admin pages caught the
refusal and redirected (302), and the unit of work committed the half-done change with it."""
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from community.accounts.models import RoleGrant, User
from community.core import signals
from community.core.audit import AuditEntry
from community.core.errors import Conflict


@contextmanager
def refused_by_a_listener(signal):
    """Another domain says no once the operation has flushed (e.g. "no flat free for them")."""

    def refuse(_sender, **_kwargs):
        raise Conflict("Another domain refused this.", code="refused_downstream")

    with signal.connected_to(refuse):
        yield


def _stored(db, user_id):
    db.session.expire_all()
    grants = sorted((g.role, g.community_id) for g in db.session.get(User, user_id).role_grants)
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_id == user_id,
                                                                    AuditEntry.action.like("role.%"))).all()
    return grants, actions


def test_a_failed_verify_writes_nothing(client, register_applicant, community_admin, login, db, english):
    applicant_id = register_applicant().id
    login(community_admin)
    with refused_by_a_listener(signals.role_granted):
        response = client.post(f"/admin/users/{applicant_id}/verify")
    assert _stored(db, applicant_id) == ([], [])  # neither the grant nor its audit row
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Another domain refused this." in page
    assert "data-awaiting" in page  # the page shows what is stored: still waiting
    # and the office can verify once the other domain agrees
    assert client.post(f"/admin/users/{applicant_id}/verify").status_code == 302
    assert _stored(db, applicant_id)[0] == [("resident", db.session.get(User, applicant_id).community_id)]


def test_a_failed_revoke_writes_nothing(client, create_user, platform_admin, community, login, db, english):
    specialist = create_user("spec@example.test", roles=("resident", "specialist"))
    grant_id = next(g.id for g in specialist.role_grants if g.role == "specialist")
    before = _stored(db, specialist.id)
    login(platform_admin)
    with refused_by_a_listener(signals.role_revoked):
        response = client.post(f"/admin/grants/{grant_id}/revoke")
    assert _stored(db, specialist.id) == before  # the grant is still there, and no audit row
    assert db.session.get(RoleGrant, grant_id) is not None
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Another domain refused this." in page
    assert f"/admin/grants/{grant_id}/revoke" in page  # the grant is still listed, as it is still stored


def test_a_failed_grant_writes_nothing(client, resident, platform_admin, community, login, db, english):
    before = _stored(db, resident.id)
    login(platform_admin)
    with refused_by_a_listener(signals.role_granted):
        response = client.post("/admin/roles", data={"login": resident.email, "role": "specialist",
                                                     "community_id": community.id})
    assert response.status_code == 409 and "Another domain refused this." in response.get_data(as_text=True)
    assert _stored(db, resident.id) == before


@pytest.fixture
def register_applicant(client, community, db):
    """Someone who registered for the community and waits for its office."""

    def _register():
        response = client.post("/register", data={
            "login": "applicant@example.test", "display_name": "Applicant", "community_id": community.id,
            "password": "Secret123x", "confirm": "Secret123x"})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        client.post("/logout")
        return db.session.scalar(sa.select(User).where(User.email == "applicant@example.test"))

    return _register
