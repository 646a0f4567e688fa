"""Every amenity rule at its boundary, through the operations that pages, API and jobs share.

The clock is frozen on Monday 2026-03-02 09:00 in Shanghai unless a test moves it."""
from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from community.accounts import operations as account_ops
from community.amenities import operations as ops
from community.amenities import queries
from community.amenities.errors import (
    AlreadyBooked, AlreadyCheckedIn, BookingRuleViolation, RecurrenceConflict, SlotFull,
)
from community.amenities.ical import unfold
from community.amenities.models import (
    CANCELLED, CHECKED_IN, CONFIRMED, NO_SHOW, PENDING_APPROVAL, PENDING_PAYMENT, REJECTED, Booking,
    BookingSeries, Suspension,
)
from community.core import clock
from community.core.audit import AuditEntry
from community.core.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from community.core.jobs import registered, run_job
from tests.factories.amenities import hours_every_day, local
from tests.helpers import frozen_at, recorded_statements

SH = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=SH)  # a Monday
frozen_clock = frozen_at(NOW)
at = partial(local, base=NOW)  # wall time in Shanghai, day_offset days after the frozen today


@pytest.fixture
def gym(make_resource):
    return make_resource(kind="gym", name="Gym", capacity=3, opening_hours=hours_every_day("06:00-23:00"))


@pytest.fixture
def residents(create_user):
    return [create_user(f"r{i}@example.test") for i in range(1, 6)]


def rule_code(excinfo):
    return excinfo.value.code


def holding_count(db, resource):
    return db.session.scalar(sa.select(sa.func.count(Booking.id)).where(
        Booking.resource_id == resource.id, Booking.status.in_((CONFIRMED, PENDING_APPROVAL, PENDING_PAYMENT, CHECKED_IN))))


# -- booking basics and capacity ---------------------------------------------------------------

def test_book_confirms_a_free_slot_stored_in_utc(db, room, resident, book):
    booking = book(resident, room, at(0, 10))
    assert booking.status == CONFIRMED
    assert booking.start_at == datetime(2026, 3, 2, 2, 0, tzinfo=ZoneInfo("UTC"))  # 10:00 +08:00
    assert booking.community_id == room.community_id and booking.fee_fen == 0
    assert len(booking.qr_token) >= 20
    assert db.session.scalar(sa.select(AuditEntry.action).where(
        AuditEntry.object_type == "amenities.Booking", AuditEntry.object_id == booking.id)) == "amenity.booked"


def test_capacity_is_exact_and_a_cancelled_place_is_free_at_once(db, gym, residents, book):
    taken = [book(r, gym, at(1, 18)) for r in residents[:3]]
    with pytest.raises(SlotFull) as excinfo:
        book(residents[3], gym, at(1, 18))
    assert excinfo.value.status == 409
    ops.cancel_booking(taken[0], actor=residents[0])
    db.session.commit()
    assert book(residents[3], gym, at(1, 18)).status == CONFIRMED
    assert holding_count(db, gym) == 3


def test_every_slot_of_a_multi_slot_booking_is_checked(db, room, residents, book):
    book(residents[0], room, at(1, 11))
    with pytest.raises(SlotFull):
        book(residents[1], room, at(1, 10), slots=2)
    assert book(residents[1], room, at(1, 10)).end_at == at(1, 11)  # back to back is no overlap
    assert book(residents[1], room, at(1, 12), slots=3).fee_fen == 0


def test_one_resident_cannot_hold_the_same_slot_twice(gym, resident, book):
    book(resident, gym, at(1, 7))
    with pytest.raises(AlreadyBooked) as excinfo:
        book(resident, gym, at(1, 7))
    assert rule_code(excinfo) == "already_booked"


def test_book_needs_membership_of_the_community(stranger, room, book):
    with pytest.raises(PermissionDenied):
        book(stranger, room, at(1, 10))


def test_booking_takes_few_queries(db, app, room, resident):
    assert room.community.timezone and resident.role_grants  # loaded, as in a request
    with recorded_statements(db) as statements:
        ops.book(resident, room, at(1, 10), at(1, 11))
        db.session.flush()  # what the commit would insert too
    # suspension + closures (one statement), lock, one count for the range, insert the booking (no
    # quota set here); then, with the commit's flush, the audit entry and the in-app notice. No
    # e-mail (and so no preference read): the resident is looking at the confirmation.
    assert len(statements) <= 6, "\n".join(s[:90] for s in statements)
    assert any(s.lstrip().upper().startswith("UPDATE AMENITY_RESOURCES") for s in statements)
    assert any(s.lstrip().upper().startswith("INSERT INTO NOTICES") for s in statements)
    assert not any("outbox_emails" in s or "notification_preferences" in s for s in statements)


def test_booking_with_quotas_takes_no_more_queries(db, make_resource, resident, book):
    """The capacity and the quota checks read one query's rows: with every quota set the budget
    is the same 4 statements (suspension + closures, lock, rows, insert; then audit and notice), and the quotas still
    count the resident's other bookings."""
    limited = make_resource(name="Limited", max_bookings_per_day=2, max_bookings_per_week=3,
                            max_minutes_per_day=120, max_minutes_per_week=240)
    book(resident, limited, at(1, 9))
    assert limited.community.timezone and resident.role_grants
    with recorded_statements(db) as statements:
        ops.book(resident, limited, at(1, 10), at(1, 11))
        db.session.flush()
    assert len(statements) <= 6, "\n".join(s[:90] for s in statements)
    selects = [s for s in statements if "FROM amenity_bookings" in s]
    assert len(selects) == 1, selects
    with pytest.raises(BookingRuleViolation) as excinfo:
        ops.book(resident, limited, at(1, 12), at(1, 13))
    assert rule_code(excinfo) == "quota_exceeded" and excinfo.value.extra["quota"] == "max_bookings_per_day"


