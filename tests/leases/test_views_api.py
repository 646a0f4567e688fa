"""My apartment, the office pages and the API: each answers only its owner / its community, bad
input re-renders or answers problem+json 4xx, and a bill is paid through payments."""
from datetime import date

import sqlalchemy as sa

from community.leases.models import Bill, Lease


def test_my_apartment_sign_and_see_the_bill(client, login, resident, community_admin, make_lease, db):
    lease = make_lease(resident)
    login(resident)
    page = client.get("/apartment/").get_data(as_text=True)
    assert 'data-action="sign-lease"' in page
    assert client.get(f"/apartment/leases/{lease.id}/terms").status_code == 200
    assert client.post(f"/apartment/leases/{lease.id}/sign").status_code == 302
    signature = db.session.get(Lease, lease.id).signature("resident")
    assert signature.ip_address == "127.0.0.1"
    assert client.post(f"/apartment/leases/{lease.id}/sign").status_code == 409  # twice: refused, page again


def test_the_wrong_resident_gets_404(client, login, resident, create_user, make_lease):
    lease = make_lease(resident)
    login(create_user("other@example.com"))
    assert client.get(f"/apartment/leases/{lease.id}/terms").status_code == 404
    assert client.post(f"/apartment/leases/{lease.id}/sign").status_code == 404
    assert client.post(f"/apartment/leases/{lease.id}/notice", data={}).status_code == 404
    assert client.get("/apartment/").status_code == 200


def test_a_renewal_to_sign_is_called_out_opened_and_signed_from_my_apartment(client, login, resident, create_user,
                                                                             community_admin, make_lease, db):
    from community.leases import operations as ops

    lease = make_lease(resident, date(2026, 6, 1), date(2027, 3, 31), status="active", office=community_admin)
    renewal = ops.request_renewal(lease, actor=resident)
    new = ops.decide_renewal(renewal, actor=community_admin, accept=True, rent_fen=320000)
    db.session.commit()
    login(resident)
    page = client.get("/apartment/").get_data(as_text=True)
    assert f'data-lease="{lease.id}"' in page  # the lease lived in comes first
    assert f'data-to-sign="{new.id}"' in page and f'href="/apartment/leases/{new.id}"' in page
    assert f'data-other-lease="{new.id}"' in page
    opened = client.get(f"/apartment/leases/{new.id}").get_data(as_text=True)
    assert f'data-lease="{new.id}"' in opened and 'data-action="sign-lease"' in opened and "data-back-to-current" in opened
    assert client.post(f"/apartment/leases/{new.id}/sign").status_code == 302
    after = client.get("/apartment/").get_data(as_text=True)
    assert "data-to-sign" not in after and f'data-other-lease="{new.id}"' in after
    assert client.post("/logout").status_code == 302
    login(create_user("other@example.com"))
    assert client.get(f"/apartment/leases/{new.id}").status_code == 404


def test_notice_shows_the_day_then_confirms(client, login, resident, community_admin, make_lease, db):
    lease = make_lease(resident, date(2026, 6, 1), date(2027, 3, 31), status="active", office=community_admin)
    login(resident)
    page = client.get("/apartment/").get_data(as_text=True)
    assert "2027-02-04" in page  # the earliest day notice sets
    shown = client.post(f"/apartment/leases/{lease.id}/notice", data={"end_on": "2027-02-28"})
    assert shown.status_code == 200 and "2027-02-28" in shown.get_data(as_text=True)
    assert db.session.get(Lease, lease.id).status == "active"
    assert client.post(f"/apartment/leases/{lease.id}/notice", data={"end_on": "2027-01-10"}).status_code == 422
    assert client.post(f"/apartment/leases/{lease.id}/notice", data={"end_on": "nonsense"}).status_code == 422
    done = client.post(f"/apartment/leases/{lease.id}/notice", data={"end_on": "2027-02-28", "confirm": "y"})
    assert done.status_code == 302
    assert db.session.get(Lease, lease.id).status == "ending"


