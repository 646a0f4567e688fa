"""Operators act within their reach: talent tiers for their own residents, roles in their own community."""
import pytest

from community.accounts import operations as ops
from community.core.errors import PermissionDenied


@pytest.fixture
def outsider(create_community, create_user):
    """A resident of another community, whom our admin makes a specialist of ours."""
    return create_user("outsider@example.test", community_=create_community("Elsewhere"))


def test_a_staff_role_here_does_not_let_an_admin_set_a_tier_for_another_communitys_resident(
        client, db, login, community, community_admin, outsider):
    ops.grant_role(outsider, "specialist", community, actor=community_admin)
    db.session.commit()
    login(community_admin)
    page = client.get(f"/admin/users/{outsider.id}")
    assert page.status_code == 200 and 'name="tier"' not in page.get_data(as_text=True)
    response = client.post(f"/admin/users/{outsider.id}", data={"talent_type": "production", "tier": "senior"})
    assert response.status_code == 403
    db.session.expire_all()
    assert outsider.talent.tier is None


def test_the_operation_itself_refuses_and_allows_the_right_people(db, community_admin, platform_admin,
                                                                  resident, outsider):
    with pytest.raises(PermissionDenied):
        ops.set_talent(outsider, talent_type="production", tier="senior", valid_until=None, actor=community_admin)
    ops.set_talent(resident, talent_type="production", tier="senior", valid_until=None, actor=community_admin)
    ops.set_talent(outsider, talent_type="business", tier="junior", valid_until=None, actor=platform_admin)
    db.session.commit()
    assert (resident.talent.tier, outsider.talent.tier) == ("senior", "junior")


def test_role_rules_live_in_the_operations(db, community, community_admin, platform_admin, create_community,
                                           create_user):
    elsewhere = create_community("Far away")
    person = create_user("person@example.test")
    for role, where in (("community_admin", community), ("platform_admin", None), ("specialist", elsewhere)):
        with pytest.raises(PermissionDenied):
            ops.grant_role(person, role, where, actor=community_admin)
    grant = ops.grant_role(person, "specialist", community, actor=community_admin)
    boss = ops.grant_role(person, "community_admin", community, actor=platform_admin)
    db.session.commit()
    with pytest.raises(PermissionDenied):
        ops.revoke_role(boss, actor=community_admin)
    ops.revoke_role(grant, actor=community_admin)
    db.session.commit()
    assert {g.role for g in person.role_grants} == {"resident", "community_admin"}
