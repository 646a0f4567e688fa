"""The pages: a resident checks eligibility, applies, withdraws, sees the result and answers the
offer; the household page; an operator drafts, publishes, dry-runs, commits and exports; another
community's operator and resident see nothing."""
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from community.apartments import operations as ops
from community.apartments.models import Application, Offer, Round
from tests.factories.apartments import SH, close_window
from tests.helpers import frozen_at, text

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
frozen_clock = frozen_at(NOW)


@pytest.fixture
def world(db, make_units, make_round, create_user, household):
    units = make_units(["1b1l", "2b1l"])
    round_ = make_round(units, min_tier="intermediate")
    resident = create_user("me@example.test", tier="intermediate", display_name="王小明")
    household(resident, members=1)
    admin = create_user("office@example.test", roles=("community_admin",))
    return round_, resident, admin, units


def test_resident_sees_eligibility_and_applies(client, login, world, english):
    round_, resident, _admin, _units = world
    login(resident)
    page = client.get(f"/apartments/rounds/{round_.id}")
    assert page.status_code == 200 and 'data-eligible="yes"' in text(page)
    response = client.post(f"/apartments/rounds/{round_.id}/apply", data={"first": "layout:2b1l", "second": "", "third": ""})
    assert response.status_code == 302
    assert "data-applied" in text(client.get(f"/apartments/rounds/{round_.id}"))
    assert client.post(f"/apartments/rounds/{round_.id}/withdraw").status_code == 302


def test_an_ineligible_resident_reads_why(client, login, world, create_user, english):
    round_, *_ = world
    junior = create_user("jr@example.test", tier="junior")
    login(junior)
    body = text(client.get(f"/apartments/rounds/{round_.id}"))
    assert 'data-reason="tier_too_low"' in body and "Junior" in body and "Intermediate" in body
    assert 'data-reason="household_too_small"' not in body  # 1b1l fits a household of one
    refused = client.post(f"/apartments/rounds/{round_.id}/apply", data={"first": "layout:2b1l"})
    assert refused.status_code == 422
    assert db_count(Application) == 0


def db_count(model):
    from community.extensions import db

    return db.session.scalar(sa.select(sa.func.count(model.id)))


def test_a_bad_preference_rerenders(client, login, world):
    round_, resident, *_ = world
    login(resident)
    assert client.post(f"/apartments/rounds/{round_.id}/apply", data={"first": "layout:3b2l"}).status_code == 422


def test_household_page(client, login, world, english):
    _round, resident, *_ = world
    login(resident)
    assert client.post("/apartments/household", data={"employer": "<b>Acme</b>", "employer_district": "浦东新区",
                                                      "industry": ""}).status_code == 302
    body = text(client.get("/apartments/household"))
    assert "&lt;b&gt;Acme&lt;/b&gt;" in body and "<b>Acme</b>" not in body
    assert client.post("/apartments/household/members", data={"name": "", "relation": "child"}).status_code == 422
    assert client.post("/apartments/household/members", data={"name": "小宝", "relation": "child",
                                                              "birth_year": "2020"}).status_code == 302
    assert "小宝" in text(client.get("/apartments/household"))