def test_api_lease_and_bills(client, api_token, resident, community_admin, make_lease, create_user):
    lease = make_lease(resident, date(2026, 12, 16), date(2027, 12, 15), rent_fen=310000, status="active",
                       tier="senior", office=community_admin)
    headers = api_token(resident)
    got = client.get("/api/v1/lease", headers=headers).get_json()
    assert (got["id"], got["status"], got["rent"], got["starts_on"]) == (lease.id, "active", 310000, "2026-12-16")
    bills = client.get("/api/v1/bills", headers=headers).get_json()
    assert bills and {"rent", "subsidy", "amount_due", "status", "period_start", "period_end"} <= set(bills[0])
    assert all(isinstance(b["rent"], int) and b["amount_due"] == b["rent"] - b["subsidy"] for b in bills)
    stranger = api_token(create_user("s@example.com"))
    assert client.get("/api/v1/lease", headers=stranger).status_code == 404
    assert client.get("/api/v1/bills", headers=stranger).get_json() == []
    early = client.post("/api/v1/lease/renewal", json={}, headers=headers)
    assert early.status_code == 422 and early.get_json()["code"] == "renewal_too_early" and early.get_json()["rule"]
    assert early.headers["Content-Type"].startswith("application/problem+json")
    short = client.post("/api/v1/lease/notice", json={"ends_on": "2027-01-06"}, headers=headers)
    assert short.status_code == 422 and short.get_json()["code"] == "notice_too_short"
    bad = client.post("/api/v1/lease/notice", json={"ends_on": "soon"}, headers=headers)
    assert bad.status_code == 422
    preview = client.post("/api/v1/lease/notice", json={"confirm": False}, headers=headers).get_json()
    assert preview == {"ends_on": "2027-02-04", "confirmed": False, "lease": None}
    done = client.post("/api/v1/lease/notice", json={"ends_on": "2027-03-31"}, headers=headers)
    assert done.status_code == 200 and done.get_json()["lease"]["status"] == "ending"


def test_api_renewal_in_the_window(client, api_token, resident, community_admin, make_lease):
    make_lease(resident, date(2026, 3, 1), date(2027, 2, 28), status="active", office=community_admin)
    headers = api_token(resident)
    answer = client.post("/api/v1/lease/renewal", json={"ends_on": "2028-02-29"}, headers=headers)
    assert answer.status_code == 201
    assert answer.get_json()["starts_on"] == "2027-03-01" and answer.get_json()["ends_on"] == "2028-02-29"


def test_office_pages_are_scoped_to_the_community(client, login, resident, community_admin, make_lease, create_user,
                                                  create_community, db):
    lease = make_lease(resident, date(2026, 1, 1), date(2027, 2, 15), status="active", office=community_admin)
    login(community_admin)
    overview = client.get("/admin/leases/").get_data(as_text=True)
    assert f'/admin/leases/{lease.id}' in overview and "data-ending" in overview
    assert client.get("/admin/leases/occupancy").status_code == 200
    csv = client.get("/admin/leases/export/ending.csv")
    assert csv.status_code == 200 and csv.get_data(as_text=True).startswith("\ufeff")
    assert client.get("/admin/leases/export/nothing.csv").status_code == 404
    assert client.get(f"/admin/leases/{lease.id}").status_code == 200
    assert client.post(f"/admin/leases/{lease.id}/terminate", data={"reason": ""}).status_code == 422
    client.post("/logout")
    login(create_user("far@example.com", roles=("community_admin",), community_=create_community("Far")))
    assert client.get(f"/admin/leases/{lease.id}").status_code == 404
    assert client.post(f"/admin/leases/{lease.id}/terminate", data={"reason": "x"}).status_code == 404
    assert f'/admin/leases/{lease.id}"' not in client.get("/admin/leases/").get_data(as_text=True)
    client.post("/logout")
    login(resident)
    assert client.get("/admin/leases/").status_code == 403


