"""What residents are told about their bookings, through the operations that cause it: exactly
one notice of the right kind per event, the e-mail (or none, for a booking the resident just
made) in the resident's language, nothing when the operation or the request fails; and the
1-hour reminder job. The clock is frozen on Monday 2026-03-02 09:00 in Shanghai."""
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from community.amenities import notices
from community.amenities import operations as amenity_ops
from community.amenities.errors import BookingRuleViolation, SlotFull
from community.amenities.models import (
    CANCELLED, CONFIRMED, NO_SHOW, PENDING_APPROVAL, PENDING_PAYMENT, REJECTED, Booking, Suspension,
)
from community.core import clock, signals
from community.core.errors import Conflict, PermissionDenied
from community.core.jobs import registered, run_job
from community.notifications import operations as notify_ops
from community.notifications.models import Notice
from community.notifications.texts import render_notice
from tests.factories.amenities import local
from tests.helpers import assert_problem, frozen_at, text

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
frozen_clock = frozen_at(NOW)
at = partial(local, base=NOW)
XSS = "<script>alert(1)</script>"


@pytest.fixture
def english(create_user, db):
    """A resident who reads English (the others read the default, Chinese)."""
    user = create_user("english@example.test")
    user.locale = "en"
    db.session.commit()
    return user


@pytest.fixture
def hall(make_resource):
    """A room the office approves each booking of."""
    return make_resource(name="Hall", requires_approval=True)


@pytest.fixture
def ktv(make_resource):
    """A room with a fee: its bookings wait for payment."""
    return make_resource(kind="activity_room", name="KTV", fee_fen=3000)


def notices_of(db, user, kind=None):
    db.session.expire_all()
    stmt = sa.select(Notice).where(Notice.user_id == user.id).order_by(Notice.id)
    if kind:
        stmt = stmt.where(Notice.kind == kind)
    return db.session.scalars(stmt).all()


def kinds_of(db, user):
    return [notice.kind for notice in notices_of(db, user)]


def in_app(app, notice, locale):
    """The notice as the list writes it out for a reader of ``locale``."""
    with app.test_request_context("/"), force_locale(locale):
        return render_notice(notice, reader_tz=None)


def commit(db, value):
    db.session.commit()
    return value


@contextmanager
def failing(signal, error):
    """A listener of ``signal`` that raises ``error``: the unit of work it runs in fails."""

    def listener(sender, **kwargs):
        raise error

    signal.connect(listener)
    try:
        yield
    finally:
        signal.disconnect(listener)


# -- booked at once: in the app only ------------------------------------------------------------

def test_an_instant_booking_writes_one_notice_and_no_email(db, app, english, room, book, outbox):
    """The resident is looking at the confirmation: the notice list keeps it, no e-mail repeats it."""
    booking = book(english, room, at(1, 10))
    assert booking.status == CONFIRMED
    [notice] = notices_of(db, english)
    assert (notice.kind, notice.object_type, notice.object_id) == (
        notices.CONFIRMED_KIND, "amenities.Booking", booking.id)
    assert (notice.link_endpoint, notice.read_at) == ("amenities.my_bookings", None)
    assert outbox() == []
    shown = in_app(app, notice, "en")
    assert shown.subject == "Booking confirmed: Room A, 3/3/26, 10:00\u202fAM"
    assert "“I'm here”" in shown.body


def test_an_instant_booking_reads_in_chinese_for_a_chinese_reader(db, app, resident, room, book, outbox):
    book(resident, room, at(1, 10))
    [notice] = notices_of(db, resident)
    assert in_app(app, notice, "zh_CN").subject == "预约已确认：Room A，2026/3/3 10:00"
    assert outbox() == []


def test_booking_on_the_page_leaves_one_unread_notice_and_no_email(client, db, login, resident, room, outbox):
    login(resident)
    response = client.post(f"/amenities/{room.id}/book",
                           data={"start": at(1, 10).isoformat(), "slots": 1, "repeat": "none"})
    assert response.status_code == 302
    assert kinds_of(db, resident) == [notices.CONFIRMED_KIND]
    assert outbox() == []
    html = text(client.get("/notifications"))
    assert 'data-unread="1"' in html and "预约已确认：Room A，2026/3/3 10:00" in html