# -- the time rules ----------------------------------------------------------------------------

@pytest.mark.parametrize("start, end", [
    ((1, 10, 30), (1, 11, 30)),  # starts between slot boundaries
    ((1, 10, 0), (1, 10, 30)),   # ends inside a slot
    ((1, 7, 0), (1, 8, 0)),      # before opening
    ((1, 21, 0), (1, 23, 0)),    # runs past closing
])
def test_misaligned_requests_are_refused(room, resident, start, end):
    with pytest.raises(BookingRuleViolation) as excinfo:
        ops.book(resident, room, at(*start), at(*end))
    assert rule_code(excinfo) == "not_aligned" and excinfo.value.status == 422


def test_a_request_across_a_lunch_break_is_not_aligned(make_resource, resident):
    split = make_resource(name="Split", opening_hours=hours_every_day("08:00-12:00, 13:00-18:00"))
    with pytest.raises(BookingRuleViolation) as excinfo:
        ops.book(resident, split, at(1, 11), at(1, 14))
    assert rule_code(excinfo) == "not_aligned"
    assert ops.book(resident, split, at(1, 13), at(1, 14)).status == CONFIRMED


def test_slots_never_cross_midnight(make_resource, resident):
    all_day = make_resource(name="24h", opening_hours=hours_every_day("00:00-24:00"))
    with pytest.raises(BookingRuleViolation) as excinfo:
        ops.book(resident, all_day, at(1, 23), at(2, 1))
    assert rule_code(excinfo) == "crosses_midnight"
    assert ops.book(resident, all_day, at(1, 23), at(2, 0)).end_at == at(2, 0)  # "24:00" is fine


def test_past_slots_are_refused_but_one_starting_now_is_not(room, resident):
    with pytest.raises(BookingRuleViolation) as excinfo:
        ops.book(resident, room, at(0, 8), at(0, 9))
    assert rule_code(excinfo) == "in_the_past"
    assert ops.book(resident, room, at(0, 9), at(0, 10)).status == CONFIRMED


def test_minimum_notice_edge(make_resource, resident):
    room = make_resource(min_notice_minutes=120)
    clock.freeze(at(0, 9))
    assert ops.book(resident, room, at(0, 11), at(0, 12)).status == CONFIRMED  # exactly 120 min
    clock.freeze(at(0, 10, 0, 1))
    with pytest.raises(BookingRuleViolation) as excinfo:
        ops.book(resident, room, at(0, 12), at(0, 13))  # 119 min 59 s
    assert rule_code(excinfo) == "too_short_notice"


def test_booking_window_edge(make_resource, resident):
    room = make_resource(booking_window_days=7)  # today .. today + 6
    assert ops.book(resident, room, at(6, 21), at(6, 22)).status == CONFIRMED
    with pytest.raises(BookingRuleViolation) as excinfo:
        ops.book(resident, room, at(7, 8), at(7, 9))
    assert rule_code(excinfo) == "outside_window"


def test_closures_refuse_overlapping_slots_with_their_reason(db, room, resident, community_admin):
    ops.add_closure(room, starts_at=at(1, 12), ends_at=at(1, 14), reason="Carpet cleaning", actor=community_admin)
    db.session.commit()
    with pytest.raises(BookingRuleViolation) as excinfo:
        ops.book(resident, room, at(1, 13), at(1, 14))
    assert rule_code(excinfo) == "closed" and excinfo.value.extra["reason"] == "Carpet cleaning"
    assert "Carpet cleaning" in str(excinfo.value.message)
    assert ops.book(resident, room, at(1, 11), at(1, 12)).status == CONFIRMED
    assert ops.book(resident, room, at(1, 14), at(1, 15)).status == CONFIRMED


def test_suspension_and_closures_are_read_in_one_statement_and_suspension_wins(db, room, resident,
                                                                               community_admin):
    """Both reads before the lock go out as one statement; a closure is loaded (to name its reason)
    only when one overlaps, and a suspended resident hears about the suspension first, as before.
    After the lock, closures are asked again inside the holding-bookings query (one closure added
    while we waited), not in a statement of their own."""
    ops.add_closure(room, starts_at=at(1, 12), ends_at=at(1, 14), reason="Carpet cleaning", actor=community_admin)
    db.session.commit()
    with recorded_statements(db) as statements:
        ops.book(resident, room, at(1, 10), at(1, 11))
    lock = next(i for i, s in enumerate(statements) if s.lstrip().upper().startswith("UPDATE AMENITY_RESOURCES"))
    reads = [s for s in statements[:lock] if "amenity_suspensions" in s or "amenity_closures" in s]
    assert len(reads) == 1 and "amenity_suspensions" in reads[0] and "amenity_closures" in reads[0], reads
    after = [s for s in statements[lock + 1:] if "amenity_closures" in s]
    assert len(after) == 1 and "amenity_bookings" in after[0], after
    until = clock.now() + timedelta(days=3)
    db.session.add(Suspension(user_id=resident.id, community_id=room.community_id, starts_at=clock.now(),
                              ends_at=until, reason="no-shows"))
    db.session.commit()
    with pytest.raises(BookingRuleViolation) as excinfo:
        ops.book(resident, room, at(1, 13), at(1, 14))
    assert rule_code(excinfo) == "suspended" and excinfo.value.extra["suspended_until"] == until.isoformat()


