"""community/amenities/notices.py: one notice (and e-mail) per booking event, in the resident's
language, and the 1-hour reminder job. The clock is frozen on Monday 2026-03-02 09:00 in Shanghai."""
import threading
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from community.amenities import notices
from community.amenities import operations as amenity_ops
from community.amenities.models import NO_SHOW, PENDING_PAYMENT, Suspension
from community.core import clock
from community.core.jobs import registered, run_job
from community.notifications.models import Notice
from tests.factories.amenities import local
from tests.helpers import frozen_at

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
frozen_clock = frozen_at(NOW)
at = partial(local, base=NOW)


@pytest.fixture
def english(create_user, db):
    """A resident who reads English (the others read the default, Chinese)."""
    user = create_user("english@example.test")
    user.locale = "en"
    db.session.commit()
    return user


def notices_of(db, user, kind=None):
    db.session.expire_all()
    stmt = sa.select(Notice).where(Notice.user_id == user.id).order_by(Notice.id)
    if kind:
        stmt = stmt.where(Notice.kind == kind)
    return db.session.scalars(stmt).all()


def commit(db, value):
    db.session.commit()
    return value


def test_booking_confirmed(db, english, room, book, outbox):
    booking = book(english, room, at(1, 10))
    notice = commit(db, notices.booking_confirmed(booking))
    assert (notice.kind, notice.object_type, notice.object_id) == (
        "amenities.booking_confirmed", "amenities.Booking", booking.id)
    assert notice.link_endpoint == "amenities.my_bookings"
    [mail] = outbox()
    assert mail.recipient == english.email
    assert mail.subject == "Booking confirmed: Room A, 3/3/26, 10:00\u202fAM"
    assert "“I'm here”" in mail.body


def test_booking_confirmed_in_chinese(db, resident, room, book, outbox):
    commit(db, notices.booking_confirmed(book(resident, room, at(1, 10))))
    assert outbox()[0].subject == "预约已确认：Room A，2026/3/3 10:00"


def test_series_confirmed_is_one_notice(db, english, room, outbox):
    bookings = amenity_ops.book_recurring(english, room, at(1, 10), at(1, 11), "FREQ=DAILY;COUNT=3")
    notice = commit(db, notices.series_confirmed(bookings))
    assert notice.object_type == "amenities.BookingSeries" and notice.params["count"] == 3
    assert len(notices_of(db, english)) == 1
    assert outbox()[0].subject == "3 bookings confirmed: Room A"
    assert "from 3/3/26, 10:00\u202fAM to 3/5/26, 10:00\u202fAM" in outbox()[0].body


def test_booking_approved_free(db, english, make_resource, community_admin, book, outbox):
    hall = make_resource(name="Hall", requires_approval=True)
    booking = book(english, hall, at(1, 10))
    amenity_ops.approve_booking(booking, actor=community_admin)
    commit(db, notices.booking_approved(booking))
    assert outbox()[0].subject == "Booking approved: Hall, 3/3/26, 10:00\u202fAM"
    assert outbox()[0].body.startswith("The community office approved your booking of Hall on 3/3/26, 10:00\u202fAM. "
                                       "It is confirmed.")


def test_booking_approved_to_be_paid_says_how_much(db, english, make_resource, community_admin, book, outbox):
    hall = make_resource(name="Hall", requires_approval=True, fee_fen=1250)
    booking = book(english, hall, at(1, 10))
    amenity_ops.approve_booking(booking, actor=community_admin)
    assert booking.status == PENDING_PAYMENT
    commit(db, notices.booking_approved(booking))
    assert "Please pay ¥12.50 before it starts" in outbox()[0].body


def test_booking_rejected(db, english, make_resource, community_admin, book, outbox):
    hall = make_resource(name="Hall", requires_approval=True)
    booking = book(english, hall, at(1, 10))
    amenity_ops.reject_booking(booking, actor=community_admin, reason="Reserved for the festival")
    commit(db, notices.booking_rejected(booking))
    assert outbox()[0].subject == "Booking not approved: Hall, 3/3/26, 10:00\u202fAM"
    assert "Reason: Reserved for the festival" in outbox()[0].body


def test_booking_cancelled_by_office_tells_what_when_and_why(db, english, resident, room, community_admin, book,
                                                               outbox):
    """It replaces the old cancellation e-mail: the resource, the local start and the reason, in
    the resident's language (the admin's does not matter)."""
    for person, hour in ((english, 10), (resident, 12)):
        booking = book(person, room, at(1, hour))
        amenity_ops.cancel_booking(booking, actor=community_admin, reason="Pipe burst <b>")
        notices.booking_cancelled_by_office(booking)
    db.session.commit()
    # (operations still queue their own e-mail, kind amenity_cancelled, until they call this instead)
    to_english, to_chinese = outbox("amenities.booking_cancelled_by_office")
    assert to_english.kind == "amenities.booking_cancelled_by_office"
    assert to_english.subject == "Your booking of Room A was cancelled"
    assert to_english.body.startswith("The community office cancelled your booking of Room A on "
                                      "3/3/26, 10:00\u202fAM.\nReason: Pipe burst <b>")
    assert to_chinese.subject == "您预约的Room A已被取消"
    assert "2026/3/3 12:00" in to_chinese.body and "原因：Pipe burst <b>" in to_chinese.body


