"""The operator's user list: one line per person, tier marked when it expired, no query per row."""
from datetime import date, datetime, timezone


from community.accounts import operations as ops
from community.core import clock
from tests.helpers import recorded_statements


def _row(page, email):
    return page.split(email, 1)[1].split("</tr>", 1)[0]


def test_expired_tiers_are_marked(client, create_user, community_admin, db, login, english):
    current = create_user("current@example.test", tier="senior")
    lapsed = create_user("lapsed@example.test")
    ops.set_talent(lapsed, talent_type="business", tier="junior", valid_until=date(2030, 6, 30))
    db.session.commit()
    clock.freeze(datetime(2030, 6, 30, 16, 0, tzinfo=timezone.utc))  # 1 July in Shanghai
    login(community_admin)
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Expired" in _row(page, lapsed.email) and "Junior" in _row(page, lapsed.email)
    assert "Expired" not in _row(page, current.email) and "Senior" in _row(page, current.email)


def test_the_tier_is_current_on_its_last_day(client, create_user, community_admin, db, login, english):
    lapsing = create_user("lapsing@example.test")
    ops.set_talent(lapsing, talent_type="business", tier="junior", valid_until=date(2030, 6, 30))
    db.session.commit()
    clock.freeze(datetime(2030, 6, 30, 15, 59, tzinfo=timezone.utc))
    login(community_admin)
    assert "Expired" not in _row(client.get("/admin/users").get_data(as_text=True), lapsing.email)


def test_query_count_does_not_grow_with_the_rows(client, create_user, community_admin, db, login):
    login(community_admin)
    for i in range(2):
        create_user(f"few{i}@example.test", tier="junior")
    with recorded_statements(db, "SELECT") as few:
        assert client.get("/admin/users").status_code == 200
    for i in range(12):
        create_user(f"many{i}@example.test", tier="junior")
    with recorded_statements(db, "SELECT") as many:
        assert client.get("/admin/users").status_code == 200
    assert len(many) == len(few)


def test_people_waiting_for_verification_are_marked_and_can_be_filtered(client, create_user, community,
                                                                         community_admin, db, login, english):
    """Applicants (registered for the community, not yet its residents) carry a badge linking to
    their page, where the office verifies them; the filter keeps the search it is combined with."""
    resident = create_user("settled@example.test")
    applicant = ops.register_user(login="newcomer@example.test", password="secret123x", display_name="Newcomer",
                                  community=community)
    other = ops.register_user(login="newbie@example.test", password="secret123x", display_name="Newbie",
                              community=community)
    db.session.commit()
    login(community_admin)
    page = client.get("/admin/users").get_data(as_text=True)
    badge = f'href="/admin/users/{applicant.id}" data-awaiting'
    assert badge in _row(page, applicant.email) and "Waiting for verification" in _row(page, applicant.email)
    assert "data-awaiting" not in _row(page, resident.email)
    filtered = client.get("/admin/users", query_string={"awaiting": "1", "q": "newc"}).get_data(as_text=True)
    assert applicant.email in filtered and other.email not in filtered and resident.email not in filtered
    assert '<option value="1" selected>Waiting for verification</option>' in filtered  # the filter is part of the form
    assert 'value="newc"' in filtered
