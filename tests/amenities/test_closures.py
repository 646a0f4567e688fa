"""A change of a resource never leaves the bookings it hits standing unseen: a closure over them, a
lower capacity, opening hours without them, closing or archiving the resource. The operation refuses
with BookingsAffected listing them, or cancels them with the reason (the residents told, paid ones
marked for refund) in the same unit of work, under the resource lock, and only the set the admin saw.

The clock is frozen on Tuesday 2026-12-01 09:30 in Shanghai."""
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from community.amenities import notices, queries, rules
from community.amenities import operations as ops
from community.amenities.errors import BookingsAffected
from community.amenities.models import CANCELLED, CHECKED_IN, CONFIRMED, Booking, Closure, Resource
from community.core import clock, signals
from community.core.audit import AuditEntry
from community.core.errors import RuleViolation
from community.notifications.models import Notice
from tests.factories.amenities import hours_every_day, local
from tests.helpers import frozen_at, text

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=SH)
frozen_clock = frozen_at(NOW)
at = partial(local, base=NOW)
KIND = notices.CANCELLED_BY_CHANGE_KIND


@pytest.fixture
def gym(make_resource):
    return make_resource(kind="gym", name="Gym", capacity=3, opening_hours=hours_every_day("08:00-22:00"))


@pytest.fixture
def people(create_user):
    return [create_user(f"p{n}@example.test", display_name=f"Person {n}") for n in range(4)]


def statuses(db, *bookings):
    db.session.expire_all()
    return [db.session.get(Booking, b.id).status for b in bookings]


def closure_count(db):
    return db.session.scalar(sa.select(sa.func.count(Closure.id)))


def notices_of(db, user):
    return db.session.scalars(sa.select(Notice).where(Notice.user_id == user.id, Notice.kind == KIND)).all()


# -- closures: operations ------------------------------------------------------------------------

def test_a_closure_over_bookings_is_refused_and_lists_them(db, gym, people, book, community_admin):
    hit = [book(people[0], gym, at(1, 10)), book(people[1], gym, at(1, 11))]
    spared = book(people[2], gym, at(1, 12))  # starts when the closure ends: back to back
    with pytest.raises(BookingsAffected) as refused:
        ops.add_closure(gym, starts_at=at(1, 10), ends_at=at(1, 12), reason="Floor repair", actor=community_admin)
    error = refused.value
    assert (error.status, error.code, error.cause) == (409, "bookings_affected", notices.CLOSURE)
    assert [b.id for b in error.bookings] == [b.id for b in hit]
    assert error.extra["count"] == 2 and error.extra["bookings"][0] == {
        "id": hit[0].id, "user_id": people[0].id, "status": CONFIRMED, "start": "2026-12-02T10:00:00+08:00",
        "end": "2026-12-02T11:00:00+08:00", "paid": False}
    db.session.rollback()
    assert closure_count(db) == 0 and statuses(db, *hit, spared) == [CONFIRMED] * 3


def test_cancelling_them_tells_each_resident_the_closures_reason(db, gym, people, book, community_admin, outbox):
    hit = [book(people[0], gym, at(1, 10)), book(people[1], gym, at(1, 11))]
    spared = book(people[2], gym, at(1, 12))
    calls = []
    listener = lambda sender, **kwargs: calls.append((sender.id, kwargs["by_office"]))  # noqa: E731
    signals.booking_cancelled.connect(listener)
    try:
        closure = ops.add_closure(gym, starts_at=at(1, 10), ends_at=at(1, 12), reason="Floor repair",
                                  actor=community_admin, cancel_affected=True, expected_ids=[b.id for b in hit])
        db.session.commit()
    finally:
        signals.booking_cancelled.disconnect(listener)
    assert statuses(db, *hit, spared) == [CANCELLED, CANCELLED, CONFIRMED]
    stored = db.session.get(Booking, hit[0].id)
    assert (stored.decision_reason, stored.decided_by_id, stored.late_cancel) == ("Floor repair", community_admin.id,
                                                                                 False)
    assert sorted(calls) == sorted((b.id, True) for b in hit)
    for person, booking in zip(people, hit):
        [notice] = notices_of(db, person)
        assert (notice.object_id, notice.params["cause"], notice.params["reason"]) == (booking.id, "closure",
                                                                                        "Floor repair")
    assert notices_of(db, people[2]) == []
    assert sorted(m.recipient for m in outbox(KIND)) == ["p0@example.test", "p1@example.test"]
    assert "Floor repair" in outbox(KIND)[0].body
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "amenity.closure_added"))
    assert entry.details["booking_ids"] == [b.id for b in hit] and closure.id is not None