def test_closure_needs_a_reason_and_positive_length(room, community_admin):
    with pytest.raises(RuleViolation) as excinfo:
        ops.add_closure(room, starts_at=at(1, 12), ends_at=at(1, 14), reason="  ", actor=community_admin)
    assert rule_code(excinfo) == "reason_required"
    with pytest.raises(RuleViolation):
        ops.add_closure(room, starts_at=at(1, 12), ends_at=at(1, 12), reason="x", actor=community_admin)


def test_removed_closure_frees_the_slots(db, room, resident, community_admin):
    closure = ops.add_closure(room, starts_at=at(1, 8), ends_at=at(1, 22), reason="Holiday", actor=community_admin)
    db.session.commit()
    ops.remove_closure(closure, actor=community_admin)
    db.session.commit()
    assert ops.book(resident, room, at(1, 10), at(1, 11)).status == CONFIRMED


@pytest.mark.parametrize("status", ["closed", "archived"])
def test_closed_and_archived_resources_take_no_bookings(db, room, resident, community_admin, status):
    ops.set_resource_status(room, status, actor=community_admin)
    db.session.commit()
    with pytest.raises(BookingRuleViolation) as excinfo:
        ops.book(resident, room, at(1, 10), at(1, 11))
    assert rule_code(excinfo) == "resource_unavailable"
    ops.set_resource_status(room, "active", actor=community_admin)
    assert ops.book(resident, room, at(1, 10), at(1, 11)).status == CONFIRMED


def test_attendees_up_to_the_maximum(make_resource, residents):
    room = make_resource(max_attendees=12)
    assert ops.book(residents[0], room, at(1, 10), at(1, 11), attendees=12).attendees == 12
    with pytest.raises(BookingRuleViolation) as excinfo:
        ops.book(residents[1], room, at(1, 12), at(1, 13), attendees=13)
    assert rule_code(excinfo) == "too_many_attendees" and excinfo.value.extra["max_attendees"] == 12


# -- tiers -------------------------------------------------------------------------------------

def test_tier_restricted_resources(db, make_resource, create_user, community_admin):
    lounge = make_resource(name="Senior lounge", visible_tiers=["senior"])
    senior = create_user("senior@example.test", tier="senior")
    junior = create_user("junior@example.test", tier="junior")
    untiered = create_user("none@example.test")
    for user in (junior, untiered):
        with pytest.raises(BookingRuleViolation) as excinfo:
            ops.book(user, lounge, at(1, 10), at(1, 11))
        assert rule_code(excinfo) == "not_eligible"
    assert ops.book(senior, lounge, at(1, 10), at(1, 11)).status == CONFIRMED
    # listing follows the same rule; admins see everything of their community
    assert [r.name for r in db.session.scalars(queries.resources_for(senior))] == ["Senior lounge"]
    assert list(db.session.scalars(queries.resources_for(junior))) == []
    assert [r.name for r in db.session.scalars(queries.resources_for(community_admin))] == ["Senior lounge"]


def test_an_expired_tier_no_longer_counts(db, make_resource, create_user):
    lounge = make_resource(name="Lounge", visible_tiers=["senior", "intermediate"])
    senior = create_user("senior@example.test", tier="senior")
    account_ops.set_talent(senior, talent_type="production", tier="senior", valid_until=date(2026, 3, 1))
    db.session.commit()
    with pytest.raises(BookingRuleViolation) as excinfo:
        ops.book(senior, lounge, at(1, 10), at(1, 11))
    assert rule_code(excinfo) == "not_eligible"


def test_residents_do_not_see_closed_or_other_communities_resources(db, make_resource, create_community,
                                                                    resident, community_admin):
    make_resource(name="Open")
    closed = make_resource(name="Closed")
    ops.set_resource_status(closed, "closed", actor=community_admin)
    other = create_community("Other")
    from community.accounts.operations import grant_role
    grant_role(community_admin, "community_admin", other)
    make_resource(community_=other, name="Elsewhere")
    assert [r.name for r in db.session.scalars(queries.resources_for(resident))] == ["Open"]
    admin_sees = {r.name for r in db.session.scalars(queries.resources_for(community_admin))}
    assert admin_sees == {"Open", "Closed", "Elsewhere"}
    with pytest.raises(NotFound):
        queries.resource_for(resident, closed.id)


# -- quotas ------------------------------------------------------------------------------------

def test_bookings_per_day_quota(db, make_resource, resident, book):
    room = make_resource(max_bookings_per_day=2)
    first = book(resident, room, at(1, 10))
    book(resident, room, at(1, 12))
    with pytest.raises(BookingRuleViolation) as excinfo:
        book(resident, room, at(1, 14))
    assert rule_code(excinfo) == "quota_exceeded" and excinfo.value.extra["quota"] == "max_bookings_per_day"
    assert book(resident, room, at(2, 14)).status == CONFIRMED  # another day
    ops.cancel_booking(first, actor=resident)  # a cancelled booking no longer counts
    assert book(resident, room, at(1, 14)).status == CONFIRMED


