"""CSV import (every bad row with its line, nothing half-saved) and the API contract."""
from datetime import datetime

import pytest
import sqlalchemy as sa

from community.accounts import operations as account_ops
from community.apartments import operations as ops
from community.apartments.errors import ImportRejected
from community.apartments.models import Offer, Unit
from tests.factories.apartments import SH, close_window
from tests.helpers import assert_problem, frozen_at

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
frozen_clock = frozen_at(NOW)
HEADER = "number,floor,layout,area_m2,orientation,furnished,accessible,rent_yuan,deposit_yuan\n"


@pytest.fixture
def building(db, community):
    building = account_ops.add_building(community, name="B栋", floors=10)
    db.session.commit()
    return building


def test_import_with_bom_saves_every_row(db, building):
    data = ("\ufeff" + HEADER + "101,1,1b1l,45.5,south,yes,no,2500,5000\n102,1,2b1l,60,north,否,是,3200.50,\n").encode()
    units = ops.import_units(building, data, actor=None)
    assert [(u.number, u.area_centi_m2, u.rent_fen, u.deposit_fen, u.accessible) for u in units] == [
        ("101", 4550, 250000, 500000, False), ("102", 6000, 320050, 0, True)]


def test_import_without_bom_too(db, building):
    assert len(ops.import_units(building, (HEADER + "101,1,studio,30,south,no,no,1800,0\n").encode(), actor=None)) == 1


def test_every_bad_row_is_reported_and_nothing_saved(db, building):
    data = (HEADER + "101,1,1b1l,45,south,yes,no,2500,0\n"
            "102,99,1b1l,45,south,yes,no,2500,0\n"
            "103,1,castle,45,south,yes,no,2500,0\n"
            "101,2,1b1l,45,south,yes,no,2500,0\n"
            "105,1,1b1l,45,south,maybe,no,2500,0\n"
            "106,1,1b1l,,south,yes,no,2500,0\n").encode()
    with pytest.raises(ImportRejected) as refused:
        ops.import_units(building, data, actor=None)
    assert [e["line"] for e in refused.value.extra["errors"]] == [3, 4, 5, 6, 7]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Unit.id))) == 0


def test_import_refuses_missing_columns_and_other_encodings(db, building):
    with pytest.raises(ImportRejected) as refused:
        ops.import_units(building, b"number,floor\n101,1\n", actor=None)
    assert refused.value.extra["errors"][0]["line"] == 1
    with pytest.raises(ImportRejected):
        ops.import_units(building, (HEADER + "一零一,1,1b1l,45,south,yes,no,2500,0\n").encode("gbk"), actor=None)


def test_import_page_shows_the_lines(client, login, create_user, building, db):
    admin = create_user("ad@example.test", roles=("community_admin",))
    login(admin)
    from io import BytesIO

    data = (HEADER + "101,1,1b1l,45,south,yes,no,2500,0\n102,1,1b1l,45,south,yes,no,abc,0\n").encode()
    response = client.post("/admin/apartments/units/import", data={"building_id": building.id,
                                                                   "file": (BytesIO(data), "u.csv")})
    assert response.status_code == 422
    assert "3" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Unit.id))) == 0


@pytest.fixture
def api_world(db, make_units, make_round, create_user, household, api_token):
    units = make_units(["1b1l", "2b1l"])
    round_ = make_round(units, min_tier="intermediate")
    eligible = create_user("ok@example.test", tier="intermediate")
    household(eligible, members=1)
    junior = create_user("jr@example.test", tier="junior")
    return round_, api_token(eligible), api_token(junior), eligible