def test_a_series_is_one_notice_in_the_app_not_one_each(db, app, english, room, outbox):
    bookings = commit(db, amenity_ops.book_recurring(english, room, at(1, 10), at(1, 11), "FREQ=DAILY;COUNT=3"))
    assert len(bookings) == 3
    [notice] = notices_of(db, english)
    assert notice.kind == notices.SERIES_CONFIRMED_KIND
    assert (notice.object_type, notice.object_id) == ("amenities.BookingSeries", bookings[0].series_id)
    assert notice.params["count"] == 3
    assert outbox() == []
    shown = in_app(app, notice, "en")
    assert shown.subject == "3 bookings confirmed: Room A"
    assert "from 3/3/26, 10:00\u202fAM to 3/5/26, 10:00\u202fAM" in shown.body


def test_a_booking_waiting_for_the_office_or_a_payment_tells_nothing_yet(db, english, hall, ktv, book, outbox):
    assert book(english, hall, at(1, 10)).status == PENDING_APPROVAL
    assert book(english, ktv, at(1, 12)).status == PENDING_PAYMENT
    series = commit(db, amenity_ops.book_recurring(english, hall, at(2, 10), at(2, 11), "FREQ=DAILY;COUNT=2"))
    assert {b.status for b in series} == {PENDING_APPROVAL}
    assert notices_of(db, english) == [] and outbox() == []


# -- paid: the confirmation is e-mailed ---------------------------------------------------------

def test_a_paid_booking_is_emailed_its_confirmation(db, app, english, ktv, book, outbox):
    booking = book(english, ktv, at(1, 10))
    commit(db, amenity_ops.mark_paid(booking))  # the payment webhook: no actor
    [notice] = notices_of(db, english)
    assert (notice.kind, notice.object_id, notice.link_endpoint) == (
        notices.CONFIRMED_KIND, booking.id, "amenities.my_bookings")
    [mail] = outbox()
    assert (mail.recipient, mail.kind) == (english.email, notices.CONFIRMED_KIND)
    assert mail.subject == "Booking confirmed: KTV, 3/3/26, 10:00\u202fAM"
    assert "“I'm here”" in mail.body
    commit(db, amenity_ops.mark_paid(booking))  # paid twice: told once
    assert len(notices_of(db, english)) == 1 and len(outbox()) == 1


def test_a_payment_the_office_records_is_emailed_in_the_residents_language(client, db, login, create_user, resident,
                                                                           ktv, book, outbox):
    admin = create_user("office@example.test", roles=("community_admin",))
    admin.locale = "en"
    db.session.commit()
    booking = book(resident, ktv, at(1, 10))
    login(admin)
    # recorded in payments, which confirms the booking (and sends its own receipt)
    response = client.post(f"/admin/payments/payables/amenity_booking/{booking.id}/offline", data={"method": "cash"})
    assert response.status_code == 302
    assert kinds_of(db, resident) == [notices.CONFIRMED_KIND, "payments.received"] and notices_of(db, admin) == []
    mail, receipt = outbox()
    assert mail.recipient == receipt.recipient == resident.email
    assert mail.subject == "预约已确认：KTV，2026/3/3 10:00"
    assert receipt.subject == "已收到付款：¥30.00"


# -- the office decides ---------------------------------------------------------------------------

def test_an_approval_is_one_notice_and_its_email(db, english, hall, community_admin, book, outbox):
    booking = book(english, hall, at(1, 10))
    commit(db, amenity_ops.approve_booking(booking, actor=community_admin))
    assert booking.status == CONFIRMED
    [notice] = notices_of(db, english)
    assert (notice.kind, notice.object_id) == (notices.APPROVED_KIND, booking.id)
    [mail] = outbox()
    assert (mail.recipient, mail.kind) == (english.email, notices.APPROVED_KIND)
    assert mail.subject == "Booking approved: Hall, 3/3/26, 10:00\u202fAM"
    assert mail.body.startswith("The community office approved your booking of Hall on 3/3/26, 10:00\u202fAM. "
                                "It is confirmed.")
    assert notices_of(db, community_admin) == []


