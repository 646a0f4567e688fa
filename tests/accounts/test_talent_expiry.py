"""An expired talent tier (valid_until before today in the community's zone) is not shown as
current: the profile and the resident's dashboard say when it expired and ask to renew."""
from datetime import date, datetime, timezone

import pytest

from community.accounts import operations as ops
from community.core import clock

VALID_UNTIL = date(2030, 6, 30)
LAST_MINUTE = datetime(2030, 6, 30, 15, 59, tzinfo=timezone.utc)  # 23:59 on 30 June in Shanghai
NEXT_DAY = datetime(2030, 6, 30, 16, 0, tzinfo=timezone.utc)  # 00:00 on 1 July in Shanghai
NOTICE = "The talent tier expired on 2030-06-30; please renew it with the community office."


@pytest.fixture
def tiered(create_user, db):
    user = create_user("tiered@example.test")
    ops.set_talent(user, talent_type="business", tier="senior", valid_until=VALID_UNTIL)
    db.session.commit()
    return user


def _pages(client, user):
    profile = client.get(f"/users/{user.id}").get_data(as_text=True)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    return profile, dashboard


def test_on_its_last_day_the_tier_is_current(client, tiered, login, english):
    clock.freeze(LAST_MINUTE)
    login(tiered)
    profile, dashboard = _pages(client, tiered)
    for page in (profile, dashboard):
        assert "Senior" in page and "tier-expired" not in page and "expired on" not in page
    assert "valid until 2030-06-30" in dashboard and "badge text-bg-success" in dashboard


def test_the_next_day_in_shanghai_it_has_expired(client, tiered, login, english):
    """16:00 UTC on 30 June is already 1 July in the community, though not yet in UTC."""
    clock.freeze(NEXT_DAY)
    login(tiered)
    profile, dashboard = _pages(client, tiered)
    for page in (profile, dashboard):
        assert NOTICE in page and 'data-notice="tier-expired"' in page
        assert "text-decoration-line-through" in page
    assert "valid until" not in dashboard and "badge text-bg-success" not in dashboard


def test_the_chinese_notice(client, tiered, login):
    clock.freeze(NEXT_DAY)
    login(tiered)
    profile, dashboard = _pages(client, tiered)
    assert "2030-06-30" in profile and "续期" in profile and "续期" in dashboard


def test_a_community_in_another_zone_counts_its_own_day(client, create_community, create_user, db, login, english):
    """At 16:00 UTC it is still 30 June in Urumqi (UTC+6): not expired there."""
    far_west = create_community("Far West", timezone="Asia/Urumqi")
    user = create_user("west@example.test", community_=far_west)
    ops.set_talent(user, talent_type="business", tier="junior", valid_until=VALID_UNTIL)
    db.session.commit()
    clock.freeze(NEXT_DAY)
    login(user)
    profile, dashboard = _pages(client, user)
    assert "tier-expired" not in profile and "tier-expired" not in dashboard


def test_no_tier_means_no_expiry_notice(client, create_user, db, login, english):
    user = create_user("notier@example.test")
    ops.set_talent(user, talent_type=None, tier=None, valid_until=date(2020, 1, 1))
    db.session.commit()
    clock.freeze(NEXT_DAY)
    login(user)
    profile, dashboard = _pages(client, user)
    assert "tier-expired" not in profile and "not verified yet" in dashboard


def test_the_admin_viewing_the_profile_sees_it_expired_too(client, tiered, community_admin, login, english):
    clock.freeze(NEXT_DAY)
    login(community_admin)
    assert NOTICE in client.get(f"/users/{tiered.id}").get_data(as_text=True)


def test_has_expired_at_its_boundary(tiered):
    assert not tiered.talent.has_expired(VALID_UNTIL)
    assert tiered.talent.has_expired(date(2030, 7, 1))