def test_an_api_caller_may_cancel_whatever_it_hits_without_listing_ids(db, gym, people, book, community_admin):
    booking = book(people[0], gym, at(1, 10))
    ops.add_closure(gym, starts_at=at(1, 8), ends_at=at(1, 22), reason="Holiday", actor=community_admin,
                    cancel_affected=True)
    db.session.commit()
    assert statuses(db, booking) == [CANCELLED] and closure_count(db) == 1


def test_a_booking_made_after_the_admin_looked_is_caught(db, gym, people, book, community_admin):
    seen = book(people[0], gym, at(1, 10))
    with pytest.raises(BookingsAffected):
        ops.add_closure(gym, starts_at=at(1, 8), ends_at=at(1, 12), reason="Repairs", actor=community_admin)
    db.session.rollback()
    newcomer = book(people[1], gym, at(1, 11))  # between the confirm page and the click
    with pytest.raises(BookingsAffected) as refused:
        ops.add_closure(gym, starts_at=at(1, 8), ends_at=at(1, 12), reason="Repairs", actor=community_admin,
                        cancel_affected=True, expected_ids=[seen.id])
    assert refused.value.code == "affected_bookings_changed"
    assert [b.id for b in refused.value.bookings] == [seen.id, newcomer.id]
    db.session.rollback()
    assert closure_count(db) == 0 and statuses(db, seen, newcomer) == [CONFIRMED, CONFIRMED]


def test_a_closure_takes_the_lock_booking_takes(db, gym, community_admin):
    before = gym.lock_version
    ops.add_closure(gym, starts_at=at(3, 8), ends_at=at(3, 9), reason="Cleaning", actor=community_admin)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Resource, gym.id).lock_version == before + 1


def test_what_a_closure_does_not_hit(db, gym, people, book, community_admin):
    clock.freeze(at(0, 7))  # booked earlier this morning
    over = book(people[0], gym, at(0, 8))  # ended at 09:00, before now
    checked_in = book(people[2], gym, at(0, 9))  # 09:00-10:00, the person is there
    clock.freeze(at(0, 9, 5))
    ops.check_in(checked_in, actor=people[2])
    clock.freeze(NOW)
    cancelled = book(people[1], gym, at(1, 10))
    ops.cancel_booking(cancelled, actor=people[1])
    db.session.commit()
    assert queries.affected_by_closure(gym, at(0, 8), at(1, 22)) == []
    ops.add_closure(gym, starts_at=at(0, 8), ends_at=at(1, 22), reason="Holiday", actor=community_admin)
    db.session.commit()
    assert statuses(db, over, cancelled, checked_in) == [CONFIRMED, CANCELLED, CHECKED_IN]


def test_a_paid_booking_keeps_paid_at_and_its_resident_is_told_the_refund_follows(db, app, make_resource, people,
                                                                                 book, community_admin, outbox):
    ktv = make_resource(kind="activity_room", name="KTV", fee_fen=3000)
    paid = ops.mark_paid(book(people[0], ktv, at(1, 20)), actor=community_admin)
    unpaid = book(people[1], ktv, at(1, 21))
    db.session.commit()
    ops.add_closure(ktv, starts_at=at(1, 18), ends_at=at(1, 22), reason="Sound system broken", actor=community_admin,
                    cancel_affected=True, expected_ids=[paid.id, unpaid.id])
    db.session.commit()
    db.session.expire_all()
    paid, unpaid = db.session.get(Booking, paid.id), db.session.get(Booking, unpaid.id)
    assert paid.status == CANCELLED and paid.paid_at is not None and rules.refund_due(paid)
    assert unpaid.status == CANCELLED and not rules.refund_due(unpaid)
    [mail] = [m for m in outbox(KIND) if m.recipient == "p0@example.test"]
    assert "¥30.00" in mail.body and "退" in mail.body  # zh_CN: 退还 (refunded)
    [other] = [m for m in outbox(KIND) if m.recipient == "p1@example.test"]
    assert "¥30.00" not in other.body
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "amenity.cancelled")
                                 .order_by(AuditEntry.id)).all()
    assert [e.details.get("refund_due") for e in entries] == [True, None]