def test_bookings_per_week_quota_counts_monday_to_sunday(make_resource, resident, book):
    room = make_resource(max_bookings_per_week=3, booking_window_days=14)
    for day in (0, 1, 6):  # Monday, Tuesday, Sunday of this week
        book(resident, room, at(day, 20))
    with pytest.raises(BookingRuleViolation) as excinfo:
        book(resident, room, at(3, 20))
    assert excinfo.value.extra["quota"] == "max_bookings_per_week"
    assert book(resident, room, at(7, 20)).status == CONFIRMED  # next Monday starts a new week


def test_minutes_per_day_quota(make_resource, resident, book):
    gym = make_resource(kind="gym", capacity=5, max_minutes_per_day=120)
    book(resident, gym, at(1, 10))
    book(resident, gym, at(1, 12))  # 120 minutes: exactly the limit
    with pytest.raises(BookingRuleViolation) as excinfo:
        book(resident, gym, at(1, 14))
    assert excinfo.value.extra["quota"] == "max_minutes_per_day"
    with pytest.raises(BookingRuleViolation):
        book(resident, gym, at(2, 10), slots=3)  # one booking longer than the daily minutes


def test_minutes_per_week_quota(make_resource, resident, book):
    laundry = make_resource(kind="laundry", name="Washer", slot_minutes=45,
                            opening_hours=hours_every_day("07:00-22:45"), max_minutes_per_week=90)
    book(resident, laundry, at(1, 7))
    book(resident, laundry, at(2, 7, 45))
    with pytest.raises(BookingRuleViolation) as excinfo:
        book(resident, laundry, at(3, 7))
    assert excinfo.value.extra == {"quota": "max_minutes_per_week", "limit": 90}


# -- time zones --------------------------------------------------------------------------------

def test_dst_community_in_berlin(db, create_community, create_user, make_resource):
    berlin = create_community("Berlin", timezone="Europe/Berlin")
    resident = create_user("b@example.test", community_=berlin)
    admin = create_user("ba@example.test", roles=("community_admin",), community_=berlin)
    room = make_resource(community_=berlin, actor=admin, opening_hours=hours_every_day("00:00-24:00"))
    clock.freeze(datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN))
    spring_day = date(2026, 3, 29)  # 02:00 -> 03:00
    with pytest.raises(BookingRuleViolation) as excinfo:  # its end, 02:00, does not exist
        ops.book(resident, room, datetime(2026, 3, 29, 1, tzinfo=BERLIN), datetime(2026, 3, 29, 2, tzinfo=BERLIN))
    assert rule_code(excinfo) == "not_aligned"
    booking = ops.book(resident, room, datetime(2026, 3, 29, 3, tzinfo=BERLIN), datetime(2026, 3, 29, 4, tzinfo=BERLIN))
    assert booking.start_at == datetime(2026, 3, 29, 1, tzinfo=ZoneInfo("UTC"))  # CEST is UTC+2
    db.session.commit()
    day = queries.availability(room, spring_day, 1)[0]
    assert len(day.slots) == 22  # 24 wall hours minus the missing one minus the slot ending in the gap
    assert [s.state for s in day.slots if s.start == booking.start_at] == ["full"]


def test_shanghai_day_bounds_in_availability(db, room, resident, book):
    book(resident, room, at(1, 8))
    day = queries.availability(room, date(2026, 3, 3), 1)[0]
    assert day.slots[0].start == datetime(2026, 3, 3, 0, 0, tzinfo=ZoneInfo("UTC"))  # 08:00 +08:00
    assert (day.slots[0].state, day.slots[0].remaining) == ("full", 0)
    assert len(day.slots) == 14


# -- recurrence --------------------------------------------------------------------------------

def test_recurring_weekly_books_every_date(db, make_resource, resident):
    room = make_resource(booking_window_days=60)
    bookings = ops.book_recurring(resident, room, at(0, 19), at(0, 20), "FREQ=WEEKLY;COUNT=4")
    db.session.commit()
    assert [b.start_at for b in bookings] == [at(7 * i, 19) for i in range(4)]
    assert len({b.series_id for b in bookings}) == 1
    assert db.session.get(BookingSeries, bookings[0].series_id).rrule == "FREQ=WEEKLY;COUNT=4"


def test_recurring_is_all_or_nothing_and_lists_every_conflicting_date(db, make_resource, residents, book,
                                                                     community_admin):
    room = make_resource(booking_window_days=30)  # the last bookable day is 2026-03-31
    book(residents[1], room, at(14, 19))
    ops.add_closure(room, starts_at=at(21, 0), ends_at=at(22, 0), reason="Holiday", actor=community_admin)
    db.session.commit()
    with pytest.raises(RecurrenceConflict) as excinfo:
        ops.book_recurring(residents[0], room, at(0, 19), at(0, 20), "FREQ=WEEKLY;COUNT=6")
    assert excinfo.value.status == 409
    conflicts = excinfo.value.extra["conflicts"]
    assert [(c["start"][:10], c["code"]) for c in conflicts] == [
        ("2026-03-16", "slot_full"), ("2026-03-23", "closed"), ("2026-04-06", "outside_window")]
    assert conflicts[0]["start"] == "2026-03-16T19:00:00+08:00" and conflicts[1]["reason"]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Booking.id)).where(Booking.user_id == residents[0].id)) == 0


