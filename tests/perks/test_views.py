"""The alliance's pages: residents claim and see their vouchers; staff redeem at the counter;
admins decide. Wrong people are refused."""
import io
import re

import pytest
import sqlalchemy as sa

from community.perks import codes
from community.perks.models import Merchant, Voucher
from tests.core.sample_files import tiny_png
from tests.helpers import text


@pytest.fixture
def cafe(make_merchant):
    return make_merchant(name="Café <b>")


@pytest.fixture
def campaign(cafe, make_campaign):
    return make_campaign(cafe, title="Free coffee", total=3)


def test_resident_claims_and_sees_the_code(client, login, resident, campaign, db):
    login(resident)
    page = client.get("/perks/")
    assert page.status_code == 200 and "Free coffee" in text(page) and "Café &lt;b&gt;" in text(page)
    assert client.get(f"/perks/campaigns/{campaign.id}").status_code == 200
    response = client.post(f"/perks/campaigns/{campaign.id}/claim")
    assert response.status_code == 302
    voucher = db.session.scalar(sa.select(Voucher))
    shown = client.get(response.headers["Location"])
    assert codes.display(voucher.code) in text(shown)
    qr = client.get(f"/perks/vouchers/{voucher.id}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    again = client.post(f"/perks/campaigns/{campaign.id}/claim")
    assert again.status_code == 409
    assert client.get("/perks/vouchers").status_code == 200


def test_neighbour_cannot_open_a_voucher(client, login, resident, campaign, create_user, db):
    from community.perks import operations as ops

    voucher = ops.claim(resident, campaign)
    db.session.commit()
    login(create_user("neighbour@example.test"))
    assert client.get(f"/perks/vouchers/{voucher.id}").status_code == 404
    assert client.get(f"/perks/vouchers/{voucher.id}/qr.svg").status_code == 404


def test_counter_looks_up_then_redeems(client, login, resident, campaign, cafe, staff_of, db):
    from community.perks import operations as ops

    voucher = ops.claim(resident, campaign)
    db.session.commit()
    login(staff_of(cafe, "barista@example.test"))
    assert client.get(f"/merchant/{cafe.id}/counter").status_code == 200
    found = client.post(f"/merchant/{cafe.id}/counter", data={"code": codes.display(voucher.code).lower()})
    assert found.status_code == 200 and "Free coffee" in text(found) and 'data-action="redeem"' in text(found)
    done = client.post(f"/merchant/{cafe.id}/redeem", data={"code": voucher.code})
    assert done.status_code == 302
    twice = client.post(f"/merchant/{cafe.id}/redeem", data={"code": voucher.code})
    assert twice.status_code == 409 and 'data-refusal="already_redeemed"' in text(twice)
    assert db.session.get(Voucher, voucher.id).status == "redeemed"


def test_staff_of_another_merchant_cannot_open_the_counter(client, login, cafe, make_merchant, staff_of):
    other = make_merchant(name="Gym")
    login(staff_of(other, "trainer@example.test"))
    assert client.get(f"/merchant/{cafe.id}/counter").status_code == 404
    assert client.get(f"/merchant/{cafe.id}/").status_code == 404


def test_merchant_dashboard_chart_and_csv(client, login, resident, campaign, cafe, db):
    from community.perks import operations as ops

    ops.claim(resident, campaign)
    db.session.commit()
    login(cafe.owner)
    page = client.get(f"/merchant/{cafe.id}/campaigns/{campaign.id}")
    assert page.status_code == 200 and 'class="perks-chart"' in text(page) and "style=" not in text(page)
    export = client.get(f"/merchant/{cafe.id}/campaigns/{campaign.id}/vouchers.csv")
    assert export.status_code == 200 and export.data.startswith("\ufeff".encode())
    assert export.data.decode("utf-8-sig").count("\n") == 2


def test_apply_and_admin_approves(app, client, login, create_user, community, db, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_ROOT", str(tmp_path / "uploads"))
    owner = create_user("shop@example.test", roles=())
    login(owner)
    form = dict(community_id=community.id, name="Tea house", category="food", address="3 Road",
                contact_name="Li", contact_phone="123", licence_number="LIC-9")
    assert client.post("/merchant/apply", data={**form, "name": ""}).status_code == 422
    assert client.post("/merchant/apply", data=form).status_code == 422  # no licence image
    licence = (io.BytesIO(tiny_png()), "licence.png")
    assert client.post("/merchant/apply", data={**form, "licence_image": licence},
                       content_type="multipart/form-data").status_code == 302
    merchant = db.session.scalar(sa.select(Merchant).where(Merchant.name == "Tea house"))
    client.post("/logout")
    admin = create_user("office@example.test", roles=("community_admin",))
    login(admin)
    assert client.get("/admin/perks/").status_code == 200
    assert client.get("/admin/perks/merchants?status=pending").status_code == 200
    page = text(client.get(f"/admin/perks/merchants/{merchant.id}"))
    link = re.search(r'href="(/attachments/[^"]+)" data-licence', page).group(1)
    assert client.get(link).status_code == 200
    assert client.post(f"/admin/perks/merchants/{merchant.id}/reject", data={"reason": ""}).status_code == 422
    assert client.post(f"/admin/perks/merchants/{merchant.id}/approve").status_code == 302
    assert db.session.get(Merchant, merchant.id).status == "approved"


def test_residents_cannot_open_admin_pages(client, login, resident, cafe):
    login(resident)
    assert client.get("/admin/perks/").status_code == 403
    assert client.post(f"/admin/perks/merchants/{cafe.id}/suspend", data={"reason": "x"}).status_code == 403


def test_admin_campaign_approval_and_undo(client, login, create_user, cafe, make_campaign, resident, staff_of, db):
    from community.perks import operations as ops

    pending = make_campaign(cafe, status="pending")
    admin = create_user("office@example.test", roles=("community_admin",))
    login(admin)
    assert client.get("/admin/perks/campaigns").status_code == 200
    assert client.post(f"/admin/perks/campaigns/{pending.id}/approve").status_code == 302
    voucher = ops.claim(resident, db.session.get(type(pending), pending.id))
    ops.redeem(voucher.code, actor=staff_of(cafe, "b@example.test"))
    db.session.commit()
    page = client.get("/admin/perks/vouchers", query_string={"code": codes.display(voucher.code)})
    assert 'data-action="undo"' in text(page)
    assert client.post(f"/admin/perks/vouchers/{voucher.id}/undo", data={"reason": ""}).status_code == 422
    assert client.post(f"/admin/perks/vouchers/{voucher.id}/undo", data={"reason": "mistake"}).status_code == 302
    assert db.session.get(Voucher, voucher.id).status == "active"


def test_invitation_link_from_the_email(client, login, cafe, create_user, db, outbox):
    login(cafe.owner)
    assert client.post(f"/merchant/{cafe.id}/staff", data={"email": "new@example.test"}).status_code == 302
    client.post("/logout")
    body = outbox("perks.staff_invitation")[-1].body
    link = re.search(r"http://localhost(/merchant/invitations/\S+)", body).group(1)
    newcomer = create_user("new@example.test", roles=())
    login(newcomer)
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 302
    assert client.post(link).status_code == 409


def test_an_applicant_finds_the_application_on_the_dashboard(client, login, make_merchant, create_user):
    applicant = create_user("applicant-shop@example.test", roles=())
    merchant = make_merchant(applicant, status="pending", name="Noodle bar")
    login(applicant)
    page = text(client.get("/dashboard"))
    assert 'data-panel="merchant"' in page and "Noodle bar" in page
    assert client.get(f"/merchant/{merchant.id}/").status_code == 200
    assert client.get(f"/merchant/{merchant.id}/counter").status_code == 404  # not staff until approved


def test_residents_without_a_merchant_get_no_merchant_panel(client, login, resident):
    login(resident)
    assert 'data-panel="merchant"' not in text(client.get("/dashboard"))


def test_operator_creates_a_campaign_for_a_merchant(app, client, login, create_user, cafe, make_merchant, elsewhere, db):
    from community.perks.models import Campaign
    from tests.conftest import DEFAULT_PASSWORD

    admin = create_user("office@example.test", roles=("community_admin",))
    data = {"title": "Free tea", "benefit": "One tea", "face_value": "0", "funded_by": "government", "total": "20",
            "per_resident_limit": "1", "claim_starts_at": "2030-01-01T09:00", "claim_ends_at": "2030-01-08T09:00",
            "validity": "days", "valid_days": "7"}
    login(admin)
    assert "campaigns/new" in client.get(f"/admin/perks/merchants/{cafe.id}").get_data(as_text=True)
    bad = client.post(f"/admin/perks/merchants/{cafe.id}/campaigns/new", data=dict(data, total="0"))
    assert bad.status_code == 422 and 'value="Free tea"' in bad.get_data(as_text=True)
    assert client.post(f"/admin/perks/merchants/{cafe.id}/campaigns/new", data=data).status_code == 302
    created = db.session.scalars(sa.select(Campaign).where(Campaign.merchant_id == cafe.id)).all()
    assert [(c.title, c.status, c.total) for c in created] == [("Free tea", "pending", 20)]  # waits for approval
    other = make_merchant(name="Far shop", community_=elsewhere)
    assert client.get(f"/admin/perks/merchants/{other.id}/campaigns/new").status_code == 404  # not their community
    assert client.post(f"/admin/perks/merchants/{other.id}/campaigns/new", data=data).status_code == 404
    resident_client = app.test_client()
    create_user("r9@example.test")
    assert resident_client.post("/login", data={"login": "r9@example.test", "password": DEFAULT_PASSWORD}).status_code == 302
    assert resident_client.get(f"/admin/perks/merchants/{cafe.id}/campaigns/new").status_code in (403, 404)