def test_the_notice_says_what_happened_why_and_about_the_refund_in_the_readers_language(
        db, app, make_resource, people, book, community_admin):
    from flask_babel import force_locale

    from community.notifications.texts import render_notice

    ktv = make_resource(kind="activity_room", name="KTV", fee_fen=3000)
    booking = ops.mark_paid(book(people[0], ktv, at(1, 20)), actor=community_admin)
    ops.add_closure(ktv, starts_at=at(1, 18), ends_at=at(1, 22), reason="Sound system broken", actor=community_admin,
                    cancel_affected=True)
    db.session.commit()
    [notice] = notices_of(db, people[0])
    with app.test_request_context("/"), force_locale("en"):
        english = render_notice(notice, reader_tz=None)
    assert english.subject == "Your booking of KTV was cancelled"
    assert english.body.splitlines() == [
        "KTV is closed from 12/2/26, 6:00\u202fPM to 12/2/26, 10:00\u202fPM, so the community office cancelled "
        "your booking on 12/2/26, 8:00\u202fPM.",
        "Reason: Sound system broken", "You paid ¥30.00 for it; it will be refunded to you."]
    with app.test_request_context("/"), force_locale("zh_CN"):
        chinese = render_notice(notice, reader_tz=None)
    assert "Sound system broken" in chinese.body and "退还" in chinese.body and booking.id == notice.object_id


def test_a_closure_that_is_over_is_refused_one_still_running_is_not(db, gym, community_admin):
    with pytest.raises(RuleViolation) as refused:
        ops.add_closure(gym, starts_at=at(-1, 8), ends_at=at(0, 9), reason="Yesterday", actor=community_admin)
    assert refused.value.code == "closure_in_the_past"
    ops.add_closure(gym, starts_at=at(0, 8), ends_at=at(0, 12), reason="This morning", actor=community_admin)
    db.session.commit()
    assert [c.reason for c in queries.upcoming_closures(gym)] == ["This morning"]


# -- capacity, opening hours, status: operations ----------------------------------------------------

def test_lowering_the_capacity_keeps_the_bookings_made_first(db, gym, people, book, community_admin):
    first, second, third = (book(p, gym, at(1, 10)) for p in people[:3])
    elsewhere = book(people[3], gym, at(1, 14))
    with pytest.raises(BookingsAffected) as refused:
        ops.update_resource(gym, actor=community_admin, capacity=1)
    assert refused.value.cause == notices.FEWER_PLACES
    assert [b.id for b in refused.value.bookings] == [second.id, third.id]
    db.session.rollback()
    assert db.session.get(Resource, gym.id).capacity == 3
    with pytest.raises(BookingsAffected) as no_reason:
        ops.update_resource(gym, actor=community_admin, capacity=1, cancel_affected=True,
                            expected_ids=[second.id, third.id], reason="  ")
    assert (no_reason.value.code, no_reason.value.status) == ("reason_required", 422)
    db.session.rollback()
    ops.update_resource(gym, actor=community_admin, capacity=1, cancel_affected=True,
                        expected_ids=[second.id, third.id], reason="Half the machines are broken")
    db.session.commit()
    assert statuses(db, first, second, third, elsewhere) == [CONFIRMED, CANCELLED, CANCELLED, CONFIRMED]
    assert db.session.get(Resource, gym.id).capacity == 1
    assert notices_of(db, people[1])[0].params["cause"] == notices.FEWER_PLACES


def test_raising_the_capacity_or_keeping_the_hours_hits_nothing(db, gym, people, book, community_admin):
    booking = book(people[0], gym, at(1, 10))
    ops.update_resource(gym, actor=community_admin, capacity=5, opening_hours=hours_every_day("08:00-22:00"))
    db.session.commit()
    assert statuses(db, booking) == [CONFIRMED]


