"""Operators act within their reach: talent tiers for their own residents, roles in their own community."""
import pytest

from community.accounts import operations as ops
from community.accounts.models import User
from community.core.errors import PermissionDenied


@pytest.fixture
def outsider(create_community, create_user):
    """A resident of another community; only a platform admin can make them a specialist of ours."""
    return create_user("outsider@example.test", community_=create_community("Elsewhere"))


def test_a_staff_role_here_does_not_let_an_admin_set_a_tier_for_another_communitys_resident(
        client, db, login, community, community_admin, platform_admin, outsider):
    ops.grant_role(outsider, "specialist", community, actor=platform_admin)
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


# -- granting roles: only to members of the admin's community (issue 9, defect 4) ------------------

NOT_A_MEMBER = "No member of this community has this e-mail or mobile number."


def _grant(client, login, role, community_id):
    return client.post("/admin/roles", data={"login": login, "role": role, "community_id": community_id})


def _grants(db, user):
    db.session.expire_all()
    return sorted((g.role, g.community_id) for g in db.session.get(User, user.id).role_grants)


def _answer(response):
    """The page's answer to the form: its status and the field's message, nothing of the login typed."""
    page = response.get_data(as_text=True)
    return response.status_code, NOT_A_MEMBER in page


def test_a_community_admin_cannot_pull_another_communitys_resident_into_their_scope(
        client, db, login, community, community_admin, outsider, english):
    login(community_admin)
    response = _grant(client, outsider.email, "specialist", community.id)
    assert response.status_code == 422
    assert NOT_A_MEMBER in response.get_data(as_text=True)
    assert _grants(db, outsider) == [("resident", outsider.community_id)]
    # and the person stays out of sight: not listed, their page is a 404
    assert outsider.email not in client.get("/admin/users", query_string={"q": "outsider"}).get_data(as_text=True)
    assert client.get(f"/admin/users/{outsider.id}").status_code == 404


def test_an_unknown_login_and_an_outsider_get_the_same_answer(client, login, community, community_admin, outsider,
                                                               english):
    login(community_admin)
    unknown = _grant(client, "nobody@example.test", "specialist", community.id)
    foreign = _grant(client, outsider.email, "specialist", community.id)
    assert _answer(unknown) == _answer(foreign) == (422, True)
    assert "No account" not in foreign.get_data(as_text=True)


def test_an_account_without_a_community_is_no_member_either(client, db, login, community, community_admin, english):
    from community.accounts import operations as ops_

    drifter = ops_.register_user(login="drifter@example.test", password="secret123x", display_name="Drifter")
    db.session.commit()
    login(community_admin)
    for role in ("resident", "specialist"):
        response = _grant(client, drifter.email, role, community.id)
        assert response.status_code == 422 and NOT_A_MEMBER in response.get_data(as_text=True)
    assert _grants(db, drifter) == []


def test_members_are_the_communitys_people_and_the_ones_already_holding_a_grant_there(
        client, db, login, community, community_admin, platform_admin, outsider, english):
    from community.accounts import operations as ops_

    applicant = ops_.register_user(login="applicant@example.test", password="secret123x", display_name="Applicant",
                                   community=community)
    db.session.commit()
    login(community_admin)
    assert _grant(client, applicant.email, "specialist", community.id).status_code == 302  # registered here
    # a platform admin may grant anywhere; the outsider then holds a grant here and is a member
    # (merchant_staff is granted at a named merchant now: the community-scoped pair is admin, then specialist)
    ops_.grant_role(outsider, "community_admin", community, actor=platform_admin)
    db.session.commit()
    assert _grant(client, outsider.email, "specialist", community.id).status_code == 302
    assert ("specialist", community.id) in _grants(db, outsider)


def test_the_operation_refuses_outsiders_like_an_unknown_person(db, community, community_admin, platform_admin,
                                                                 outsider):
    from community.core.errors import NotFound

    with pytest.raises(NotFound) as refused:
        ops.grant_role(outsider, "specialist", community, actor=community_admin)
    assert refused.value.code == "not_a_member"
    db.session.rollback()
    ops.grant_role(outsider, "specialist", community, actor=platform_admin)  # anywhere
    ops.grant_role(outsider, "merchant_staff", community, actor=community_admin)  # a member now
    db.session.commit()


def test_an_admin_sees_only_the_grants_of_their_own_community(client, db, login, community, community_admin,
                                                              platform_admin, outsider):
    ops.grant_role(outsider, "specialist", community, actor=platform_admin)
    db.session.commit()
    login(community_admin)
    page = client.get(f"/admin/users/{outsider.id}").get_data(as_text=True)
    assert community.name in page
    assert "Elsewhere" not in page  # the grant held in the other community is not shown
    home_grant = next(g for g in outsider.role_grants if g.community_id != community.id)
    assert f"/admin/grants/{home_grant.id}/revoke" not in page


def test_the_role_filter_counts_only_grants_in_the_admins_community(client, db, login, community, community_admin,
                                                                    create_community, create_user):
    elsewhere = create_community("Far")
    ours = create_user("ours@example.test")  # a resident here ...
    ops.grant_role(ours, "specialist", elsewhere)  # ... and a specialist there
    db.session.commit()
    login(community_admin)
    page = client.get("/admin/users", query_string={"role": "specialist"}).get_data(as_text=True)
    assert ours.email not in page
    page = client.get("/admin/users", query_string={"role": "resident"}).get_data(as_text=True)
    assert ours.email in page