def test_recurring_until_a_date_and_quota_across_the_series(make_resource, resident):
    room = make_resource(booking_window_days=30, max_bookings_per_week=1)
    bookings = ops.book_recurring(resident, room, at(0, 19), at(0, 20), "FREQ=WEEKLY;UNTIL=20260316")
    assert len(bookings) == 3
    with pytest.raises(RecurrenceConflict) as excinfo:
        ops.book_recurring(resident, room, at(1, 19), at(1, 20), "FREQ=DAILY;COUNT=2")
    assert [c["code"] for c in excinfo.value.extra["conflicts"]] == ["quota_exceeded", "quota_exceeded"]


@pytest.mark.parametrize("rule", ["FREQ=MONTHLY;COUNT=2", "FREQ=WEEKLY", "FREQ=WEEKLY;COUNT=53", "nonsense"])
def test_invalid_recurrence_rules(room, resident, rule):
    with pytest.raises(BookingRuleViolation) as excinfo:
        ops.book_recurring(resident, room, at(0, 19), at(0, 20), rule)
    assert rule_code(excinfo) == "invalid_recurrence"


# -- approval and payment ----------------------------------------------------------------------

def test_approval_flow(db, make_resource, residents, community_admin, book):
    hall = make_resource(kind="activity_room", name="Hall", requires_approval=True)
    pending = book(residents[0], hall, at(1, 14))
    assert pending.status == PENDING_APPROVAL
    with pytest.raises(SlotFull):  # a pending booking holds its place
        book(residents[1], hall, at(1, 14))
    with pytest.raises(PermissionDenied):
        ops.approve_booking(pending, actor=residents[0])
    assert ops.approve_booking(pending, actor=community_admin).status == CONFIRMED
    assert pending.decided_by_id == community_admin.id
    with pytest.raises(BookingRuleViolation) as excinfo:
        ops.approve_booking(pending, actor=community_admin)
    assert rule_code(excinfo) == "not_pending"


def test_rejection_needs_a_reason_and_frees_the_slot(db, make_resource, residents, community_admin, book):
    hall = make_resource(kind="activity_room", name="Hall", requires_approval=True)
    pending = book(residents[0], hall, at(1, 14))
    with pytest.raises(BookingRuleViolation) as excinfo:
        ops.reject_booking(pending, actor=community_admin, reason=" ")
    assert rule_code(excinfo) == "reason_required"
    ops.reject_booking(pending, actor=community_admin, reason="Reserved for the district meeting")
    db.session.commit()
    assert (pending.status, pending.decision_reason) == (REJECTED, "Reserved for the district meeting")
    assert book(residents[1], hall, at(1, 14)).status == PENDING_APPROVAL


def test_admin_of_another_community_cannot_decide(db, make_resource, other_admin, resident, book):
    hall = make_resource(kind="activity_room", name="Hall", requires_approval=True)
    pending = book(resident, hall, at(1, 14))
    with pytest.raises(PermissionDenied):
        ops.approve_booking(pending, actor=other_admin)
    with pytest.raises(PermissionDenied):
        ops.reject_booking(pending, actor=other_admin, reason="no")


def test_approval_of_a_paid_resource_leads_to_payment(make_resource, resident, community_admin, book):
    hall = make_resource(kind="activity_room", name="Paid hall", requires_approval=True, fee_fen=3000)
    booking = book(resident, hall, at(1, 14), slots=2)
    assert booking.fee_fen == 6000
    assert ops.approve_booking(booking, actor=community_admin).status == PENDING_PAYMENT


def test_paid_slots_wait_for_payment_then_mark_paid(db, make_resource, residents, book):
    karaoke = make_resource(kind="activity_room", name="KTV", fee_fen=3000)
    booking = book(residents[0], karaoke, at(1, 20))
    assert (booking.status, booking.fee.as_dict()) == (PENDING_PAYMENT, {"amount": 3000, "currency": "CNY"})
    with pytest.raises(SlotFull):
        book(residents[1], karaoke, at(1, 20))
    ops.mark_paid(booking)
    assert booking.status == CONFIRMED and booking.paid_at == clock.now()
    assert ops.mark_paid(booking) is booking  # a repeated payment notice is harmless
    free = book(residents[1], karaoke, at(1, 21))
    ops.cancel_booking(free, actor=residents[1])
    with pytest.raises(BookingRuleViolation) as excinfo:
        ops.mark_paid(free)
    assert rule_code(excinfo) == "not_pending_payment"


# -- cancellation ------------------------------------------------------------------------------

def test_cancel_cutoff_edge_and_late_cancellation(db, make_resource, resident, book):
    room = make_resource(cancel_cutoff_minutes=60)
    on_time = book(resident, room, at(0, 11))
    late = book(resident, room, at(0, 12))
    clock.freeze(at(0, 10))  # exactly the cut-off of the 11:00 booking
    assert ops.cancel_booking(on_time, actor=resident).late_cancel is False
    clock.freeze(at(0, 11, 0, 1))  # 59:59 before the 12:00 booking
    cancelled = ops.cancel_booking(late, actor=resident)
    assert (cancelled.status, cancelled.late_cancel, cancelled.cancelled_at) == (CANCELLED, True, clock.now())
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "amenity.cancelled",
                                                          AuditEntry.object_id == late.id))
    assert entry.details["late"] is True