def test_an_approval_to_be_paid_says_how_much_then_the_payment_confirms(db, english, make_resource, community_admin,
                                                                        book, outbox):
    paid_hall = make_resource(name="Hall", requires_approval=True, fee_fen=1250)
    booking = book(english, paid_hall, at(1, 10))
    commit(db, amenity_ops.approve_booking(booking, actor=community_admin))
    assert booking.status == PENDING_PAYMENT
    [approval] = outbox()
    assert approval.kind == notices.APPROVED_KIND
    assert "Please pay ¥12.50 before it starts" in approval.body
    commit(db, amenity_ops.mark_paid(booking, actor=community_admin))
    assert kinds_of(db, english) == [notices.APPROVED_KIND, notices.CONFIRMED_KIND]
    assert [m.kind for m in outbox()] == [notices.APPROVED_KIND, notices.CONFIRMED_KIND]
    assert outbox()[1].subject == "Booking confirmed: Hall, 3/3/26, 10:00\u202fAM"


def test_a_rejection_is_one_notice_with_the_reason(db, english, resident, hall, community_admin, book, outbox):
    for person, hour in ((english, 10), (resident, 12)):
        booking = book(person, hall, at(1, hour))
        assert amenity_ops.reject_booking(booking, actor=community_admin, reason="Reserved for the festival"
                                          ).status == REJECTED
    db.session.commit()
    assert kinds_of(db, english) == [notices.REJECTED_KIND] and kinds_of(db, resident) == [notices.REJECTED_KIND]
    to_english, to_chinese = outbox()
    assert to_english.subject == "Booking not approved: Hall, 3/3/26, 10:00\u202fAM"
    assert "Reason: Reserved for the festival" in to_english.body
    assert to_chinese.subject == "预约未获批准：Hall，2026/3/3 12:00"
    assert "原因：Reserved for the festival" in to_chinese.body


def test_a_cancellation_by_the_office_tells_what_when_and_why(db, english, resident, room, community_admin, book,
                                                              outbox):
    """The resource, the local start and the reason, in the resident's language (the admin's
    does not matter); one e-mail each, no other kind of cancellation e-mail beside it."""
    for person, hour in ((english, 10), (resident, 12)):
        booking = book(person, room, at(1, hour))
        assert amenity_ops.cancel_booking(booking, actor=community_admin, reason="Pipe burst <b>").status == CANCELLED
    db.session.commit()
    for person in (english, resident):
        assert kinds_of(db, person) == [notices.CONFIRMED_KIND, notices.CANCELLED_BY_OFFICE_KIND]
    to_english, to_chinese = outbox()
    assert to_english.kind == to_chinese.kind == notices.CANCELLED_BY_OFFICE_KIND
    assert (to_english.recipient, to_chinese.recipient) == (english.email, resident.email)
    assert to_english.subject == "Your booking of Room A was cancelled"
    assert to_english.body.startswith("The community office cancelled your booking of Room A on "
                                      "3/3/26, 10:00\u202fAM.\nReason: Pipe burst <b>")
    assert to_chinese.subject == "您预约的Room A已被取消"
    assert "2026/3/3 12:00" in to_chinese.body and "原因：Pipe burst <b>" in to_chinese.body


def test_a_resident_cancelling_their_own_booking_is_told_nothing(db, english, room, community_admin, book, outbox):
    own = book(english, room, at(1, 10))
    commit(db, amenity_ops.cancel_booking(own, actor=english))
    admins_own = book(community_admin, room, at(1, 12))
    commit(db, amenity_ops.cancel_booking(admins_own, actor=community_admin))
    assert kinds_of(db, english) == [notices.CONFIRMED_KIND]
    assert kinds_of(db, community_admin) == [notices.CONFIRMED_KIND]
    assert outbox() == []