def test_new_opening_hours_hit_the_bookings_outside_them(db, gym, people, book, community_admin):
    early = book(people[0], gym, at(1, 8))
    inside = book(people[1], gym, at(1, 10))
    late = book(people[2], gym, at(2, 21))
    with pytest.raises(BookingsAffected) as refused:
        ops.update_resource(gym, actor=community_admin, opening_hours=hours_every_day("09:00-21:00"))
    assert refused.value.cause == notices.OTHER_HOURS
    assert [b.id for b in refused.value.bookings] == [early.id, late.id]
    db.session.rollback()
    ops.update_resource(gym, actor=community_admin, opening_hours=hours_every_day("09:00-21:00"),
                        cancel_affected=True, expected_ids=[early.id, late.id], reason="Shorter winter hours")
    db.session.commit()
    assert statuses(db, early, inside, late) == [CANCELLED, CONFIRMED, CANCELLED]


def test_each_resident_is_told_what_the_change_did_to_their_booking(db, gym, people, book, community_admin):
    early = book(people[0], gym, at(1, 8))  # outside 09:00-21:00
    kept, extra = book(people[1], gym, at(1, 10)), book(people[2], gym, at(1, 10))  # one place left at 10:00
    ops.update_resource(gym, actor=community_admin, capacity=1, opening_hours=hours_every_day("09:00-21:00"),
                        cancel_affected=True, expected_ids=[early.id, extra.id], reason="Winter")
    db.session.commit()
    assert statuses(db, early, kept, extra) == [CANCELLED, CONFIRMED, CANCELLED]
    assert notices_of(db, people[0])[0].params["cause"] == notices.OTHER_HOURS
    assert notices_of(db, people[2])[0].params["cause"] == notices.FEWER_PLACES


@pytest.mark.parametrize("status", ["closed", "archived"])
def test_closing_or_archiving_with_bookings_to_come_asks_first(db, gym, people, book, community_admin, status):
    coming = book(people[0], gym, at(2, 10))
    with pytest.raises(BookingsAffected) as refused:
        ops.set_resource_status(gym, status, actor=community_admin)
    assert refused.value.cause == notices.NOT_OPEN and [b.id for b in refused.value.bookings] == [coming.id]
    db.session.rollback()
    assert db.session.get(Resource, gym.id).status == "active"
    ops.set_resource_status(gym, status, actor=community_admin, cancel_affected=True, expected_ids=[coming.id],
                            reason="The gym moves to building 5")
    db.session.commit()
    assert statuses(db, coming) == [CANCELLED] and db.session.get(Resource, gym.id).status == status


def test_closing_for_new_bookings_may_keep_the_ones_made_archiving_may_not(db, gym, people, book,
                                                                            community_admin):
    coming = book(people[0], gym, at(2, 10))
    ops.set_resource_status(gym, "closed", actor=community_admin, keep_bookings=True)
    db.session.commit()
    assert statuses(db, coming) == [CONFIRMED] and db.session.get(Resource, gym.id).status == "closed"
    with pytest.raises(BookingsAffected):
        ops.set_resource_status(gym, "archived", actor=community_admin, keep_bookings=True)
    db.session.rollback()


def test_a_resident_cannot_make_any_of_these_changes(db, gym, people, book, resident):
    from community.core.errors import PermissionDenied

    book(people[0], gym, at(1, 10))
    for change in (lambda: ops.add_closure(gym, starts_at=at(1, 8), ends_at=at(1, 12), reason="x", actor=resident,
                                           cancel_affected=True),
                   lambda: ops.update_resource(gym, actor=resident, capacity=1, cancel_affected=True, reason="x"),
                   lambda: ops.set_resource_status(gym, "archived", actor=resident, cancel_affected=True, reason="x")):
        with pytest.raises(PermissionDenied):
            change()
        db.session.rollback()


# -- the pages: the confirm step -------------------------------------------------------------------

def closure_form(**overrides):
    return {"starts_at": "2026-12-02T08:00", "ends_at": "2026-12-02T12:00", "reason": "Floor repair", **overrides}


