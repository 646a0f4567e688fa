"""Operators' amenity pages: resources, closures and approvals, with access and bad input."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from community.amenities import operations as ops
from community.amenities.models import Booking, Closure, Resource
from tests.helpers import frozen_at, text

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=SH)
frozen_clock = frozen_at(NOW)


@pytest.fixture
def pending_booking(make_resource, resident, book):
    hall = make_resource(name="Hall", kind="activity_room", requires_approval=True)
    return book(resident, hall, NOW + timedelta(days=1, minutes=30))  # tomorrow 10:00-11:00


def resource_form(**overrides):
    data = {"kind": "gym", "name": "Fitness centre", "location": "Building 3, B1", "capacity": "20",
            "slot_minutes": "60", "booking_window_days": "14", "min_notice_minutes": "0",
            "cancel_cutoff_minutes": "60", "checkin_grace_minutes": "15", "fee": "30.00",
            "max_hours_per_day": "1.5"}
    data.update({f"hours_{d}": "06:00-12:00, 13:00-23:00" for d in range(5)})
    data.update({"hours_5": "08:00-20:00", "hours_6": ""})
    data.update(overrides)
    return data


def test_a_resident_cannot_open_admin_pages(client, login, resident, make_resource, pending_booking):
    room = make_resource()
    login(resident)
    for path in ("/admin/amenities/", "/admin/amenities/new", f"/admin/amenities/{room.id}/edit",
                 f"/admin/amenities/{room.id}/closures", f"/admin/amenities/{room.id}/bookings",
                 "/admin/amenities/approvals"):
        assert client.get(path).status_code == 403, path
    # Their own booking too: the admin pages are a role's page, not the owner's way to it.
    assert client.post(f"/admin/amenities/bookings/{pending_booking.id}/cancel",
                       data={f"b{pending_booking.id}-reason": "x"}).status_code == 403
    assert client.post(f"/admin/amenities/bookings/{pending_booking.id}/approve").status_code == 403
    assert client.post(f"/admin/amenities/{room.id}/status", data={"action": "archive"}).status_code == 403


def test_admin_creates_a_resource_typing_hours_and_yuan(client, db, login, community, community_admin):
    login(community_admin)
    assert client.get("/admin/amenities/new").status_code == 200
    response = client.post("/admin/amenities/new", data=resource_form(community_id=community.id,
                                                                         visible_tiers=["senior"]))
    assert response.status_code == 302, text(response)[:2000]
    resource = db.session.scalar(sa.select(Resource))
    assert (resource.name, resource.kind, resource.capacity, resource.fee_fen) == ("Fitness centre", "gym", 20, 3000)
    assert resource.max_minutes_per_day == 90 and resource.visible_tiers == ["senior"]
    assert resource.opening_hours["0"] == [["06:00", "12:00"], ["13:00", "23:00"]]
    assert resource.opening_hours["6"] == []
    assert "Fitness centre" in text(client.get("/admin/amenities/"))


def test_bad_resource_input_keeps_what_was_typed(client, db, login, community, community_admin):
    login(community_admin)
    bad_hours = client.post("/admin/amenities/new", data=resource_form(community_id=community.id, hours_2="8-12"))
    assert bad_hours.status_code == 422
    page = text(bad_hours)
    assert 'value="Fitness centre"' in page and 'value="8-12"' in page and "invalid-feedback" in page
    bad_fee = client.post("/admin/amenities/new", data=resource_form(community_id=community.id, fee="thirty"))
    assert bad_fee.status_code == 422 and 'value="thirty"' in text(bad_fee)
    bad_capacity = client.post("/admin/amenities/new", data=resource_form(community_id=community.id, capacity="0"))
    assert bad_capacity.status_code == 422
    huge_fee = client.post("/admin/amenities/new",
                           data=resource_form(community_id=community.id, fee="99999999999999999999999"))
    assert huge_fee.status_code == 422 and "invalid-feedback" in text(huge_fee)
    assert db.session.scalar(sa.select(sa.func.count(Resource.id))) == 0


def test_edit_prefills_and_saves(client, db, login, community_admin, make_resource):
    room = make_resource(fee_fen=1250, max_minutes_per_week=300)
    login(community_admin)
    page = text(client.get(f"/admin/amenities/{room.id}/edit"))
    assert 'value="12.50"' in page and 'value="08:00-22:00"' in page and 'value="5.0"' in page
    response = client.post(f"/admin/amenities/{room.id}/edit",
                           data=resource_form(community_id=room.community_id, kind="meeting_room", name="Room B",
                                              capacity="1", fee="0"))
    assert response.status_code == 302
    db.session.expire_all()
    room = db.session.get(Resource, room.id)
    assert (room.name, room.fee_fen) == ("Room B", 0)


def test_admin_of_another_community_gets_404_for_its_things(client, db, login, other_admin, make_resource,
                                                             pending_booking, community_admin):
    """They may use the admin pages, but another community's resources and bookings do not exist
    for them: 404, as the API answers, so ids reveal nothing."""
    room = make_resource()
    closure = ops.add_closure(room, starts_at=NOW + timedelta(days=2), ends_at=NOW + timedelta(days=3),
                              reason="Paint", actor=community_admin)
    db.session.commit()
    login(other_admin)
    assert client.get(f"/admin/amenities/{room.id}/edit").status_code == 404
    assert client.post(f"/admin/amenities/{room.id}/edit", data=resource_form()).status_code == 404
    assert client.get(f"/admin/amenities/{room.id}/closures").status_code == 404
    assert client.get(f"/admin/amenities/{room.id}/bookings").status_code == 404
    assert client.post(f"/admin/amenities/{room.id}/status", data={"action": "archive"}).status_code == 404
    assert client.post(f"/admin/amenities/closures/{closure.id}/delete").status_code == 404
    assert client.post(f"/admin/amenities/bookings/{pending_booking.id}/approve").status_code == 404
    assert client.post(f"/admin/amenities/bookings/{pending_booking.id}/reject", data={f"b{pending_booking.id}-reason": "x"}).status_code == 404
    assert client.post(f"/admin/amenities/bookings/{pending_booking.id}/cancel", data={f"b{pending_booking.id}-reason": "x"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Booking, pending_booking.id).status == "pending_approval"
    assert db.session.get(Resource, room.id).status == "active"
    assert db.session.get(Closure, closure.id) is not None
    assert "Room A" not in text(client.get("/admin/amenities/"))
    assert f'data-booking="{pending_booking.id}"' not in text(client.get("/admin/amenities/approvals"))


def test_close_reopen_and_archive(client, db, login, community_admin, resident, make_resource):
    room = make_resource()
    login(community_admin)
    client.post(f"/admin/amenities/{room.id}/status", data={"action": "close"})
    db.session.expire_all()
    assert db.session.get(Resource, room.id).status == "closed"
    client.post(f"/admin/amenities/{room.id}/status", data={"action": "reopen"})
    client.post(f"/admin/amenities/{room.id}/status", data={"action": "archive"})
    db.session.expire_all()
    assert db.session.get(Resource, room.id).status == "archived"
    assert f'data-resource="{room.id}"' not in text(client.get("/admin/amenities/"))
    assert f'data-resource="{room.id}"' in text(client.get("/admin/amenities/?archived=1"))
    assert client.post(f"/admin/amenities/{room.id}/status", data={"action": "explode"}).status_code == 400
    client.post("/logout")
    login(resident)
    assert f'data-resource="{room.id}"' not in text(client.get("/amenities/"))


def test_closures_in_local_time_are_shown_to_residents(client, db, login, community_admin, resident, make_resource):
    room = make_resource()
    login(community_admin)
    response = client.post(f"/admin/amenities/{room.id}/closures",
                           data={"starts_at": "2026-12-02T08:00", "ends_at": "2026-12-02T12:00",
                                 "reason": "Carpet cleaning"})
    assert response.status_code == 302
    closure = db.session.scalar(sa.select(Closure))
    assert closure.starts_at == datetime(2026, 12, 2, 0, 0, tzinfo=ZoneInfo("UTC"))  # 08:00 in Shanghai
    client.post("/logout")
    login(resident)
    page = text(client.get(f"/amenities/{room.id}"))
    assert "Carpet cleaning" in page
    tomorrow = page.split('id="day-2026-12-02"')[1].split('id="day-2026-12-03"')[0]
    assert tomorrow.count('data-state=closed') == 4


def test_closure_bad_input(client, db, login, community_admin, make_resource):
    room = make_resource()
    login(community_admin)
    backwards = client.post(f"/admin/amenities/{room.id}/closures",
                            data={"starts_at": "2026-12-02T12:00", "ends_at": "2026-12-02T08:00", "reason": "x"})
    assert backwards.status_code == 422 and 'value="x"' in text(backwards)
    no_reason = client.post(f"/admin/amenities/{room.id}/closures",
                            data={"starts_at": "2026-12-02T08:00", "ends_at": "2026-12-02T12:00", "reason": ""})
    assert no_reason.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Closure.id))) == 0


def test_remove_a_closure(client, db, login, community_admin, make_resource):
    room = make_resource()
    closure = ops.add_closure(room, starts_at=NOW + timedelta(days=1), ends_at=NOW + timedelta(days=2),
                              reason="Repairs", actor=community_admin)
    db.session.commit()
    login(community_admin)
    assert client.post(f"/admin/amenities/closures/{closure.id}/delete").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Closure.id))) == 0


def test_approve_a_pending_booking(client, db, login, community_admin, pending_booking):
    login(community_admin)
    page = text(client.get("/admin/amenities/approvals"))
    assert f'data-booking="{pending_booking.id}"' in page
    assert 'data-panel="pending-approvals"' in text(client.get("/dashboard"))
    assert client.post(f"/admin/amenities/bookings/{pending_booking.id}/approve").status_code == 302
    db.session.expire_all()
    assert db.session.get(Booking, pending_booking.id).status == "confirmed"
    again = client.post(f"/admin/amenities/bookings/{pending_booking.id}/approve")
    assert again.status_code == 422 and "alert-danger" in text(again)


def test_reject_needs_a_reason_the_resident_then_sees(client, db, login, community_admin, resident,
                                                      pending_booking):
    login(community_admin)
    field = f"b{pending_booking.id}-reason"
    missing = client.post(f"/admin/amenities/bookings/{pending_booking.id}/reject", data={field: "  "})
    assert missing.status_code == 422
    db.session.expire_all()
    assert db.session.get(Booking, pending_booking.id).status == "pending_approval"
    done = client.post(f"/admin/amenities/bookings/{pending_booking.id}/reject", data={field: "Hall is being painted"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Booking, pending_booking.id).status == "rejected"
    client.post("/logout")
    login(resident)
    assert "Hall is being painted" in text(client.get("/amenities/bookings?tab=past"))


# -- an admin cancels a resident's booking -----------------------------------------------------------

@pytest.fixture
def confirmed_booking(db, make_resource, resident):
    room = make_resource(name="会议室（三号楼二层东侧，可容纳十二人）")
    booking = ops.book(resident, room, NOW + timedelta(minutes=30), NOW + timedelta(minutes=90))  # 10:00
    db.session.commit()
    return booking


def test_admin_cancels_a_booking_and_the_resident_sees_the_reason(client, db, login, community_admin, resident,
                                                                  confirmed_booking):
    from community.core.audit import AuditEntry

    booking = confirmed_booking
    login(community_admin)
    page = text(client.get("/admin/amenities/"))
    assert f"/admin/amenities/{booking.resource_id}/bookings" in page
    listing = text(client.get(f"/admin/amenities/{booking.resource_id}/bookings"))
    assert f'data-booking="{booking.id}"' in listing and "resident@example.test" in listing
    response = client.post(f"/admin/amenities/bookings/{booking.id}/cancel",
                           data={f"b{booking.id}-reason": "Water leak, sorry"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/amenities/{booking.resource_id}/bookings")
    db.session.expire_all()
    stored = db.session.get(Booking, booking.id)
    assert (stored.status, stored.decision_reason, stored.decided_by_id) == ("cancelled", "Water leak, sorry",
                                                                           community_admin.id)
    assert db.session.scalar(sa.select(AuditEntry.actor_id).where(AuditEntry.action == "amenity.cancelled")) == community_admin.id
    assert f'data-booking="{booking.id}"' not in text(client.get(f"/admin/amenities/{booking.resource_id}/bookings"))
    client.post("/logout")
    login(resident)
    past = text(client.get("/amenities/bookings?tab=past"))
    assert "data-cancel-reason" in past and "Water leak, sorry" in past


@pytest.mark.parametrize("reason, status", [("", 422), ("   ", 422), ("x" * 256, 422)])
def test_admin_cancel_bad_reason_is_refused_and_changes_nothing(client, db, login, community_admin,
                                                                confirmed_booking, reason, status):
    booking = confirmed_booking
    login(community_admin)
    response = client.post(f"/admin/amenities/bookings/{booking.id}/cancel", data={f"b{booking.id}-reason": reason})
    assert response.status_code == status
    page = text(response)
    assert "alert-danger" in page and "is-invalid" in page and f'data-booking="{booking.id}"' in page
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "confirmed"


def test_admin_cancel_of_a_booking_already_cancelled_explains(client, db, login, community_admin, resident,
                                                              confirmed_booking):
    booking = confirmed_booking
    ops.cancel_booking(booking, actor=resident)
    db.session.commit()
    login(community_admin)
    response = client.post(f"/admin/amenities/bookings/{booking.id}/cancel", data={f"b{booking.id}-reason": "x"})
    assert response.status_code == 422 and "alert-danger" in text(response)
    assert client.post("/admin/amenities/bookings/999999/cancel", data={"b999999-reason": "x"}).status_code == 404
    assert client.get("/admin/amenities/999999/bookings").status_code == 404


def test_admin_bookings_page_empty_state(client, login, community_admin, make_resource):
    room = make_resource()
    login(community_admin)
    page = text(client.get(f"/admin/amenities/{room.id}/bookings"))
    assert "data-empty" in page


def test_the_admin_list_pages(client, login, community_admin, make_resource):
    for number in range(25):
        make_resource(name=f"Room {number:02d}")
    login(community_admin)
    first = text(client.get("/admin/amenities/"))
    assert "Room 00" in first and "Room 24" not in first and "page=2" in first
    assert "Room 24" in text(client.get("/admin/amenities/?page=2"))
