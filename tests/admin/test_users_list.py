"""The operator's user list: one line per person, tier marked when it expired, no query per row."""
from datetime import date, datetime, timezone

import pytest

from community.accounts import operations as ops
from community.core import clock
from tests.helpers import recorded_statements


@pytest.fixture
def english(client):
    client.get("/lang/en")


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