def test_booking_emails_switched_off_keep_the_office_news_in_the_app(db, english, room, community_admin, book,
                                                                    outbox):
    notify_ops.set_email_preferences(english, {"bookings": False}, actor=english)
    booking = book(english, room, at(1, 10))
    commit(db, amenity_ops.cancel_booking(booking, actor=community_admin, reason="Pipe burst"))
    assert kinds_of(db, english) == [notices.CONFIRMED_KIND, notices.CANCELLED_BY_OFFICE_KIND]
    assert outbox() == []


def test_a_hostile_name_and_reason_are_shown_as_text(client, db, login, resident, make_resource, community_admin,
                                                     book, outbox):
    """What the office typed reaches the page escaped once and the plain-text e-mail as typed."""
    hostile = make_resource(name=XSS)
    booking = book(resident, hostile, at(1, 10))
    reason = f'"><img src=x onerror=alert(1)>{XSS}'
    commit(db, amenity_ops.cancel_booking(booking, actor=community_admin, reason=reason))
    [mail] = outbox()
    assert XSS in mail.subject and reason in mail.body  # text/plain: nothing to interpret
    login(resident)
    html = text(client.get("/notifications"))
    assert XSS not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x" in html
    assert "&amp;lt;" not in html


# -- the jobs: no-shows and suspensions -------------------------------------------------------------

def test_a_no_show_is_one_notice_leading_to_past_bookings(db, english, make_resource, book, outbox):
    gym = make_resource(kind="gym", name="Gym", capacity=2, checkin_grace_minutes=15)
    booking = book(english, gym, at(0, 10))
    assert commit(db, amenity_ops.release_no_shows(at(0, 10, 16))) == 1
    assert booking.status == NO_SHOW
    [notice] = notices_of(db, english, notices.NO_SHOW_KIND)
    assert (notice.object_id, notice.link_endpoint, notice.link_args) == (
        booking.id, "amenities.my_bookings", {"tab": "past"})
    [mail] = outbox()
    assert (mail.recipient, mail.kind) == (english.email, notices.NO_SHOW_KIND)
    assert mail.subject == "Released as a no-show: Gym, 3/2/26, 10:00\u202fAM"
    assert "within 15 minutes of its start" in mail.body
    assert commit(db, amenity_ops.release_no_shows(at(0, 10, 30))) == 0  # run again: nobody told twice
    assert kinds_of(db, english) == [notices.CONFIRMED_KIND, notices.NO_SHOW_KIND] and len(outbox()) == 1


def test_a_checked_in_booking_is_no_no_show(db, english, room, book, outbox):
    booking = book(english, room, at(0, 10))
    clock.freeze(at(0, 10, 5))
    amenity_ops.check_in(booking, actor=english)
    commit(db, amenity_ops.release_no_shows(at(0, 11, 30)))
    assert kinds_of(db, english) == [notices.CONFIRMED_KIND] and outbox() == []


def test_the_suspension_is_one_notice_after_the_no_shows(db, english, resident, make_resource, book, outbox):
    gym = make_resource(kind="gym", name="Gym", capacity=5)
    for day in (0, 1, 2):
        book(english, gym, at(day, 10))
    book(resident, gym, at(2, 10))  # one no-show: no suspension
    commit(db, amenity_ops.release_no_shows(at(2, 10, 16)))
    suspension = db.session.scalar(sa.select(Suspension))
    assert suspension.user_id == english.id
    assert kinds_of(db, english) == [notices.CONFIRMED_KIND] * 3 + [notices.NO_SHOW_KIND] * 3 + [
        notices.SUSPENDED_KIND]
    assert kinds_of(db, resident) == [notices.CONFIRMED_KIND, notices.NO_SHOW_KIND]
    [notice] = notices_of(db, english, notices.SUSPENDED_KIND)
    assert (notice.object_type, notice.object_id) == ("amenities.Suspension", suspension.id)
    [mail] = outbox(notices.SUSPENDED_KIND)
    assert mail.recipient == english.email
    assert mail.subject == "Amenity booking suspended until 3/11/26, 10:16\u202fAM"
    assert "After 3 no-shows within 30 days you cannot book amenities in Test Community" in mail.body
    commit(db, amenity_ops.release_no_shows(at(2, 12)))  # still suspended: not told again
    assert len(notices_of(db, english, notices.SUSPENDED_KIND)) == 1 and len(outbox(notices.SUSPENDED_KIND)) == 1