def test_a_paid_webhook_marks_the_bill_paid(client, login, resident, community_admin, make_lease, stripe_on, deliver,
                                           db):
    lease = make_lease(resident, status="active", office=community_admin)
    bill = db.session.scalars(sa.select(Bill).where(Bill.lease_id == lease.id)).one()
    login(resident)
    response = client.post(f"/payments/pay/lease_bill/{bill.id}")
    assert response.status_code == 303
    assert deliver(stripe_on.complete(response.headers["Location"].rsplit("/", 1)[1])).status_code == 200
    db.session.expire_all()
    assert db.session.get(Bill, bill.id).status == "paid"
    client.post("/logout")
    login(community_admin)
    assert client.post(f"/payments/pay/lease_bill/{bill.id}").status_code in (403, 404, 409)


def test_the_office_sets_a_subsidy_rate_for_its_own_community(client, login, community_admin, community,
                                                              create_user, create_community):
    login(community_admin)
    assert f"/admin/leases/rates/{community.id}" in client.get("/admin/leases/").get_data(as_text=True)
    assert client.post(f"/admin/leases/rates/{community.id}", data={"tier": "junior", "percent": "150"}).status_code == 422
    assert client.post(f"/admin/leases/rates/{community.id}", data={"tier": "junior", "percent": "30"}).status_code == 302
    assert 'data-rate="junior">' in client.get(f"/admin/leases/rates/{community.id}").get_data(as_text=True)
    far = create_community("Far")
    assert client.get(f"/admin/leases/rates/{far.id}").status_code == 404


