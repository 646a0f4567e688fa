"""Role grants name their scope: a community, a merchant (merchant_staff) or none (platform_admin).
The operation says so in words, the table's CHECK and unique indexes say it again."""
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from community.accounts import operations as ops
from community.accounts.models import RoleGrant, User
from community.core.audit import AuditEntry
from community.core.errors import Conflict, PermissionDenied, RuleViolation
from tests.factories.perks import merchants_numbered

MERCHANT_A, MERCHANT_B = 101, 202
numbered_merchants = merchants_numbered(MERCHANT_A, MERCHANT_B, 7)


@pytest.fixture
def person(create_user):
    return create_user("person@example.test", roles=())


def _scopes(db, user):
    db.session.expire_all()
    grants = db.session.get(User, user.id).role_grants
    return sorted(((g.role, g.community_id, g.merchant_id) for g in grants), key=lambda scope: repr(scope))


# -- the operation -----------------------------------------------------------------------------

def test_grant_merchant_staff_at_a_merchant(db, person, platform_admin):
    grant = ops.grant_role(person, "merchant_staff", merchant_id=MERCHANT_A, actor=platform_admin)
    db.session.commit()
    assert (grant.community_id, grant.merchant_id) == (None, MERCHANT_A)
    assert _scopes(db, person) == [("merchant_staff", None, MERCHANT_A)]
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "role.granted",
                                                     AuditEntry.object_id == person.id))
    assert entry.details == {"role": "merchant_staff", "merchant_id": MERCHANT_A} and entry.community_id is None


def test_the_same_person_may_staff_two_merchants_but_not_one_twice(db, person):
    ops.grant_role(person, "merchant_staff", merchant_id=MERCHANT_A)
    ops.grant_role(person, "merchant_staff", merchant_id=MERCHANT_B)
    db.session.commit()
    with pytest.raises(Conflict) as raised:
        ops.grant_role(person, "merchant_staff", merchant_id=MERCHANT_A)
    assert raised.value.code == "role_exists"
    db.session.rollback()
    assert _scopes(db, person) == [("merchant_staff", None, MERCHANT_A), ("merchant_staff", None, MERCHANT_B)]


@pytest.mark.parametrize("role, in_community, merchant_id", [
    ("merchant_staff", False, None),        # no scope at all
    ("merchant_staff", True, MERCHANT_A),   # both: one merchant, not a community as well
    ("community_admin", True, MERCHANT_A),  # only merchant staff is held at a merchant
    ("resident", False, MERCHANT_A),
    ("platform_admin", False, MERCHANT_A),  # everywhere means no scope
    ("specialist", False, None),
])
def test_a_grant_in_the_wrong_scope_is_refused(db, person, community, role, in_community, merchant_id):
    with pytest.raises(RuleViolation) as raised:
        ops.grant_role(person, role, community if in_community else None, merchant_id=merchant_id)
    assert raised.value.code == "role_scope"
    db.session.rollback()
    assert _scopes(db, person) == []


def test_merchant_staff_in_a_community_still_works_until_merchants_exist(db, person, community):
    """The grant form is community-only until the perks domain has merchants to choose from."""
    ops.grant_role(person, "merchant_staff", community)
    db.session.commit()
    assert _scopes(db, person) == [("merchant_staff", community.id, None)]


def test_only_a_platform_admin_grants_or_revokes_at_a_merchant(db, person, community_admin, platform_admin):
    with pytest.raises(PermissionDenied):
        ops.grant_role(person, "merchant_staff", merchant_id=MERCHANT_A, actor=community_admin)
    db.session.rollback()
    grant = ops.grant_role(person, "merchant_staff", merchant_id=MERCHANT_A, actor=platform_admin)
    db.session.commit()
    with pytest.raises(PermissionDenied):
        ops.revoke_role(grant, actor=community_admin)
    db.session.rollback()
    ops.revoke_role(db.session.get(RoleGrant, grant.id), actor=platform_admin)
    db.session.commit()
    assert _scopes(db, person) == []
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "role.revoked"))
    assert entry.details == {"role": "merchant_staff", "merchant_id": MERCHANT_A}


def test_a_grant_committed_meanwhile_is_a_conflict_not_a_crash(app, db, person, community):
    """The in-memory check cannot see a grant another request committed after the person was
    loaded: the unique index decides, and the answer is the same 409."""
    assert person.role_grants == []  # loaded now, before the other request
    with db.engine.begin() as other_request:
        other_request.execute(sa.insert(RoleGrant).values(
            user_id=person.id, role="merchant_staff", merchant_id=MERCHANT_A, granted_at=sa.func.now()))
    with pytest.raises(Conflict) as raised:
        ops.grant_role(person, "merchant_staff", merchant_id=MERCHANT_A)
    assert raised.value.code == "role_exists"
    ops.grant_role(person, "specialist", community)  # the rest of the unit of work goes on
    db.session.commit()
    assert _scopes(db, person) == [("merchant_staff", None, MERCHANT_A), ("specialist", community.id, None)]


# -- the database says it again ----------------------------------------------------------------

@pytest.mark.parametrize("role, in_community, merchant_id", [
    ("merchant_staff", False, None),
    ("merchant_staff", True, MERCHANT_A),
    ("community_admin", True, MERCHANT_A),
    ("specialist", False, MERCHANT_A),
    ("platform_admin", False, MERCHANT_A),
    ("platform_admin", True, None),
    ("resident", False, None),
])
def test_the_check_constraint_refuses_a_wrong_scope(db, person, community, role, in_community, merchant_id):
    db.session.add(RoleGrant(user_id=person.id, role=role, community_id=community.id if in_community else None,
                             merchant_id=merchant_id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("role, in_community, merchant_id", [
    ("merchant_staff", False, MERCHANT_A),
    ("merchant_staff", True, None),
    ("specialist", True, None),
    ("platform_admin", False, None),  # NULL scope: a plain UNIQUE let this one repeat
])
def test_one_grant_per_user_role_and_scope(db, person, community, role, in_community, merchant_id):
    def grant():
        return RoleGrant(user_id=person.id, role=role, community_id=community.id if in_community else None,
                         merchant_id=merchant_id)

    db.session.add(grant())
    db.session.commit()
    db.session.add(grant())
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_same_role_in_another_scope_is_allowed(db, person, community, create_community):
    elsewhere = create_community("Elsewhere")
    db.session.add_all([
        RoleGrant(user_id=person.id, role="merchant_staff", merchant_id=MERCHANT_A),
        RoleGrant(user_id=person.id, role="merchant_staff", merchant_id=MERCHANT_B),
        RoleGrant(user_id=person.id, role="merchant_staff", community_id=community.id),
        RoleGrant(user_id=person.id, role="specialist", community_id=community.id),
        RoleGrant(user_id=person.id, role="specialist", community_id=elsewhere.id),
    ])
    db.session.commit()
    assert len(_scopes(db, person)) == 5


def test_me_says_where_each_grant_applies(client, db, create_user, api_token):
    """/api/v1/me names each grant's scope: a merchant for merchant staff at a merchant."""
    from community.accounts import operations as ops

    staff = create_user("counter@example.test", roles=())
    ops.grant_role(staff, "merchant_staff", merchant_id=7)
    db.session.commit()
    body = client.get("/api/v1/me", headers=api_token(staff)).get_json()
    assert body["roles"] == [{"role": "merchant_staff", "community_id": None, "merchant_id": 7}]