def test_the_no_show_job_tells_each_resident_in_their_language(db, english, resident, make_resource, book, outbox):
    gym = make_resource(kind="gym", name="Gym", capacity=2)
    book(english, gym, at(0, 10))
    book(resident, gym, at(0, 10))
    clock.freeze(at(0, 10, 16))
    assert run_job(registered()["amenities-release-no-shows"]) == {"no_shows": 2, "expired": 0}
    assert kinds_of(db, english)[-1] == kinds_of(db, resident)[-1] == notices.NO_SHOW_KIND
    by_recipient = {m.recipient: m.subject for m in outbox(notices.NO_SHOW_KIND)}
    assert by_recipient == {english.email: "Released as a no-show: Gym, 3/2/26, 10:00\u202fAM",
                            resident.email: "已按爽约释放：Gym，2026/3/2 10:00"}


def test_a_booking_not_confirmed_before_its_start_is_cancelled_and_the_resident_told_why(
        db, english, resident, make_resource, book, outbox):
    hall = make_resource(name="Hall", requires_approval=True)
    ktv = make_resource(name="KTV", fee_fen=3000)
    unapproved = book(english, hall, at(0, 10))
    unpaid = book(resident, ktv, at(0, 10))
    assert kinds_of(db, english) == kinds_of(db, resident) == []  # waiting: nothing to tell yet
    clock.freeze(at(0, 10))
    assert run_job(registered()["amenities-release-no-shows"]) == {"no_shows": 0, "expired": 2}
    [told_en] = notices_of(db, english)
    [told_zh] = notices_of(db, resident)
    assert (told_en.kind, told_en.object_id, told_en.params["waiting_for"]) == (
        notices.EXPIRED_KIND, unapproved.id, "approval")
    assert (told_zh.kind, told_zh.object_id, told_zh.params["waiting_for"]) == (notices.EXPIRED_KIND, unpaid.id,
                                                                                "payment")
    mails = {m.recipient: m for m in outbox(notices.EXPIRED_KIND)}
    assert mails[english.email].subject == "Booking cancelled, not confirmed in time: Hall, 3/2/26, 10:00\u202fAM"
    assert "had not approved your booking of Hall" in mails[english.email].body
    assert "未付款" in mails[resident.email].body or "未支付" in mails[resident.email].body
    clock.freeze(at(0, 10, 10))
    assert run_job(registered()["amenities-release-no-shows"], force=True) == {"no_shows": 0, "expired": 0}
    assert len(outbox(notices.EXPIRED_KIND)) == 2  # told once


# -- nothing is told for what did not happen -------------------------------------------------------

def test_an_operation_that_refuses_tells_nobody(db, english, resident, room, hall, community_admin, other_admin,
                                                book, outbox):
    approved = book(english, hall, at(1, 10))
    commit(db, amenity_ops.approve_booking(approved, actor=community_admin))
    assert kinds_of(db, english) == [notices.APPROVED_KIND]
    pending = book(english, hall, at(1, 12))
    refusals = (
        (lambda: amenity_ops.approve_booking(approved, actor=community_admin), "not_pending"),
        (lambda: amenity_ops.reject_booking(approved, actor=community_admin, reason="Too late"), "not_pending"),
        (lambda: amenity_ops.mark_paid(approved, actor=community_admin), "not_pending_payment"),
        (lambda: amenity_ops.cancel_booking(approved, actor=community_admin, reason=" "), "reason_required"),
        (lambda: amenity_ops.reject_booking(pending, actor=community_admin, reason="  "), "reason_required"),
    )
    for refused, code in refusals:
        with pytest.raises(BookingRuleViolation) as excinfo:
            refused()
        assert excinfo.value.code == code
    with pytest.raises(PermissionDenied):
        amenity_ops.approve_booking(pending, actor=other_admin)
    taken = book(english, room, at(2, 10))
    with pytest.raises(SlotFull):
        amenity_ops.book(resident, room, taken.start_at, taken.end_at)
    db.session.commit()  # whatever a refusal had left in the session would be written now
    assert kinds_of(db, english) == [notices.APPROVED_KIND, notices.CONFIRMED_KIND]  # the approval, then `taken`
    assert notices_of(db, resident) == [] and notices_of(db, community_admin) == []
    assert [m.kind for m in outbox()] == [notices.APPROVED_KIND]
    assert (approved.status, pending.status) == (CONFIRMED, PENDING_APPROVAL)