def test_api_rounds_and_eligibility(client, api_world):
    round_, ok, jr, _user = api_world
    listed = client.get("/api/v1/rounds", headers=ok).get_json()
    assert [r["id"] for r in listed] == [round_.id] and listed[0]["is_open"] and listed[0]["seed"] is None
    detail = client.get(f"/api/v1/rounds/{round_.id}", headers=ok).get_json()
    assert len(detail["units"]) == 2 and len(detail["seed_hash"]) == 64
    assert client.get(f"/api/v1/rounds/{round_.id}/eligibility", headers=ok).get_json() == {"eligible": True, "reasons": []}
    refused = client.get(f"/api/v1/rounds/{round_.id}/eligibility", headers=jr).get_json()
    assert refused["eligible"] is False
    assert [r["code"] for r in refused["reasons"]] == ["tier_too_low"]
    assert refused["reasons"][0]["message"]


def test_api_apply_201_409_422(client, api_world):
    round_, ok, jr, _user = api_world
    url = f"/api/v1/rounds/{round_.id}/applications"
    created = client.post(url, json={"preferences": [{"layout": "2b1l"}, {"building_id": round_.offerings[0].unit.building_id}]},
                          headers=ok)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["status"] == "submitted"
    assert_problem(client.post(url, json={"preferences": [{"layout": "1b1l"}]}, headers=ok), 409, "already_applied")
    body = assert_problem(client.post(url, json={"preferences": [{"layout": "1b1l"}]}, headers=jr), 422, "not_eligible")
    assert [r["code"] for r in body["reasons"]] == ["tier_too_low"]
    assert_problem(client.post(url, json={"preferences": []}, headers=jr), 422)
    assert_problem(client.post(url, json={"preferences": [{"layout": "2b1l", "building_id": 1}]}, headers=jr), 422)


def test_api_outside_the_window_is_422(client, api_world, db):
    round_, ok, _jr, _user = api_world
    close_window(round_)
    assert_problem(client.post(f"/api/v1/rounds/{round_.id}/applications", json={"preferences": [{"layout": "1b1l"}]},
                               headers=ok), 422, "outside_window")


def test_api_applications_and_offers_after_allocation(client, api_world, db):
    round_, ok, _jr, user = api_world
    assert client.post(f"/api/v1/rounds/{round_.id}/applications", json={"preferences": [{"layout": "2b1l"}]},
                       headers=ok).status_code == 201
    close_window(round_)
    ops.commit_allocation(round_, actor=None)
    db.session.commit()
    mine = client.get("/api/v1/applications", headers=ok).get_json()
    assert mine[0]["rank"] == 1 and mine[0]["outcome"] == "allocated" and mine[0]["score"] == 20
    assert client.get(f"/api/v1/rounds/{round_.id}", headers=ok).get_json()["seed"] == round_.seed
    offer = db.session.scalar(sa.select(Offer))
    accepted = client.post(f"/api/v1/offers/{offer.id}/accept", headers=ok)
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    assert accepted.get_json()["lease_draft"]["rent"]["amount"] == 250000
    assert_problem(client.post(f"/api/v1/offers/{offer.id}/decline", headers=ok), 409, "offer_closed")


def test_api_refuses_other_people_and_communities(client, api_world, create_user, elsewhere, api_token, db):
    round_, ok, _jr, _user = api_world
    stranger = api_token(create_user("far@example.test", tier="senior", community_=elsewhere))
    assert client.get("/api/v1/rounds", headers=stranger).get_json() == []
    assert_problem(client.get(f"/api/v1/rounds/{round_.id}", headers=stranger), 404)
    assert_problem(client.get(f"/api/v1/rounds/{round_.id}/eligibility", headers=stranger), 404)
    assert_problem(client.post(f"/api/v1/rounds/{round_.id}/applications", json={"preferences": [{"layout": "1b1l"}]},
                               headers=stranger), 404)
    assert client.post(f"/api/v1/rounds/{round_.id}/applications", json={"preferences": [{"layout": "2b1l"}]},
                       headers=ok).status_code == 201
    close_window(round_)
    ops.commit_allocation(round_, actor=None)
    db.session.commit()
    offer = db.session.scalar(sa.select(Offer))
    assert_problem(client.post(f"/api/v1/offers/{offer.id}/accept", headers=stranger), 404)
    assert_problem(client.get("/api/v1/rounds"), 401)
