"""Grants at a merchant on the operator pages: shown with their scope, removed by platform admins
only; a community admin is refused (403) for a person they see, and told nothing (404) otherwise."""
import pytest

from community.accounts import operations as ops
from community.accounts.models import RoleGrant
from tests.factories.perks import merchants_numbered

MERCHANT = 101
numbered_merchants = merchants_numbered(MERCHANT)


@pytest.fixture
def merchant_grant(db, create_user):
    """merchant_grant(user=None) -> a merchant_staff grant at MERCHANT (of a new resident by default)."""

    def _grant(user=None):
        user = user or create_user("staff@example.test")
        grant = ops.grant_role(user, "merchant_staff", merchant_id=MERCHANT)
        db.session.commit()
        return grant

    return _grant


def test_the_user_page_names_the_merchant(client, db, platform_admin, merchant_grant, login, english):
    grant = merchant_grant()
    login(platform_admin)
    page = client.get(f"/admin/users/{grant.user_id}").get_data(as_text=True)
    from markupsafe import escape

    from community.perks.models import Merchant

    name = db.session.get(Merchant, MERCHANT).name
    assert f"Merchant staff · {escape(name)}" in page and "Merchant no." not in page


def test_a_platform_admin_removes_a_merchant_grant(client, platform_admin, merchant_grant, login, db):
    grant_id = merchant_grant().id
    login(platform_admin)
    assert client.post(f"/admin/grants/{grant_id}/revoke").status_code == 302
    assert db.session.get(RoleGrant, grant_id) is None


def test_a_community_admin_may_not_remove_it(client, community_admin, merchant_grant, login, db,
                                              create_user, create_community, assert_problem):
    mine = merchant_grant()  # a resident of the admin's community
    outsider = create_user("far@example.test", community_=create_community("Elsewhere"))
    theirs = merchant_grant(outsider)
    login(community_admin)
    assert client.post(f"/admin/grants/{mine.id}/revoke").status_code == 403
    assert_problem(client.post(f"/admin/grants/{mine.id}/revoke", headers={"Accept": "application/json"}),
                   403, "role_not_yours")
    assert client.post(f"/admin/grants/{theirs.id}/revoke").status_code == 404
    db.session.expire_all()
    assert db.session.get(RoleGrant, mine.id) and db.session.get(RoleGrant, theirs.id)


def test_another_communitys_platform_admin_grant_is_not_found(client, community_admin, platform_admin, login):
    """Someone the operator does not see: their grants are answered as unknown ids are."""
    login(community_admin)
    assert client.post(f"/admin/grants/{platform_admin.role_grants[0].id}/revoke").status_code == 404