def test_a_page_request_that_fails_after_the_notice_rolls_it_back(client, db, login, resident, room, community_admin,
                                                                  book, outbox):
    """The office's cancellation has told the resident when a listener of booking_cancelled
    fails: the request answers 500 and the notice, its e-mail and the cancellation all vanish."""
    booking = book(resident, room, at(1, 10))
    login(community_admin)
    with failing(signals.booking_cancelled, RuntimeError("listener failed")):
        response = client.post(f"/admin/amenities/bookings/{booking.id}/cancel",
                               data={f"b{booking.id}-reason": "Water leak"})
    assert response.status_code == 500
    assert kinds_of(db, resident) == [notices.CONFIRMED_KIND]
    assert outbox() == []
    assert db.session.get(Booking, booking.id).status == CONFIRMED
    response = client.post(f"/admin/amenities/bookings/{booking.id}/cancel",
                           data={f"b{booking.id}-reason": "Water leak"})
    assert response.status_code == 302  # the same request, nothing failing: told once
    assert kinds_of(db, resident) == [notices.CONFIRMED_KIND, notices.CANCELLED_BY_OFFICE_KIND]
    assert [m.kind for m in outbox()] == [notices.CANCELLED_BY_OFFICE_KIND]


def test_an_api_request_that_fails_rolls_the_notice_back(client, db, api_token, resident, room, hall, community_admin,
                                                         book, outbox):
    """A domain error raised after the notice (here by a listener) answers problem+json and keeps
    nothing; a refused approval writes no second notice."""
    booking = book(resident, room, at(1, 10))
    admin = api_token(community_admin)
    with failing(signals.booking_cancelled, Conflict("Not now.", code="busy")):
        response = client.post(f"/api/v1/bookings/{booking.id}/cancel", json={"reason": "Water leak"}, headers=admin)
    assert_problem(response, 409, "busy")
    assert kinds_of(db, resident) == [notices.CONFIRMED_KIND] and outbox() == []
    assert db.session.get(Booking, booking.id).status == CONFIRMED

    pending = book(resident, hall, at(1, 12))
    assert client.post(f"/api/v1/bookings/{pending.id}/approve", headers=admin).status_code == 200
    assert_problem(client.post(f"/api/v1/bookings/{pending.id}/approve", headers=admin), 422, "not_pending")
    assert_problem(client.post(f"/api/v1/bookings/{pending.id}/reject", json={"reason": "No"}, headers=admin), 422,
                   "not_pending")
    assert kinds_of(db, resident) == [notices.CONFIRMED_KIND, notices.APPROVED_KIND]
    assert [m.kind for m in outbox()] == [notices.APPROVED_KIND]


# -- the reminder ---------------------------------------------------------------------------------

def test_a_booking_is_reminded_once_within_the_hour_before(db, english, room, book, outbox):
    booking = book(english, room, at(0, 11))  # made at 09:00, two hours ahead
    assert notices.send_reminders(at(0, 9, 59)) == 0  # more than an hour before
    assert notices.send_reminders(at(0, 10, 0)) == 1
    assert notices.send_reminders(at(0, 10, 5)) == 0
    db.session.commit()
    [notice] = notices_of(db, english, notices.REMINDER_KIND)
    assert notice.object_id == booking.id
    [mail] = outbox()  # the booking itself was told in the app only
    assert (mail.kind, mail.recipient) == (notices.REMINDER_KIND, english.email)
    assert mail.subject == "Reminder: Room A at 3/2/26, 11:00\u202fAM"
    assert "in about an hour" in mail.body and "released 15 minutes after its start" in mail.body


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