def test_the_closure_page_lists_what_it_hits_then_cancels_them(client, db, login, gym, people, book,
                                                               community_admin):
    hit = [book(people[0], gym, at(1, 10)), book(people[1], gym, at(1, 11))]
    login(community_admin)
    client.get("/lang/en")
    preview = client.post(f"/admin/amenities/{gym.id}/closures", data=closure_form())
    assert preview.status_code == 409
    page = text(preview)
    assert all(f'data-affected="{b.id}"' in page for b in hit) and "Person 0" in page and "p1@example.test" in page
    assert "Floor repair" in page and "Cancel these 2 bookings and add the closure" in page
    assert 'name="starts_at" value="2026-12-02T08:00"' in page
    assert closure_count(db) == 0 and statuses(db, *hit) == [CONFIRMED, CONFIRMED]
    done = client.post(f"/admin/amenities/{gym.id}/closures",
                       data={**closure_form(), "confirm": "cancel", "affected": [b.id for b in hit]})
    assert done.status_code == 302
    assert closure_count(db) == 1 and statuses(db, *hit) == [CANCELLED, CANCELLED]
    assert "2 bookings cancelled" in text(client.get(done.headers["Location"]))


def test_go_back_keeps_what_was_typed_and_changes_nothing(client, db, login, gym, people, book, community_admin):
    booking = book(people[0], gym, at(1, 10))
    login(community_admin)
    back = client.post(f"/admin/amenities/{gym.id}/closures",
                       data={**closure_form(), "confirm": "back", "affected": [booking.id]})
    assert back.status_code == 200 and 'value="Floor repair"' in text(back)
    assert closure_count(db) == 0 and statuses(db, booking) == [CONFIRMED]


def test_a_booking_made_between_preview_and_confirm_is_shown_not_cancelled(client, db, login, gym, people, book,
                                                                           community_admin):
    seen = book(people[0], gym, at(1, 10))
    login(community_admin)
    assert client.post(f"/admin/amenities/{gym.id}/closures", data=closure_form()).status_code == 409
    newcomer = book(people[1], gym, at(1, 11))
    again = client.post(f"/admin/amenities/{gym.id}/closures",
                        data={**closure_form(), "confirm": "cancel", "affected": [seen.id]})
    assert again.status_code == 409
    assert f'data-affected="{newcomer.id}"' in text(again)
    assert closure_count(db) == 0 and statuses(db, seen, newcomer) == [CONFIRMED, CONFIRMED]


def test_a_closure_that_hits_nothing_is_added_at_once(client, db, login, gym, community_admin):
    login(community_admin)
    assert client.post(f"/admin/amenities/{gym.id}/closures", data=closure_form()).status_code == 302
    assert closure_count(db) == 1


def test_a_past_closure_is_refused_on_the_page_and_past_ones_are_listed(client, db, login, gym, community_admin):
    login(community_admin)
    client.get("/lang/en")
    refused = client.post(f"/admin/amenities/{gym.id}/closures",
                          data=closure_form(starts_at="2026-11-30T08:00", ends_at="2026-11-30T12:00"))
    assert refused.status_code == 422 and "over already" in text(refused)
    assert closure_count(db) == 0
    db.session.add(Closure(resource_id=gym.id, starts_at=at(-3, 8), ends_at=at(-3, 12), reason="Old paintwork"))
    db.session.commit()
    page = text(client.get(f"/admin/amenities/{gym.id}/closures"))
    past = page.split("data-past-closures")[1]
    assert "<details" in page and "Old paintwork" in past and "Past closures (1)" in page


def test_lowering_the_capacity_on_the_edit_page_asks_for_a_reason(client, db, login, gym, people, book,
                                                                  community_admin):
    from tests.amenities.test_admin_views import resource_form

    kept, extra = book(people[0], gym, at(1, 10)), book(people[1], gym, at(1, 10))
    form = resource_form(community_id=gym.community_id, name="Gym", capacity="1", fee="0",
                         **{f"hours_{d}": "08:00-22:00" for d in range(7)})
    login(community_admin)
    client.get("/lang/en")
    preview = client.post(f"/admin/amenities/{gym.id}/edit", data=form)
    assert preview.status_code == 409
    page = text(preview)
    assert f'data-affected="{extra.id}"' in page and f'data-affected="{kept.id}"' not in page
    assert 'name="cancel_reason"' in page and 'name="capacity" value="1"' in page
    no_reason = client.post(f"/admin/amenities/{gym.id}/edit", data={**form, "confirm": "cancel",
                                                                     "affected": [extra.id]})
    assert no_reason.status_code == 422 and 'data-affected-list' in text(no_reason)
    done = client.post(f"/admin/amenities/{gym.id}/edit", data={**form, "confirm": "cancel", "affected": [extra.id],
                                                                "cancel_reason": "Fewer machines this month"})
    assert done.status_code == 302
    assert statuses(db, kept, extra) == [CONFIRMED, CANCELLED]
    assert db.session.get(Booking, extra.id).decision_reason == "Fewer machines this month"
    assert db.session.get(Resource, gym.id).capacity == 1