def test_booking_released_no_show_leads_to_past_bookings(db, english, make_resource, book, outbox):
    gym = make_resource(kind="gym", name="Gym", capacity=2, checkin_grace_minutes=15)
    booking = book(english, gym, at(0, 10))
    amenity_ops.release_no_shows(at(0, 10, 16))
    assert booking.status == NO_SHOW
    notice = commit(db, notices.booking_released_no_show(booking))
    assert (notice.link_endpoint, notice.link_args) == ("amenities.my_bookings", {"tab": "past"})
    assert outbox()[0].subject == "Released as a no-show: Gym, 3/2/26, 10:00\u202fAM"
    assert "within 15 minutes of its start" in outbox()[0].body


def test_booking_suspended(db, english, make_resource, book, outbox):
    gym = make_resource(kind="gym", name="Gym", capacity=5)
    for day in (0, 1, 2):
        book(english, gym, at(day, 10))
    amenity_ops.release_no_shows(at(2, 10, 16))
    suspension = db.session.scalar(sa.select(Suspension))
    notice = commit(db, notices.booking_suspended(suspension))
    assert notice.object_type == "amenities.Suspension" and notice.user_id == english.id
    assert outbox()[0].subject == "Amenity booking suspended until 3/11/26, 10:16\u202fAM"
    assert "After 3 no-shows within 30 days you cannot book amenities in Test Community" in outbox()[0].body


# -- the reminder ---------------------------------------------------------------------------------

def test_a_booking_is_reminded_once_within_the_hour_before(db, english, room, book, outbox):
    booking = book(english, room, at(0, 11))  # made at 09:00, two hours ahead
    assert notices.send_reminders(at(0, 9, 59)) == 0  # more than an hour before
    assert notices.send_reminders(at(0, 10, 0)) == 1
    assert notices.send_reminders(at(0, 10, 5)) == 0
    db.session.commit()
    [notice] = notices_of(db, english, notices.REMINDER_KIND)
    assert notice.object_id == booking.id
    assert outbox()[0].subject == "Reminder: Room A at 3/2/26, 11:00\u202fAM"
    assert "in about an hour" in outbox()[0].body and "released 15 minutes after its start" in outbox()[0].body


def test_the_reminder_names_the_location_when_there_is_one(db, english, make_resource, book, outbox):
    studio = make_resource(name="Studio", location="Building 2, floor 3")
    book(english, studio, at(0, 11))
    commit(db, notices.send_reminders(at(0, 10, 30)))
    assert "Studio (Building 2, floor 3) starts at" in outbox()[0].body


def test_no_reminder_for_a_booking_made_within_the_hour_or_not_confirmed(db, english, resident, room,
                                                                         make_resource, book):
    clock.freeze(at(0, 10, 30))
    book(english, room, at(0, 11))  # made half an hour ahead: no reminder needed
    gym = make_resource(kind="gym", name="Gym", capacity=3)
    clock.freeze(NOW)
    cancelled = book(resident, gym, at(0, 11))
    amenity_ops.cancel_booking(cancelled, actor=resident)
    db.session.commit()
    assert notices.send_reminders(at(0, 10, 30)) == 0
    assert notices.send_reminders(at(0, 11, 0)) == 0  # started: too late


def test_the_reminder_job_every_five_minutes(db, english, room, book):
    job = registered()["amenities-reminders"]
    assert job.every == timedelta(minutes=5)
    book(english, room, at(0, 11))
    clock.freeze(at(0, 10, 2))
    assert run_job(job) == 1
    clock.freeze(at(0, 10, 7))
    assert run_job(job) == 0
    assert len(notices_of(db, english, notices.REMINDER_KIND)) == 1


def test_two_reminder_runs_at_once_remind_once(app, db, english, resident, room, make_resource, book):
    gym = make_resource(kind="gym", name="Gym", capacity=3)
    book(english, room, at(0, 11))
    book(resident, gym, at(0, 11))
    start, counts, errors = threading.Barrier(2), [], []

    def runner():
        try:
            with app.app_context():
                from community.extensions import db as thread_db

                start.wait()
                counts.append(notices.send_reminders(at(0, 10, 30)))
                thread_db.session.commit()
                thread_db.session.remove()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(counts) == 2
    assert len(notices_of(db, english, notices.REMINDER_KIND)) == 1
    assert len(notices_of(db, resident, notices.REMINDER_KIND)) == 1