def test_the_office_and_the_resident_take_a_lease_from_signing_to_the_settlement_on_the_web(
        client, login, resident, community_admin, make_lease, db):
    """Every office step through its page: countersign, the move-in inspection, a renewal offered
    at a rent typed in yuan, the move-out inspection with a repair cost in yuan; the resident signs
    and sees the settlement. Bad input re-renders with the message and what was typed."""
    from community.leases import operations as ops
    from community.leases.models import Deposit, Inspection, InspectionItem, RenewalRequest

    lease = make_lease(resident, date(2026, 6, 1), date(2027, 3, 31), deposit_fen=500000)
    ops.sign(lease, actor=resident)
    db.session.commit()
    login(community_admin)
    overview = client.get("/admin/leases/").get_data(as_text=True)
    assert f'/admin/leases/{lease.id}"' in overview and "data-drafts" in overview
    assert client.post(f"/admin/leases/{lease.id}/countersign").status_code == 302
    assert client.post(f"/admin/leases/{lease.id}/inspections/move_in").status_code == 302
    move_in = db.session.scalar(sa.select(Inspection).where(Inspection.lease_id == lease.id))
    refused = client.post(f"/admin/leases/inspections/{move_in.id}/items", data={"room": "", "item": "窗户<b>",
                                                                                 "condition": "good"})
    assert refused.status_code == 422 and "窗户&lt;b&gt;" in refused.get_data(as_text=True)  # kept, escaped
    assert client.post(f"/admin/leases/inspections/{move_in.id}/items",
                       data={"room": "卧室", "item": "窗户", "condition": "good"}).status_code == 302
    assert client.post(f"/admin/leases/inspections/{move_in.id}/sign").status_code == 302
    ops.mark_deposit_paid(db.session.scalar(sa.select(Deposit).where(Deposit.lease_id == lease.id)))
    ops.sign_inspection(db.session.get(Inspection, move_in.id), actor=resident, party="resident")
    renewal = ops.request_renewal(db.session.get(Lease, lease.id), actor=resident)
    db.session.commit()

    assert f'data-renewal-request="{renewal.id}"' in client.get("/admin/leases/").get_data(as_text=True)
    page = client.get(f"/admin/leases/{lease.id}").get_data(as_text=True)
    assert 'value="3000.00"' in page  # the current rent, in yuan, to keep or change
    wrong = client.post(f"/admin/leases/renewals/{renewal.id}/accept", data={"rent": "3200.505"})
    assert wrong.status_code == 422 and "3200.505" in wrong.get_data(as_text=True)
    assert db.session.get(RenewalRequest, renewal.id).status == "requested"
    assert client.post(f"/admin/leases/renewals/{renewal.id}/accept", data={"rent": "¥3,200.50"}).status_code == 302
    assert db.session.get(Lease, db.session.get(RenewalRequest, renewal.id).new_lease_id).rent_fen == 320050

    assert client.post(f"/admin/leases/{lease.id}/inspections/move_out").status_code == 302
    move_out = db.session.scalar(sa.select(Inspection).where(Inspection.lease_id == lease.id,
                                                             Inspection.kind == "move_out"))
    bad_cost = client.post(f"/admin/leases/inspections/{move_out.id}/items",
                           data={"room": "客厅", "item": "墙面", "condition": "damaged", "cost": "三百"})
    assert bad_cost.status_code == 422 and 'value="三百"' in bad_cost.get_data(as_text=True)
    assert client.post(f"/admin/leases/inspections/{move_out.id}/items",
                       data={"room": "客厅", "item": "墙面", "condition": "damaged", "cost": "300"}).status_code == 302
    assert db.session.scalar(sa.select(InspectionItem.cost_fen).where(InspectionItem.inspection_id == move_out.id)) \
        == 30000
    assert client.post(f"/admin/leases/inspections/{move_out.id}/sign").status_code == 302

    assert client.post("/logout").status_code == 302
    login(resident)
    signed = client.post(f"/apartment/inspections/{move_out.id}/sign")
    assert signed.status_code == 302 and signed.headers["Location"].endswith(f"/apartment/leases/{lease.id}")
    settled = client.get(f"/apartment/leases/{lease.id}").get_data(as_text=True)
    assert 'data-deposit="settled"' in settled and "4,700.00" in settled  # 5,000 held − 300 repairs
    deposit = db.session.scalar(sa.select(Deposit).where(Deposit.lease_id == lease.id))
    assert client.post(f"/apartment/deposits/{deposit.id}/dispute", data={"message": ""}).status_code == 422
    assert client.post(f"/apartment/deposits/{deposit.id}/dispute", data={"message": "墙面本来就有裂缝"}).status_code == 302
    assert "墙面本来就有裂缝" in client.get(f"/apartment/leases/{lease.id}").get_data(as_text=True)


def test_bills_to_pay_stay_in_view_and_older_settled_ones_fold_away():
    from types import SimpleNamespace

    from community.leases.presentation import fold_bills

    bills = [SimpleNamespace(id=n, is_payable=n in (2, 6, 7)) for n in range(1, 9)]  # newest first
    shown, folded = fold_bills(bills)
    assert [b.id for b in shown] == [1, 2, 3, 6, 7] and [b.id for b in folded] == [4, 5, 8]


def test_my_apartment_sums_what_is_to_pay(client, login, resident, community_admin, make_lease, db):
    lease = make_lease(resident, date(2026, 12, 16), date(2027, 12, 15), rent_fen=310000, status="active",
                       office=community_admin)
    due = db.session.scalars(sa.select(Bill.amount_due_fen).where(Bill.lease_id == lease.id)).all()
    login(resident)
    page = client.get("/apartment/").get_data(as_text=True)
    assert due and "data-owed" in page and f"{sum(due) / 100:,.2f}" in page.split("data-owed")[1][:200]
    assert "data-earlier-bills" not in page