def test_cannot_cancel_once_started_but_an_admin_can(make_resource, resident, community_admin, book):
    room = make_resource()
    booking = book(resident, room, at(0, 10))
    clock.freeze(at(0, 10))
    with pytest.raises(BookingRuleViolation) as excinfo:
        ops.cancel_booking(booking, actor=resident)
    assert rule_code(excinfo) == "cancel_too_late"
    assert ops.cancel_booking(booking, actor=community_admin, reason="Water leak").status == CANCELLED
    with pytest.raises(BookingRuleViolation) as excinfo:
        ops.cancel_booking(booking, actor=community_admin, reason="Water leak")
    assert rule_code(excinfo) == "not_cancellable"


def test_another_resident_cannot_cancel(room, residents, book):
    booking = book(residents[0], room, at(1, 10))
    with pytest.raises(PermissionDenied):
        ops.cancel_booking(booking, actor=residents[1])


# -- check-in, no-shows, suspension -------------------------------------------------------------

def test_check_in_window_edges(db, make_resource, resident, book):
    room = make_resource(checkin_grace_minutes=15)
    early, late = book(resident, room, at(0, 10)), book(resident, room, at(0, 12))
    clock.freeze(at(0, 9, 44, 59))
    with pytest.raises(BookingRuleViolation) as excinfo:
        ops.check_in(early, actor=resident)
    assert rule_code(excinfo) == "checkin_window" and "opens_at" in excinfo.value.extra
    clock.freeze(at(0, 9, 45))
    assert ops.check_in(early, actor=resident).status == CHECKED_IN
    clock.freeze(at(0, 10, 2))
    with pytest.raises(AlreadyCheckedIn) as twice:  # twice changes nothing and says when
        ops.check_in(early, actor=resident)
    assert early.checked_in_at == at(0, 9, 45) and twice.value.extra["checked_in_at"] == "2026-03-02T09:45:00+08:00"
    clock.freeze(at(0, 12, 15))
    assert ops.check_in(late, actor=resident, via="self").status == CHECKED_IN
    another = book(resident, room, at(0, 14))
    clock.freeze(at(0, 14, 15, 1))
    with pytest.raises(BookingRuleViolation):
        ops.check_in(another, actor=resident)


def test_check_in_only_confirmed_own_bookings(make_resource, residents, book):
    hall = make_resource(requires_approval=True)
    pending = book(residents[0], hall, at(0, 10))
    clock.freeze(at(0, 10))
    with pytest.raises(BookingRuleViolation) as excinfo:
        ops.check_in(pending, actor=residents[0])
    assert rule_code(excinfo) == "not_checkable"
    with pytest.raises(PermissionDenied):
        ops.check_in(pending, actor=residents[1])


def test_check_in_by_qr_is_for_the_communitys_staff(room, resident, community_admin, book):
    booking = book(resident, room, at(0, 10))
    clock.freeze(at(0, 10, 5))
    with pytest.raises(PermissionDenied):
        ops.check_in_by_qr(booking.qr_token, actor=resident)
    with pytest.raises(NotFound):
        ops.check_in_by_qr("no-such-token", actor=community_admin)
    assert ops.check_in_by_qr(f"  {booking.qr_token} ", actor=community_admin).status == CHECKED_IN


def test_release_no_shows_after_the_grace_period(db, make_resource, residents, book):
    gym = make_resource(kind="gym", capacity=2, checkin_grace_minutes=15)
    absent, present = book(residents[0], gym, at(0, 10)), book(residents[1], gym, at(0, 10))
    clock.freeze(at(0, 10, 1))
    ops.check_in(present, actor=residents[1])
    db.session.commit()
    assert ops.release_no_shows(at(0, 10, 15)) == 0  # the last instant of grace
    assert ops.release_no_shows(at(0, 10, 15, 1)) == 1
    db.session.commit()
    assert (absent.status, present.status) == (NO_SHOW, CHECKED_IN)
    assert ops.release_no_shows(at(0, 10, 20)) == 0  # idempotent
    slots = queries.availability(gym, date(2026, 3, 2), 1, at=at(0, 9))[0].slots
    assert [s.remaining for s in slots if s.start == at(0, 10)] == [1]  # the no-show's place is free again


def test_three_no_shows_in_thirty_days_suspend_for_seven_days(db, make_resource, resident, book):
    gym = make_resource(kind="gym", capacity=5)
    for day in (0, 1, 2):
        book(resident, gym, at(day, 10))
    released_at = at(2, 10, 16)
    clock.freeze(released_at)
    job = registered()["amenities-release-no-shows"]
    assert run_job(job) == {"no_shows": 3, "expired": 0}
    suspension = db.session.scalar(sa.select(Suspension))
    assert (suspension.starts_at, suspension.ends_at) == (released_at, released_at + timedelta(days=7))
    with pytest.raises(BookingRuleViolation) as excinfo:
        ops.book(resident, gym, at(3, 10), at(3, 11))
    assert rule_code(excinfo) == "suspended"
    assert excinfo.value.extra["suspended_until"] == suspension.ends_at.isoformat()
    assert "2026-03-11 10:16" in str(excinfo.value.message)  # the end, in community time
    clock.freeze(suspension.ends_at)  # over at its end date
    assert queries.active_suspension(resident, gym.community_id, clock.now()) is None
    assert ops.book(resident, gym, at(10, 10), at(10, 11)).status == CONFIRMED