def test_operator_runs_a_round_from_draft_to_result(client, login, world, db, english, make_units):
    _round, resident, admin, _units = world
    make_units(["1b1l", "1b1l"], building="C栋")
    login(admin)
    community_id = admin.role_grants[0].community_id
    start = (NOW + timedelta(hours=1)).astimezone(SH).strftime("%Y-%m-%dT%H:%M")
    end = (NOW + timedelta(days=3)).astimezone(SH).strftime("%Y-%m-%dT%H:%M")
    created = client.post("/admin/apartments/rounds/new", data={
        "community_id": community_id, "title": "秋季", "opens_at": start, "closes_at": end, "min_tier": "",
        "require_no_lease": "y", "recent_allocation_months": "0", "points_junior": "10", "points_intermediate": "20",
        "points_senior": "30", "points_per_waiting_month": "1", "points_per_member": "2",
        "priority_industry_points": "0", "offer_days": "7", "household_sizes": "1b1l=1-3"})
    assert created.status_code == 302, text(created)[:2000]
    round_ = db.session.scalar(sa.select(Round).where(Round.title == "秋季"))
    assert round_.household_sizes == {"1b1l": [1, 3]}
    assert client.post(f"/admin/apartments/rounds/{round_.id}/units", data={"layout": "1b1l", "count": "2",
                                                                            "building_id": "0"}).status_code == 302
    assert client.post(f"/admin/apartments/rounds/{round_.id}/publish").status_code == 302
    db.session.refresh(round_)
    assert round_.status == "published"
    edit = client.post(f"/admin/apartments/rounds/{round_.id}/edit", data={
        "title": "changed", "opens_at": start, "closes_at": end, "points_junior": "1", "points_intermediate": "1",
        "points_senior": "1", "points_per_waiting_month": "1", "points_per_member": "1",
        "priority_industry_points": "0", "offer_days": "7", "recent_allocation_months": "0"})
    assert edit.status_code == 409
    from community.core import clock

    clock.freeze(NOW + timedelta(hours=2))
    ops.apply(round_, resident, [{"layout": "1b1l"}])
    db.session.commit()
    during = client.get(f"/admin/apartments/rounds/{round_.id}").get_data(as_text=True)
    assert "data-window-open" in during and f'/rounds/{round_.id}/dry-run"' not in during  # not yet offered
    close_window(round_)
    after = client.get(f"/admin/apartments/rounds/{round_.id}").get_data(as_text=True)
    assert "data-window-open" not in after and f'/rounds/{round_.id}/dry-run"' in after
    dry = client.get(f"/admin/apartments/rounds/{round_.id}/dry-run")
    assert dry.status_code == 200 and "王小明" in text(dry)
    assert db_count(Offer) == 0
    assert client.post(f"/admin/apartments/rounds/{round_.id}/allocate").status_code == 302
    assert client.post(f"/admin/apartments/rounds/{round_.id}/allocate").status_code == 409
    csv = client.get(f"/admin/apartments/rounds/{round_.id}/ranking.csv")
    assert csv.data.startswith("\ufeff".encode()) and "王小明" in csv.get_data(as_text=True)
    client.post("/logout")
    login(resident)
    public = text(client.get(f"/apartments/rounds/{round_.id}"))
    assert "data-result-notice" in public and "王**" in public and "data-seed" in public
    offer = db.session.scalar(sa.select(Offer))
    assert client.post(f"/apartments/offers/{offer.id}/accept").status_code == 302
    db.session.refresh(offer)
    assert offer.status == "accepted"
    from community.leases.models import Lease

    lease = db.session.scalar(sa.select(Lease).where(Lease.user_id == resident.id))
    accepted = text(client.get("/apartments/"))
    assert f"{lease.starts_on.isoformat()}" in accepted and f"{lease.ends_on.isoformat()}" in accepted  # the lease's own last day
    assert 'href="/apartment/"' in accepted and "data-to-my-apartment" in accepted


def test_units_pages_filter_and_grid(client, login, world, english):
    _round, _resident, admin, units = world
    login(admin)
    assert f'data-unit="{units[0].id}"' in text(client.get("/admin/apartments/units?layout=1b1l"))
    assert f'data-unit="{units[1].id}"' not in text(client.get("/admin/apartments/units?layout=1b1l"))
    grid = client.get(f"/admin/apartments/buildings/{units[0].building_id}/grid")
    assert grid.status_code == 200 and "unit-available" in text(grid)
    assert client.post("/admin/apartments/units/new", data={
        "building_id": units[0].building_id, "number": "999", "floor": "3", "layout": "studio", "area": "30.5",
        "orientation": "south", "rent": "1800", "deposit": ""}).status_code == 302
    assert client.post("/admin/apartments/units/new", data={
        "building_id": units[0].building_id, "number": "999", "floor": "3", "layout": "studio", "area": "30",
        "orientation": "south", "rent": "1800"}).status_code == 409


def test_other_communities_see_nothing(client, login, world, create_user, elsewhere):
    round_, _resident, _admin, units = world
    other_admin = create_user("far-admin@example.test", roles=("community_admin",), community_=elsewhere)
    login(other_admin)
    for url in (f"/admin/apartments/rounds/{round_.id}", f"/admin/apartments/units/{units[0].id}/edit",
                f"/admin/apartments/buildings/{units[0].building_id}/grid", f"/admin/apartments/rounds/{round_.id}/ranking.csv"):
        assert client.get(url).status_code == 404, url
    assert f'data-unit="{units[0].id}"' not in text(client.get("/admin/apartments/units"))
    client.post("/logout")
    stranger = create_user("far@example.test", tier="senior", community_=elsewhere)
    login(stranger)
    assert client.get(f"/apartments/rounds/{round_.id}").status_code == 404
    assert client.get("/admin/apartments/").status_code == 403