def test_my_apartment_costs_the_same_statements_with_more_leases_and_bills(client, login, resident, db,
                                                                           community_admin, make_lease):
    """No statement a lease or a bill: the other leases come with their units and signatures. (Both
    times the lease shown is outside its renewal window, whose preview reads pending renewals.)"""
    from community.leases import operations as ops
    from tests.helpers import recorded_statements
    from tests.leases.conftest import move_to

    first = make_lease(resident, date(2026, 12, 1), date(2027, 11, 30), status="active", office=community_admin)
    login(resident)

    def sent():
        with recorded_statements(db) as statements:
            assert client.get("/apartment/").status_code == 200
        return len(statements)

    before = sent()
    for month in (2, 3, 4, 5):
        move_to(2027, month, 5)
        ops.issue_bills()
    ops.terminate(first, actor=community_admin, reason="换房", end_on=date(2027, 5, 31))
    for n in range(3):
        make_lease(resident, date(2027, 6 + n * 2, 1), date(2028, 5 + n * 2, 28), status="signed" if n else "active",
                   office=community_admin)
    db.session.commit()
    assert client.post("/logout").status_code == 302
    login(resident)  # months later: the first session has expired
    page = client.get("/apartment/").get_data(as_text=True)
    assert page.count("data-other-lease=") == 3
    assert sent() == before


def test_the_office_finds_a_lease_by_unit_resident_or_status(client, login, resident, create_user, community_admin,
                                                             make_lease, create_community):
    found = make_lease(create_user("chen@example.com", display_name="陈一"), date(2027, 1, 1), date(2027, 12, 31))
    other = make_lease(resident, date(2027, 1, 1), date(2027, 12, 31), status="active", office=community_admin)
    far_admin = create_user("far@example.com", roles=("community_admin",), community_=create_community("Far"))
    login(community_admin)

    def listed(**args):
        page = client.get("/admin/leases/", query_string=args).get_data(as_text=True)
        section = page.split("data-leases", 1)[1]
        return {lease.id for lease in (found, other) if f'/admin/leases/{lease.id}"' in section}, section

    assert listed()[0] == {found.id, other.id}
    assert listed(q="陈")[0] == {found.id} and listed(q="CHEN@")[0] == {found.id}
    assert listed(q=found.unit.number)[0] == {found.id}
    assert listed(status="active")[0] == {other.id}
    nothing, section = listed(q="%_<b>")
    assert nothing == set() and "data-no-leases" in section and "&lt;b&gt;" in section  # no wildcard, escaped
    assert listed(status="nonsense")[0] == {found.id, other.id}  # an unknown status filters nothing
    client.post("/logout")
    login(far_admin)
    assert listed(q="陈")[0] == set()


def test_a_checkout_open_for_the_whole_month_is_expired_when_the_bill_is_cut(
        client, login, resident, community_admin, make_lease, stripe_on, db):
    """A resident opened Stripe Checkout for the month's bill, then the office ended the lease
    early: the session for the old amount is no longer offered, and Pay starts one for the new."""
    from community.payments import ledger
    from community.payments.models import Payment

    lease = make_lease(resident, date(2026, 12, 1), date(2027, 11, 30), rent_fen=310000, status="active",
                       office=community_admin)
    bill = db.session.scalars(sa.select(Bill).where(Bill.lease_id == lease.id)).one()
    login(resident)
    assert client.post(f"/payments/pay/lease_bill/{bill.id}").status_code == 303
    client.post("/logout")
    login(community_admin)
    assert client.post(f"/admin/leases/{lease.id}/terminate", data={"reason": "违反租约", "end_on": "2027-01-16"}
                       ).status_code == 302
    db.session.expire_all()
    assert db.session.get(Bill, bill.id).amount_due_fen == 160000  # 16 of 31 days, no tier
    assert db.session.scalars(sa.select(Payment.status).where(Payment.payable_kind == "lease_bill",
                                                           Payment.payable_id == bill.id)).all() == ["expired"]
    client.post("/logout")
    login(resident)
    assert client.post(f"/payments/pay/lease_bill/{bill.id}").status_code == 303
    fresh = db.session.scalar(sa.select(Payment).where(Payment.payable_kind == "lease_bill", Payment.payable_id == bill.id,
                                                   Payment.status == "open"))
    assert fresh.amount_fen == 160000
    report = ledger.check()
    assert report.ok, report.problems