def test_no_show_window_edge(db, make_resource, resident, book):
    gym = make_resource(kind="gym", capacity=5, booking_window_days=60)
    for day in (0, 1, 2):
        book(resident, gym, at(day, 10))
    # released only thirty days after the first one started: it is exactly on the window's edge
    assert ops.release_no_shows(at(30, 10)) == 3
    assert db.session.scalar(sa.select(sa.func.count(Suspension.id))) == 1


def test_no_show_older_than_the_window_does_not_count(db, make_resource, resident, book):
    gym = make_resource(kind="gym", capacity=5, booking_window_days=60)
    for day in (0, 1, 2):
        book(resident, gym, at(day, 10))
    assert ops.release_no_shows(at(30, 10, 0, 1)) == 3
    assert db.session.scalar(sa.select(sa.func.count(Suspension.id))) == 0


def test_no_shows_before_a_suspension_do_not_count_again(db, app, make_resource, resident, book, monkeypatch):
    monkeypatch.setitem(app.config, "NO_SHOW_LIMIT", 2)
    monkeypatch.setitem(app.config, "NO_SHOW_SUSPENSION_DAYS", 1)
    gym = make_resource(kind="gym", capacity=5)
    for day in (0, 1, 3):
        book(resident, gym, at(day, 10))
    ops.release_no_shows(at(1, 11))
    first = db.session.scalar(sa.select(Suspension))
    assert first.ends_at - first.starts_at == timedelta(days=1)  # configurable length
    ops.release_no_shows(at(3, 11))  # one new no-show since the suspension: below the limit of 2
    assert db.session.scalar(sa.select(sa.func.count(Suspension.id))) == 1


def test_unapproved_or_unpaid_bookings_expire_at_their_start(db, make_resource, residents, book):
    hall = make_resource(name="Hall", requires_approval=True)
    ktv = make_resource(name="KTV", fee_fen=100)
    waiting, unpaid = book(residents[0], hall, at(0, 10)), book(residents[0], ktv, at(0, 10))
    assert ops.expire_unconfirmed(at(0, 9, 59)) == 0
    assert ops.expire_unconfirmed(at(0, 10)) == 2
    assert {waiting.status, unpaid.status} == {CANCELLED}
    assert ops.release_no_shows(at(0, 11)) == 0  # not a no-show


# -- resources ---------------------------------------------------------------------------------

def test_only_admins_create_resources_and_fields_are_checked(community, resident, community_admin):
    with pytest.raises(PermissionDenied):
        ops.create_resource(community, actor=resident, kind="gym", name="Gym", opening_hours={})
    for bad in ({"slot_minutes": 4}, {"capacity": 0}, {"kind": "pool"}, {"visible_tiers": ["gold"]},
                {"opening_hours": {"0": [["10:00", "09:00"]]}}, {"name": " "}, {"booking_window_days": 0}):
        fields = dict(kind="gym", name="Gym", opening_hours={})
        fields.update(bad)
        with pytest.raises(RuleViolation) as excinfo:
            ops.create_resource(community, actor=community_admin, **fields)
        assert rule_code(excinfo) == "invalid_resource"


def test_capacity_cannot_drop_below_what_is_booked(db, gym, residents, community_admin, book):
    book(residents[0], gym, at(1, 10))
    book(residents[1], gym, at(1, 10))
    with pytest.raises(Conflict) as excinfo:
        ops.update_resource(gym, actor=community_admin, capacity=1)
    assert rule_code(excinfo) == "bookings_affected"  # tests/amenities/test_closures.py: the confirm step
    assert ops.update_resource(gym, actor=community_admin, capacity=2, name="Gym 2").capacity == 2


# -- availability ------------------------------------------------------------------------------

def test_availability_states_from_one_bookings_query(db, gym, residents, community_admin, book):
    book(residents[0], gym, at(0, 10))
    for r in residents[:3]:
        book(r, gym, at(0, 11))
    ops.add_closure(gym, starts_at=at(0, 12), ends_at=at(0, 13), reason="Cleaning", actor=community_admin)
    db.session.commit()
    with recorded_statements(db) as statements:
        days = queries.availability(gym, date(2026, 3, 2), 7)
    by_hour = {s.start.astimezone(SH).hour: s for s in days[0].slots}
    assert (by_hour[8].state, by_hour[10].state, by_hour[11].state, by_hour[12].state, by_hour[13].state) == \
        ("past", "partial", "full", "closed", "free")
    assert (by_hour[10].remaining, by_hour[11].remaining, by_hour[12].reason) == (2, 0, "Cleaning")
    assert by_hour[13].bookable and not by_hour[11].bookable
    assert len(days) == 7 and all(len(d.slots) == 17 for d in days)
    assert sum("amenity_bookings" in s for s in statements) == 1