def test_archiving_on_the_list_page_asks_closing_may_keep(client, db, login, gym, people, book, community_admin):
    coming = book(people[0], gym, at(2, 10))
    login(community_admin)
    client.get("/lang/en")
    ask = client.post(f"/admin/amenities/{gym.id}/status", data={"action": "archive"})
    assert ask.status_code == 409 and f'data-affected="{coming.id}"' in text(ask)
    assert 'value="keep"' not in text(ask)
    assert db.session.get(Resource, gym.id).status == "active"
    close = client.post(f"/admin/amenities/{gym.id}/status", data={"action": "close"})
    assert close.status_code == 409 and 'value="keep"' in text(close)
    kept = client.post(f"/admin/amenities/{gym.id}/status", data={"action": "close", "confirm": "keep"})
    assert kept.status_code == 302
    db.session.expire_all()
    assert db.session.get(Resource, gym.id).status == "closed" and statuses(db, coming) == [CONFIRMED]
    archived = client.post(f"/admin/amenities/{gym.id}/status",
                           data={"action": "archive", "confirm": "cancel", "affected": [coming.id],
                                 "cancel_reason": "Closed for good"})
    assert archived.status_code == 302
    db.session.expire_all()
    assert db.session.get(Resource, gym.id).status == "archived" and statuses(db, coming) == [CANCELLED]


def test_another_communitys_admin_cannot_confirm_a_change(client, db, login, gym, people, book, other_admin):
    booking = book(people[0], gym, at(1, 10))
    login(other_admin)
    for path, data in ((f"/admin/amenities/{gym.id}/closures",
                        {**closure_form(), "confirm": "cancel", "affected": [booking.id]}),
                       (f"/admin/amenities/{gym.id}/status",
                        {"action": "archive", "confirm": "cancel", "affected": [booking.id], "cancel_reason": "x"})):
        assert client.post(path, data=data).status_code == 404
    assert statuses(db, booking) == [CONFIRMED] and closure_count(db) == 0


def test_when_the_bookings_seen_are_gone_the_page_says_so_then_applies(client, db, login, gym, people, book,
                                                                       community_admin):
    gone = book(people[0], gym, at(1, 10))
    login(community_admin)
    client.get("/lang/en")
    assert client.post(f"/admin/amenities/{gym.id}/closures", data=closure_form()).status_code == 409
    ops.cancel_booking(gone, actor=people[0])  # meanwhile
    db.session.commit()
    again = client.post(f"/admin/amenities/{gym.id}/closures",
                        data={**closure_form(), "confirm": "cancel", "affected": [gone.id]})
    assert again.status_code == 409 and "data-none-left" in text(again) and closure_count(db) == 0
    done = client.post(f"/admin/amenities/{gym.id}/closures", data={**closure_form(), "confirm": "cancel"})
    assert done.status_code == 302 and closure_count(db) == 1
    assert "bookings cancelled" not in text(client.get(done.headers["Location"]))


def test_go_back_from_the_settings_confirm_page_shows_the_form_as_typed(client, db, login, gym, people, book,
                                                                        community_admin):
    from tests.amenities.test_admin_views import resource_form

    book(people[0], gym, at(1, 10))
    form = resource_form(community_id=gym.community_id, name="Gym B", capacity="2", fee="0",
                         **{f"hours_{d}": "11:00-22:00" for d in range(7)})
    login(community_admin)
    assert client.post(f"/admin/amenities/{gym.id}/edit", data=form).status_code == 409
    back = client.post(f"/admin/amenities/{gym.id}/edit", data={**form, "confirm": "back"})
    assert back.status_code == 200 and 'value="Gym B"' in text(back) and 'value="11:00-22:00"' in text(back)
    db.session.expire_all()
    assert (db.session.get(Resource, gym.id).name, db.session.get(Resource, gym.id).capacity) == ("Gym", 3)
