"""The grant-role form offers only what the operator may grant (accounts.operations.may_manage_role),
and a refusal shows the form again with the rule's message and what was typed, never a bare 403."""
import re

import pytest

from community.accounts.models import User
from tests.factories.perks import merchants_numbered

numbered_merchants = merchants_numbered(7)

REFUSED = "You may not grant or remove this role there."


def _options(page, name):
    select = page.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option[^>]*value="([^"]*)"', select)


def _grants(db, user):
    db.session.expire_all()
    return sorted((g.role, g.community_id) for g in db.session.get(User, user.id).role_grants)


def test_a_community_admin_is_offered_only_the_everyday_roles_of_their_community(
        client, login, community, community_admin, elsewhere, english):
    login(community_admin)
    page = client.get("/admin/roles").get_data(as_text=True)
    assert _options(page, "role") == ["resident", "merchant_staff", "specialist"]
    assert _options(page, "community_id") == [str(community.id)]  # no "none", no other community
    assert "Platform admin" not in page.split("<main", 1)[1]
    assert 'data-hint="grantable"' in page


def test_a_platform_admin_is_offered_every_role_and_scope(client, login, community, platform_admin, elsewhere,
                                                          english):
    login(platform_admin)
    page = client.get("/admin/roles").get_data(as_text=True)
    assert _options(page, "role") == ["resident", "merchant_staff", "specialist", "community_admin",
                                      "platform_admin", "talent_reviewer"]
    assert _options(page, "community_id") == ["0", str(elsewhere.id), str(community.id)]  # by name
    assert 'data-hint="grantable"' not in page


@pytest.mark.parametrize("role, where", [("platform_admin", "none"), ("community_admin", "here"),
                                         ("specialist", "elsewhere")])
def test_a_refusal_shows_the_form_again_with_the_reason_and_the_input(
        client, db, login, community, community_admin, resident, elsewhere, audit_actions, english, role, where):
    login(community_admin)
    granted_before = audit_actions().count("role.granted")
    community_id = {"none": 0, "here": community.id, "elsewhere": elsewhere.id}[where]
    response = client.post("/admin/roles", data={"login": resident.email, "role": role,
                                                 "community_id": community_id})
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert REFUSED in page
    assert f'value="{resident.email}"' in page  # what was typed is still there
    assert 'name="role"' in page and 'action=""' in page  # the form, not the error page
    assert _grants(db, resident) == [("resident", community.id)]
    assert audit_actions().count("role.granted") == granted_before


def test_granting_what_the_person_already_holds_keeps_the_input(client, db, login, community, community_admin,
                                                                resident, english):
    login(community_admin)
    response = client.post("/admin/roles", data={"login": resident.email, "role": "resident",
                                                 "community_id": community.id})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "already holds this role" in page and f'value="{resident.email}"' in page


def test_an_offered_role_is_granted(client, db, login, community, community_admin, resident):
    login(community_admin)
    response = client.post("/admin/roles", data={"login": resident.email, "role": "specialist",
                                                 "community_id": community.id})
    assert response.status_code == 302
    assert ("specialist", community.id) in _grants(db, resident)


def test_the_user_page_offers_remove_only_where_the_operator_may(client, db, login, community, community_admin,
                                                                 create_user, platform_admin):
    """A Remove button that answers 403 is a dead end: a community admin sees none for an admin
    role or a merchant grant, a platform admin sees them all."""
    from community.accounts import operations as ops

    colleague = create_user("colleague@example.test", roles=("resident", "community_admin"))
    ops.grant_role(colleague, "merchant_staff", merchant_id=7)
    db.session.commit()
    removable = {g.role: f'action="/admin/grants/{g.id}/revoke"' for g in colleague.role_grants}
    login(community_admin)
    page = client.get(f"/admin/users/{colleague.id}").get_data(as_text=True)
    assert removable["resident"] in page
    assert removable["community_admin"] not in page and removable["merchant_staff"] not in page
    client.post("/logout")
    login(platform_admin)
    page = client.get(f"/admin/users/{colleague.id}").get_data(as_text=True)
    assert all(form in page for form in removable.values())


def test_merchant_staff_names_an_approved_merchant_not_a_community(client, db, login, community, platform_admin,
                                                                  resident, english):
    from community.perks.models import Merchant

    db.session.add(Merchant(id=8, community_id=community.id, name="Pending shop", category="food", address="2 Road",
                            contact_name="Lin", contact_phone="021", licence_number="LIC-8", status="pending"))
    db.session.commit()
    login(platform_admin)
    page = client.get("/admin/roles").get_data(as_text=True)
    assert _options(page, "merchant_id") == ["0", "7"]  # the approved merchant only
    response = client.post("/admin/roles", data={"login": resident.email, "role": "merchant_staff",
                                                 "community_id": community.id, "merchant_id": 0})
    assert response.status_code == 422
    assert "Choose the merchant this person works for." in response.get_data(as_text=True)
    forged = client.post("/admin/roles", data={"login": resident.email, "role": "merchant_staff", "merchant_id": 8})
    assert forged.status_code == 422  # a merchant the form did not offer
    assert _grants(db, resident) == [("resident", community.id)]
    response = client.post("/admin/roles", data={"login": resident.email, "role": "merchant_staff",
                                                 "merchant_id": 7})
    assert response.status_code == 302
    grant = next(g for g in db.session.get(User, resident.id).role_grants if g.role == "merchant_staff")
    assert (grant.merchant_id, grant.community_id) == (7, None)
    user_page = client.get(f"/admin/users/{resident.id}").get_data(as_text=True)
    assert "Merchant 7" in user_page and "Merchant no. 7" not in user_page