def test_day_view_across_resources_of_a_kind(db, make_resource, resident, book):
    washers = [make_resource(kind="laundry", name=f"Washer {i}", slot_minutes=45,
                             opening_hours=hours_every_day("07:00-22:45")) for i in (1, 2)]
    book(resident, washers[0], at(1, 7))
    view = queries.day_view(washers[0].community_id, "laundry", date(2026, 3, 3), user=resident)
    assert [r.name for r, _ in view] == ["Washer 1", "Washer 2"]
    assert [s.state for s in view[0][1][:2]] == ["full", "free"] and view[1][1][0].state == "free"
    assert len(view[0][1]) == 21  # 07:00 .. 22:00-22:45 in 45-minute slots


# -- my bookings and the calendar feed ------------------------------------------------------------

def test_my_bookings_upcoming_and_past(db, room, resident, book):
    done = book(resident, room, at(0, 9))
    soon = book(resident, room, at(1, 10))
    cancelled = book(resident, room, at(2, 10))
    ops.cancel_booking(cancelled, actor=resident)
    db.session.commit()
    clock.freeze(at(0, 10, 30))
    upcoming = list(db.session.scalars(queries.bookings_for(resident, upcoming=True)))
    past = list(db.session.scalars(queries.bookings_for(resident, upcoming=False)))
    assert upcoming == [soon] and past == [cancelled, done]


def test_feed_token_is_stable_rotates_and_revokes(db, resident, room, book):
    token = ops.feed_token(resident)
    assert ops.feed_token(resident) == token and queries.active_feed_token(resident) == token
    assert queries.user_for_feed_token(token) == resident
    rotated = ops.feed_token(resident, rotate=True)
    assert rotated != token and queries.user_for_feed_token(token) is None
    assert queries.user_for_feed_token(rotated) == resident
    ops.revoke_feed(resident)
    assert queries.user_for_feed_token(rotated) is None and queries.active_feed_token(resident) is None
    fresh = ops.feed_token(resident)
    assert fresh not in (token, rotated) and queries.user_for_feed_token(fresh) == resident
    assert queries.user_for_feed_token("") is None


def test_calendar_feed_is_rfc5545(db, room, resident, book):
    booking = book(resident, room, at(1, 10))
    text = queries.calendar_for(resident)
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith("END:VCALENDAR\r\n")
    lines = unfold(text).split("\r\n")
    assert f"UID:amenity-booking-{booking.id}@talent.community" in lines
    assert "DTSTART:20260303T020000Z" in lines and "STATUS:CONFIRMED" in lines


# -- an admin cancels a resident's booking -----------------------------------------------------------

def test_admin_cancels_a_residents_booking_with_a_reason_the_resident_gets(db, room, resident, community_admin, book):
    from community.notifications.models import OutboxEmail

    booking = book(resident, room, at(0, 10))  # one hour away: inside the resident's cut-off
    cancelled = ops.cancel_booking(booking, actor=community_admin, reason="  Water leak in the room  ")
    db.session.commit()
    assert (cancelled.status, cancelled.late_cancel, cancelled.decision_reason, cancelled.decided_by_id) == (
        CANCELLED, False, "Water leak in the room", community_admin.id)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "amenity.cancelled"))
    assert entry.actor_id == community_admin.id
    assert (entry.details["by_admin"], entry.details["reason"], entry.details["resident_id"]) == (
        True, "Water leak in the room", resident.id)
    mail = db.session.scalar(sa.select(OutboxEmail).where(
        OutboxEmail.kind == "amenities.booking_cancelled_by_office"))
    assert mail.recipient == resident.email
    # in the resident's language (zh_CN, the default) and the community's wall time
    assert "Room A" in mail.subject and "已被取消" in mail.subject
    assert "Water leak in the room" in mail.body and "2026/3/2 10:00" in mail.body


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_admin_cancelling_someone_elses_booking_needs_a_reason(db, room, resident, community_admin, book, reason):
    booking = book(resident, room, at(1, 10))
    with pytest.raises(BookingRuleViolation) as excinfo:
        ops.cancel_booking(booking, actor=community_admin, reason=reason)
    assert rule_code(excinfo) == "reason_required"
    assert booking.status == CONFIRMED


def test_admin_reason_is_cut_to_the_column_and_own_bookings_need_none(db, room, resident, community_admin, book):
    booking = book(resident, room, at(1, 10))
    assert len(ops.cancel_booking(booking, actor=community_admin, reason="x" * 300).decision_reason) == 255
    own = book(community_admin, room, at(1, 12))
    cancelled = ops.cancel_booking(own, actor=community_admin)
    assert (cancelled.status, cancelled.decision_reason, cancelled.decided_by_id) == (CANCELLED, "", None)


def test_admin_of_another_community_cannot_cancel(db, room, resident, other_admin, book):
    booking = book(resident, room, at(1, 10))
    with pytest.raises(PermissionDenied):
        ops.cancel_booking(booking, actor=other_admin, reason="Mine now")
    assert booking.status == CONFIRMED


def test_a_qr_code_of_another_community_is_unknown_to_its_staff(room, resident, other_admin, book):
    booking = book(resident, room, at(0, 10))
    clock.freeze(at(0, 10, 5))
    with pytest.raises(NotFound) as excinfo:
        ops.check_in_by_qr(booking.qr_token, actor=other_admin)
    assert excinfo.value.code == "unknown_qr" and booking.status == CONFIRMED
