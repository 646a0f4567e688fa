"""Residents' amenity pages: browse, week/day views, booking, my bookings, QR, check-in, iCal feed.

The clock is frozen on Tuesday 2026-12-01 09:30 in Shanghai, so "today 10:00" is bookable and
"today 08:00" is past."""
import re
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from community.amenities import operations as ops
from community.amenities.models import Booking, Suspension
from community.core import clock
from tests.factories.amenities import hours_every_day, local
from tests.helpers import frozen_at, recorded_statements, text

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=SH)  # a Tuesday
frozen_clock = frozen_at(NOW)
at = partial(local, base=NOW)  # wall time in Shanghai, day_offset days after the frozen today


@pytest.fixture
def operator(create_user):
    return create_user("root@example.test", roles=("platform_admin",))


@pytest.fixture
def make_resource(make_resource, operator):
    """The shared factory with this file's defaults: a two-place gym, created by the platform operator."""

    def _make(community_=None, **fields):
        values = dict(kind="gym", name="Gym", capacity=2, location="Building 3, B1")
        return make_resource(community_, actor=operator, **{**values, **fields})

    return _make


@pytest.fixture
def gym(make_resource):
    return make_resource()


def reload(db, obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


# -- browse -----------------------------------------------------------------------------------------

def test_index_groups_resources_by_kind_and_filters(client, login, resident, make_resource, create_community):
    make_resource(name="Fitness centre")
    make_resource(name="Room A", kind="meeting_room", capacity=1)
    make_resource(community_=create_community("Elsewhere"), name="Their gym")
    login(resident)
    page = text(client.get("/amenities/"))
    assert 'data-kind="gym"' in page and 'data-kind="meeting_room"' in page
    assert "Room A" in page and "Fitness centre" in page and "Their gym" not in page
    filtered = text(client.get("/amenities/?kind=meeting_room"))
    assert "Room A" in filtered and "Fitness centre" not in filtered


def test_index_empty_state(client, login, resident):
    login(resident)
    response = client.get("/amenities/")
    assert response.status_code == 200
    assert "empty-state" in text(response)


def test_pages_need_login(client, gym):
    response = client.get(f"/amenities/{gym.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# -- week view --------------------------------------------------------------------------------------

def test_week_view_shows_slot_states_and_closure_reason(client, db, login, resident, create_user, gym, book,
                                                          operator):
    other = create_user("other@example.test")
    book(other, gym, at(0, 10))
    book(other, gym, at(0, 11))
    book(resident, gym, at(0, 11))
    ops.add_closure(gym, starts_at=at(0, 20), ends_at=at(0, 22), reason="Floor cleaning", actor=operator)
    db.session.commit()
    login(resident)
    page = text(client.get(f"/amenities/{gym.id}"))
    today = page.split('id="day-2026-12-01"')[1].split('id="day-2026-12-02"')[0]
    assert today.count('data-state=past') == 2  # 08:00 and 09:00 have begun
    assert 'data-state=partial' in today.split("10:00")[0][-400:] or "1 left" in today or "剩" in today
    assert today.count('data-state=full') == 1  # 11:00: two of two places taken
    assert today.count('data-state=closed') == 2
    assert "Floor cleaning" in page
    assert f'href="{gym.id}/book?start=' in today  # relative to /amenities/: the e2e flow follows one


def test_week_view_does_not_query_per_slot(client, db, login, resident, create_user, gym, book, app):
    for hour in range(10, 20):
        book(create_user(), gym, at(1, hour))
    login(resident)
    with recorded_statements(db) as statements:
        assert client.get(f"/amenities/{gym.id}").status_code == 200
    bookings_queries = [s for s in statements if "FROM amenity_bookings" in s]
    assert len(bookings_queries) == 1, bookings_queries
    assert len(statements) < 15


def test_week_view_navigates_weeks(client, login, resident, gym):
    login(resident)
    page = text(client.get(f"/amenities/{gym.id}"))
    assert 'rel="prev"' not in page  # nothing to book before today
    assert "start=2026-12-08" in page
    later = text(client.get(f"/amenities/{gym.id}?start=2026-12-08"))
    assert 'id="day-2026-12-14"' in later and "start=2026-12-01" in later


def pane(page, day):
    """The HTML of one day's pane of the week view (up to the next pane)."""
    return page.split(f'id="day-{day}"', 1)[1].split('<div class="tab-pane', 1)[0].split("data-legend", 1)[0]


def chip(page, day):
    """The day strip's button of one day."""
    before, after = page.split(f'id="tab-{day}"', 1)
    return before.rsplit("<button", 1)[1] + after.split("</button>", 1)[0]


def test_days_past_the_booking_window_say_when_booking_opens(client, login, resident, make_resource):
    """A 10-day window from Tuesday 12/1 ends on Thursday 12/10: Friday 12/11 opens on 12/2."""
    gym = make_resource(booking_window_days=10)
    login(resident)
    page = text(client.get(f"/amenities/{gym.id}?start=2026-12-08"))
    assert f'href="{gym.id}/book?start=' in pane(page, "2026-12-10")
    friday = pane(page, "2026-12-11")
    assert 'data-opens="2026-12-02"' in friday and "可于 12月2日 起预约" in friday
    assert "/book?start=" not in friday and "data-state" not in friday  # no cell that looks bookable
    assert "12/2 起可约" in chip(page, "2026-12-11") and "空闲" not in chip(page, "2026-12-11")
    assert "14 个空闲时段" in chip(page, "2026-12-10")
    assert 'rel="next"' not in page and "可预约至 12月10日" in page  # navigation stops at the window
    assert 'rel="prev"' in page


def test_a_start_past_the_window_answers_the_last_bookable_week(client, login, resident, make_resource):
    gym = make_resource(booking_window_days=10)
    login(resident)
    far = client.get(f"/amenities/{gym.id}?start=2099-01-01")
    assert far.status_code == 302 and far.headers["Location"].endswith(f"/amenities/{gym.id}?start=2026-12-08")
    assert client.get(f"/amenities/{gym.id}?start=2026-12-11").status_code == 302
    assert client.get(f"/amenities/{gym.id}?start=2026-12-10").status_code == 200
    first_week = text(client.get(f"/amenities/{gym.id}"))
    assert "start=2026-12-08" in first_week.split('rel="next"')[0].rsplit("href=", 1)[1]


def test_the_week_range_names_the_year_when_it_is_not_this_year(client, login, resident, gym):
    clock.freeze(datetime(2026, 12, 28, 9, 30, tzinfo=SH))
    login(resident)
    page = text(client.get(f"/amenities/{gym.id}"))
    assert "2026/12/28 – 2027/1/3" in page.split("data-range>", 1)[1][:40]
    assert "2027/1/1" in chip(page, "2027-01-01")
    this_year = text(client.get(f"/amenities/{gym.id}?start=2026-12-28")).split("data-range>", 1)[1][:40]
    clock.freeze(NOW)
    assert "12/1 – 12/7" in text(client.get(f"/amenities/{gym.id}")).split("data-range>", 1)[1][:40]
    assert this_year.startswith("2026/12/28")


def test_own_bookings_are_marked_in_the_week_view_without_another_query(client, db, login, resident, create_user,
                                                                        gym, book):
    other = create_user("other@example.test")
    book(resident, gym, at(1, 10), slots=2)
    book(other, gym, at(1, 12))
    login(resident)
    with recorded_statements(db) as statements:
        page = text(client.get(f"/amenities/{gym.id}"))
    assert len([s for s in statements if "FROM amenity_bookings" in s]) == 1
    tomorrow = pane(page, "2026-12-02")
    assert tomorrow.count("data-mine") == 2 and tomorrow.count("<small>您已预约</small>") == 2  # 10:00, 11:00
    mine = tomorrow.split("data-mine", 1)[1].split("</a>", 1)[0]
    assert 'href="/amenities/bookings"' in mine and "/book?start=" not in mine
    assert "剩 1 个名额" in tomorrow.split("12:00", 1)[1][:200]  # someone else's: one of two places left
    assert "has-mine" in chip(page, "2026-12-02") and "has-mine" not in chip(page, "2026-12-03")
    assert "您已预约" in page.split("data-legend", 1)[1]  # the legend explains the colour
    client.post("/logout")
    login(other)
    # The cells before the other resident's own 12:00 one (whose tag, label included, is cut off):
    before_noon = pane(text(client.get(f"/amenities/{gym.id}")), "2026-12-02").split(">12:00<", 1)[0].rsplit("<a ", 1)[0]
    assert ">10:00<" in before_noon and ">11:00<" in before_noon and "data-mine" not in before_noon


def test_a_room_says_free_and_a_gym_counts_places(client, login, resident, make_resource):
    room = make_resource(name="Room", kind="meeting_room", capacity=1)
    gym = make_resource(capacity=20)
    login(resident)
    assert "空闲" in pane(text(client.get(f"/amenities/{room.id}")), "2026-12-02")
    gym_day = pane(text(client.get(f"/amenities/{gym.id}")), "2026-12-02")
    assert "剩 20 个名额" in gym_day and ">空闲<" not in gym_day
    client.get("/lang/en")
    english = text(client.get(f"/amenities/{gym.id}"))
    assert "20 places left" in pane(english, "2026-12-02") and "14 free times" in chip(english, "2026-12-02")


def test_a_desktop_week_keeps_each_time_of_day_on_one_row(client, login, resident, make_resource):
    """Weekends open 10:00-18:00, weekdays 08:00-22:00: Saturday and Sunday get six empty cells
    (08, 09, 18..21) so their 10:00 sits beside Friday's 10:00 in the grid."""
    hours = {str(d): [["08:00", "22:00"]] for d in range(5)} | {"5": [["10:00", "18:00"]], "6": [["10:00", "18:00"]]}
    gym = make_resource(opening_hours=hours)
    login(resident)
    page = text(client.get(f"/amenities/{gym.id}"))
    assert 'class="tab-content week-grid' in page
    saturday = pane(page, "2026-12-05")
    assert saturday.count("slot-gap") == 6 and saturday.index("slot-gap") < saturday.index("10:00")
    assert "slot-gap" not in pane(page, "2026-12-04")


def test_week_view_of_another_community_is_not_found(client, login, stranger, gym):
    """It exists, but not for them: 404 like an unknown id, never a hint that it is there."""
    login(stranger)
    assert client.get(f"/amenities/{gym.id}").status_code == 404
    assert client.get(f"/amenities/{gym.id}/book?start={at(0, 10).isoformat()}").status_code == 404
    assert client.post(f"/amenities/{gym.id}/book", data={"start": at(0, 10).isoformat(), "slots": 1,
                                                          "repeat": "none"}).status_code == 404


def test_week_view_bad_input(client, login, resident, gym):
    login(resident)
    assert client.get(f"/amenities/{gym.id}?start=tomorrow").status_code == 400
    assert client.get("/amenities/9999").status_code == 404


def test_tier_restricted_resource_is_hidden_from_other_tiers(client, login, create_user, make_resource):
    lounge = make_resource(name="Senior lounge", kind="coffee_bar", visible_tiers=["senior"])
    junior = create_user("junior@example.test", tier="junior")
    senior = create_user("senior@example.test", tier="senior")
    login(junior)
    assert "Senior lounge" not in text(client.get("/amenities/"))
    assert client.get(f"/amenities/{lounge.id}").status_code == 404
    client.post("/logout")
    login(senior)
    assert client.get(f"/amenities/{lounge.id}").status_code == 200


def test_day_view_lists_resources_of_a_kind(client, login, resident, make_resource):
    for name in ("Washer 1", "Washer 2"):
        make_resource(name=name, kind="laundry", capacity=1, slot_minutes=45, opening_hours=hours_every_day("08:00-21:30"))
    make_resource(name="Fitness centre")
    login(resident)
    page = text(client.get("/amenities/day?kind=laundry&date=2026-12-02"))
    assert "Washer 1" in page and "Washer 2" in page and "Fitness centre" not in page
    # 08:00-21:30, 45-minute slots, two machines: every one a free link (no data-state: free)
    assert len(re.findall(r'<a href="[^"]*book\?start=', page)) == 2 * 18
    assert "data-state" not in page.split('class="resource-strip"', 1)[1].split("</div>", 1)[0]
    assert client.get("/amenities/day?kind=laundry&date=2026-13-45").status_code == 400


def test_day_view_stops_at_the_booking_window_and_marks_own_bookings(client, login, resident, make_resource, book):
    near = make_resource(name="Near gym", booking_window_days=3)   # bookable until Thursday 12/3
    far = make_resource(name="Far gym", booking_window_days=5)     # until Saturday 12/5
    book(resident, far, at(1, 10))
    login(resident)
    tomorrow = text(client.get("/amenities/day?kind=gym&date=2026-12-02"))
    far_row = tomorrow.split(f'data-resource="{far.id}"', 1)[1]
    assert far_row.count("data-mine") == 1 and "您已预约" in far_row
    friday = text(client.get("/amenities/day?kind=gym&date=2026-12-04"))
    near_row = friday.split(f'data-resource="{near.id}"', 1)[1].split("</section>", 1)[0]
    assert 'data-opens="2026-12-02"' in near_row and "/book?start=" not in near_row
    assert "/book?start=" in friday.split(f'data-resource="{far.id}"', 1)[1]
    assert 'rel="next"' in friday and 'max="2026-12-05"' in friday
    last = text(client.get("/amenities/day?kind=gym&date=2026-12-05"))
    assert 'rel="next"' not in last and "可预约至 12月5日" in last
    far_away = client.get("/amenities/day?kind=gym&date=2099-01-01")
    assert far_away.status_code == 302 and "date=2026-12-05" in far_away.headers["Location"]


def test_day_view_for_a_platform_admin_without_a_community_offers_a_picker(
        client, login, create_user, create_community, make_resource, community):
    other = create_community("东湖人才公寓（二期）")
    make_resource(name="Our gym")
    make_resource(community_=other, name="Their gym")
    root = create_user("root2@example.test", roles=("platform_admin",))
    login(root)
    first = client.get("/amenities/day?kind=gym&date=2026-12-02")
    assert first.status_code == 200
    page = text(first)
    assert "data-community-picker" in page and "东湖人才公寓（二期）" in page and "Test Community" in page
    assert "Our gym" in page and "Their gym" not in page  # one community at a time
    create_community("Aaa empty community")
    assert "Our gym" in text(client.get("/amenities/day?kind=gym&date=2026-12-02"))  # not the empty one first
    theirs = text(client.get(f"/amenities/day?kind=gym&date=2026-12-02&community={other.id}"))
    assert "Their gym" in theirs and "Our gym" not in theirs
    assert f"community={other.id}" in theirs.split('rel="next"')[0].rsplit("href=", 1)[1]  # day links keep it
    assert client.get("/amenities/day?community=999999").status_code == 404
    assert client.get("/amenities/day?community=abc").status_code == 400


def test_day_view_with_no_community_at_all_is_an_empty_state(client, db, login, create_user):
    from community.accounts.models import Community

    root = create_user("root2@example.test", roles=("platform_admin",))
    db.session.execute(sa.delete(Community))
    db.session.commit()
    login(root)
    response = client.get("/amenities/day")
    assert response.status_code == 200 and "data-empty" in text(response)


def test_day_view_residents_keep_their_own_community(client, login, resident, stranger, make_resource):
    make_resource(name="Our gym")
    login(resident)
    page = text(client.get("/amenities/day?kind=gym&date=2026-12-02"))
    assert "Our gym" in page and "data-community-picker" not in page
    assert client.get(f"/amenities/day?community={resident.community_id}").status_code == 200
    assert client.get(f"/amenities/day?community={stranger.community_id}").status_code == 404


def test_day_view_community_admin_sees_the_community_they_run(client, login, community_admin, make_resource):
    make_resource(name="Our gym")
    login(community_admin)
    page = text(client.get("/amenities/day?kind=gym&date=2026-12-02"))
    assert "Our gym" in page and "data-community-picker" not in page


# -- booking ----------------------------------------------------------------------------------------

def test_book_one_slot(client, db, login, resident, gym):
    login(resident)
    start = at(0, 10)
    form = client.get(f"/amenities/{gym.id}/book", query_string={"start": start.isoformat()})
    assert form.status_code == 200
    response = client.post(f"/amenities/{gym.id}/book", data={"start": start.isoformat(), "slots": 1, "repeat": "none"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/amenities/bookings")
    booking = db.session.scalar(sa.select(Booking))
    assert booking.user_id == resident.id and booking.start_at == start and booking.status == "confirmed"
    assert booking.end_at == at(0, 11)


def test_book_consecutive_slots(client, db, login, resident, gym):
    login(resident)
    start = at(1, 18)
    page = text(client.get(f"/amenities/{gym.id}/book", query_string={"start": start.isoformat()}))
    assert 'value="3"' in page and "21:00" in page
    client.post(f"/amenities/{gym.id}/book", data={"start": start.isoformat(), "slots": 3, "repeat": "none"})
    booking = db.session.scalar(sa.select(Booking))
    assert (booking.start_at, booking.end_at) == (at(1, 18), at(1, 21))


def test_booking_a_full_slot_keeps_the_form_and_explains(client, db, login, resident, create_user, make_resource,
                                                           book):
    room = make_resource(name="Room A", kind="meeting_room", capacity=1, max_attendees=8)
    book(create_user(), room, at(0, 10))
    login(resident)
    response = client.post(f"/amenities/{room.id}/book",
                           data={"start": at(0, 10).isoformat(), "slots": 1, "attendees": 6, "repeat": "none"})
    assert response.status_code == 409
    page = text(response)
    assert 'value="6"' in page  # what was typed is still there
    assert "alert-danger" in page
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 1


def test_booking_bad_input_is_rejected_with_a_message(client, db, login, resident, make_resource):
    room = make_resource(name="Room A", kind="meeting_room", capacity=1, max_attendees=8)
    login(resident)
    start = at(0, 10).isoformat()
    too_many = client.post(f"/amenities/{room.id}/book", data={"start": start, "slots": 1, "attendees": 20,
                                                                "repeat": "none"})
    assert too_many.status_code == 422 and 'value="20"' in text(too_many)
    assert "1 到 8" in text(too_many)  # the room's own maximum, not the form's 1000
    no_weeks = client.post(f"/amenities/{room.id}/book", data={"start": start, "slots": 1, "repeat": "weeks",
                                                                "weeks": ""})
    assert no_weeks.status_code == 422 and "invalid-feedback" in text(no_weeks)
    assert client.post(f"/amenities/{room.id}/book", data={"start": "soon", "slots": 1}).status_code == 400
    past = client.post(f"/amenities/{room.id}/book", data={"start": at(0, 8).isoformat(), "slots": 1,
                                                            "repeat": "none"})
    assert past.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 0


def test_recurring_booking_is_all_or_nothing_and_lists_conflicts(client, db, login, resident, create_user,
                                                                    make_resource, book):
    room = make_resource(name="Room A", kind="meeting_room", capacity=1, booking_window_days=60)
    book(create_user(), room, at(14, 19))
    login(resident)
    response = client.post(f"/amenities/{room.id}/book",
                           data={"start": at(0, 19).isoformat(), "slots": 1, "repeat": "weeks", "weeks": 4})
    assert response.status_code == 409
    page = text(response)
    assert "data-conflicts" in page and "12/15" in page
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 1

    ok = client.post(f"/amenities/{room.id}/book",
                     data={"start": at(1, 19).isoformat(), "slots": 1, "repeat": "until", "until": "2026-12-23"})
    assert ok.status_code == 302
    starts = db.session.scalars(sa.select(Booking.start_at).where(Booking.user_id == resident.id)
                                .order_by(Booking.start_at)).all()
    assert starts == [at(1, 19), at(8, 19), at(15, 19), at(22, 19)]  # the last date is included


def book_until(client, resource, start, until):
    return client.post(f"/amenities/{resource.id}/book",
                       data={"start": start.isoformat(), "slots": 1, "repeat": "until", "until": until})


def test_a_repeat_that_cannot_work_gets_one_sentence_saying_what_to_change(client, db, login, resident,
                                                                            make_resource):
    room = make_resource(name="Room A", kind="meeting_room", capacity=1, booking_window_days=366)
    login(resident)
    past = book_until(client, room, at(1, 19), "2026-11-30")
    assert past.status_code == 422
    page = text(past)
    assert "最后日期（11月30日）早于第一次预约（12月2日）。请选择 12月2日 或之后的日期作为最后日期。" in page
    assert "UNTIL" not in page and "重复规则无效" not in page
    far = text(book_until(client, room, at(1, 19), "2028-01-01"))
    assert "最多可重复 52 次。请选择 2027年11月24日 或更早的日期作为最后日期。" in far  # the 52nd Wednesday
    assert "occurrences" not in far and "UNTIL" not in far
    empty = book_until(client, room, at(1, 19), "")
    assert empty.status_code == 422
    assert text(empty).count("invalid-feedback") == 1 and "请选择最后一次预约的日期。" in text(empty)
    client.get("/lang/en")
    english = text(book_until(client, room, at(1, 19), "2026-11-30"))
    assert "The last date (Nov 30) is before the first booking (Dec 2). Choose Dec 2 or a later date" in english
    assert "UNTIL" not in english
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 0


def test_approval_and_paid_resources_say_what_happens_next(client, db, login, resident, make_resource):
    hall = make_resource(name="Hall", kind="activity_room", capacity=1, requires_approval=True)
    ktv = make_resource(name="KTV", kind="activity_room", capacity=1, fee_fen=3000)
    login(resident)
    client.post(f"/amenities/{hall.id}/book", data={"start": at(1, 10).isoformat(), "slots": 1, "repeat": "none"})
    client.post(f"/amenities/{ktv.id}/book", data={"start": at(1, 10).isoformat(), "slots": 2, "repeat": "none"})
    statuses = dict(db.session.execute(sa.select(Booking.resource_id, Booking.status)).all())
    assert statuses == {hall.id: "pending_approval", ktv.id: "pending_payment"}
    page = text(client.get("/amenities/bookings"))
    assert 'data-status="pending_approval"' in page and 'data-status="pending_payment"' in page
    assert "¥60.00" in page


def test_suspended_resident_sees_until_when(client, db, login, resident, gym):
    db.session.add(Suspension(user_id=resident.id, community_id=resident.community_id, starts_at=at(-1, 9),
                              ends_at=at(6, 9), reason="3 no-shows"))
    db.session.commit()
    login(resident)
    page = text(client.get(f"/amenities/{gym.id}"))
    assert "data-suspension" in page and "12/7" in page.split("data-suspension")[1][:400].replace("2026/", "")
    refused = client.post(f"/amenities/{gym.id}/book", data={"start": at(0, 10).isoformat(), "slots": 1,
                                                              "repeat": "none"})
    assert refused.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 0


# -- my bookings, cancel, check-in, QR -------------------------------------------------------------

def test_my_bookings_lists_only_mine_with_a_qr(client, login, resident, create_user, gym, book):
    mine = book(resident, gym, at(1, 10))
    theirs = book(create_user("other@example.test"), gym, at(1, 11))
    login(resident)
    page = text(client.get("/amenities/bookings"))
    assert f'data-booking="{mine.id}"' in page and f'data-booking="{theirs.id}"' not in page
    assert "<svg" in page and mine.qr_token in page
    assert f'data-booking="{mine.id}"' not in text(client.get("/amenities/bookings?tab=past"))


def test_cancel_frees_the_slot(client, db, login, resident, make_resource, book):
    room = make_resource(name="Room A", kind="meeting_room", capacity=1)
    booking = book(resident, room, at(1, 10))
    login(resident)
    response = client.post(f"/amenities/bookings/{booking.id}/cancel")
    assert response.status_code == 302
    booking = reload(db, booking)
    assert booking.status == "cancelled" and not booking.late_cancel
    page = text(client.get(f"/amenities/{room.id}?day=2026-12-02"))
    tomorrow = page.split('id="day-2026-12-02"')[1].split('id="day-2026-12-03"')[0]
    assert 'data-state=full' not in tomorrow
    assert f'data-booking="{booking.id}"' in text(client.get("/amenities/bookings?tab=past"))


def test_late_cancellation_is_recorded_and_shown(client, db, login, resident, gym, book):
    booking = book(resident, gym, at(0, 10))  # 30 minutes away, the cut-off is 60
    login(resident)
    client.post(f"/amenities/bookings/{booking.id}/cancel")
    assert reload(db, booking).late_cancel is True
    assert "text-danger" in text(client.get("/amenities/bookings?tab=past"))


def test_a_resident_cannot_cancel_someone_elses_booking(client, db, login, resident, create_user, gym, book):
    booking = book(create_user("owner@example.test"), gym, at(1, 10))
    login(resident)
    assert client.post(f"/amenities/bookings/{booking.id}/cancel").status_code == 404
    assert client.post(f"/amenities/bookings/{booking.id}/checkin").status_code == 404
    assert client.get(f"/amenities/bookings/{booking.id}/qr.svg").status_code == 404
    assert reload(db, booking).status == "confirmed"


def test_cancelling_twice_explains_instead_of_failing(client, db, login, resident, gym, book):
    booking = book(resident, gym, at(1, 10))
    login(resident)
    client.post(f"/amenities/bookings/{booking.id}/cancel")
    again = client.post(f"/amenities/bookings/{booking.id}/cancel")
    assert again.status_code == 422 and "alert-danger" in text(again)


def test_a_started_booking_cannot_be_cancelled_by_its_owner(client, db, login, resident, gym, book):
    booking = book(resident, gym, at(0, 10))
    login(resident)
    clock.freeze(at(0, 10, 5))
    page = text(client.get("/amenities/bookings"))
    assert 'data-action="cancel"' not in page.split(f'data-booking="{booking.id}"', 1)[1]  # not offered
    refused = client.post(f"/amenities/bookings/{booking.id}/cancel")
    assert refused.status_code == 422 and "该预约已开始，无法取消。" in text(refused)
    assert reload(db, booking).status == "confirmed"


@pytest.fixture
def series(db, resident, make_resource):
    """The resident's weekly 19:00 booking of Room S, four dates from tomorrow."""
    room = make_resource(name="Room S", kind="meeting_room", capacity=1, booking_window_days=60)
    bookings = ops.book_recurring(resident, room, at(1, 19), at(1, 20), "FREQ=WEEKLY;COUNT=4")
    db.session.commit()
    return bookings


def card(page, booking):
    return page.split(f'data-booking="{booking.id}"', 1)[1].split("<article", 1)[0]


def test_my_bookings_offers_to_cancel_a_series_from_a_date_or_whole(client, db, login, resident, series):
    login(resident)
    page = text(client.get("/amenities/bookings"))
    first, third = card(page, series[0]), card(page, series[2])
    assert 'value="series"' in first and "整个系列（4）" in first
    assert 'value="following"' not in first  # from the first date on is the whole series
    assert 'value="following"' in third and "此日及以后的日期（2）" in third
    assert 'value="series"' in third and "整个系列（4）" in third
    assert "data-confirm=" in third.split('value="series"', 1)[1][:400]
    last = card(page, series[3])
    assert 'value="following"' not in last and 'value="series"' in last

    response = client.post(f"/amenities/bookings/{series[2].id}/cancel", data={"scope": "following"})
    assert response.status_code == 302
    assert [reload(db, b).status for b in series] == ["confirmed", "confirmed", "cancelled", "cancelled"]
    assert "已取消该系列的 2 个日期" in text(client.get("/amenities/bookings"))
    client.post(f"/amenities/bookings/{series[1].id}/cancel", data={"scope": "series"})
    assert [reload(db, b).status for b in series] == ["cancelled"] * 4
    assert client.post(f"/amenities/bookings/{series[0].id}/cancel", data={"scope": "all"}).status_code == 400


def test_cancelling_a_series_is_all_or_nothing_on_the_page(client, db, login, resident, create_user, series):
    login(create_user("neighbour@example.test"))
    assert client.post(f"/amenities/bookings/{series[0].id}/cancel", data={"scope": "series"}).status_code == 404
    client.post("/logout")
    login(resident)
    clock.freeze(at(1, 19, 5))  # the first date has started
    refused = client.post(f"/amenities/bookings/{series[0].id}/cancel", data={"scope": "following"})
    assert refused.status_code == 422
    assert [reload(db, b).status for b in series] == ["confirmed"] * 4


def test_im_here_checks_in_within_the_window_only(client, db, login, resident, gym, book):
    soon = book(resident, gym, at(0, 10))  # opens 09:45
    later = book(resident, gym, at(1, 10))
    login(resident)
    page = text(client.get("/amenities/bookings"))
    assert 'data-action="checkin"' not in page
    refused = client.post(f"/amenities/bookings/{later.id}/checkin")
    assert refused.status_code == 422 and reload(db, later).status == "confirmed"
    clock.freeze(at(0, 9, 50))
    assert 'data-action="checkin"' in text(client.get("/amenities/bookings"))
    assert client.post(f"/amenities/bookings/{soon.id}/checkin").status_code == 302
    assert reload(db, soon).status == "checked_in"


def test_a_second_check_in_says_when_the_first_was(client, db, login, resident, community_admin, gym, book):
    mine = book(resident, gym, at(0, 10))
    clock.freeze(at(0, 10, 2))
    login(resident)
    assert client.post(f"/amenities/bookings/{mine.id}/checkin").status_code == 302
    again = client.post(f"/amenities/bookings/{mine.id}/checkin")
    assert again.status_code == 409 and "已于 10:02 签到。" in text(again)
    assert "签到成功" not in text(again) and "Enjoy" not in text(again)
    client.post("/logout")
    login(community_admin)
    desk = client.post("/amenities/checkin", data={"token": mine.qr_token})
    assert desk.status_code == 409 and "已于 10:02 签到。" in text(desk)
    assert reload(db, mine).checked_in_at == at(0, 10, 2)


def test_qr_svg_for_the_owner(client, login, resident, gym, book):
    booking = book(resident, gym, at(1, 10))
    login(resident)
    response = client.get(f"/amenities/bookings/{booking.id}/qr.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert text(response).lstrip().startswith("<?xml") and "<svg" in text(response)
    assert client.get("/amenities/bookings/9999/qr.svg").status_code == 404


# -- calendar feed ----------------------------------------------------------------------------------

def test_calendar_feed_create_subscribe_and_rotate(client, db, login, resident, gym, book):
    booking = book(resident, gym, at(1, 10))
    login(resident)
    assert "/amenities/calendar/" not in text(client.get("/amenities/bookings"))  # GET creates nothing
    assert client.post("/amenities/bookings/feed").status_code == 302
    page = text(client.get("/amenities/bookings"))
    url = page.split('id="feed-url"')[1].split('value="')[1].split('"')[0]
    path = url.split("localhost", 1)[1]
    client.post("/logout")
    feed = client.get(path)  # no login: the token is the key
    assert feed.status_code == 200
    assert feed.headers["Content-Type"] == "text/calendar; charset=utf-8"
    body = text(feed)
    assert body.startswith("BEGIN:VCALENDAR\r\n") and f"UID:amenity-booking-{booking.id}@" in body
    assert "DTSTART:20261202T020000Z" in body

    login(resident)
    client.post("/amenities/bookings/feed/rotate")
    client.post("/logout")
    assert client.get(path).status_code == 404
    assert client.get("/amenities/calendar/not-a-token.ics").status_code == 404


def test_the_calendar_message_is_shown_in_the_card_the_redirect_scrolls_to(client, login, resident):
    """On a phone the #calendar anchor scrolls past the top of the page, so the message is in the card."""
    login(resident)
    created = client.post("/amenities/bookings/feed")
    assert created.headers["Location"].endswith("/amenities/bookings#calendar")
    page = text(client.get("/amenities/bookings"))
    calendar = page.split('id="calendar"', 1)[1]
    assert 'data-flash="calendar"' in calendar and "您的专属日历链接已生成" in calendar
    assert "您的专属日历链接已生成" not in page.split('id="calendar"', 1)[0]  # not at the top as well
    client.post("/amenities/bookings/feed/rotate")
    assert 'data-flash="calendar"' in text(client.get("/amenities/bookings")).split('id="calendar"', 1)[1]


def test_switching_the_feed_off(client, login, resident):
    login(resident)
    client.post("/amenities/bookings/feed")
    path = text(client.get("/amenities/bookings")).split('id="feed-url"')[1].split('value="')[1].split('"')[0]
    client.post("/amenities/bookings/feed/revoke")
    assert client.get(path.split("localhost", 1)[1]).status_code == 404


# -- kiosk ------------------------------------------------------------------------------------------

def test_kiosk_checks_in_by_token_or_scanned_url(client, db, login, community_admin, resident, create_user, gym,
                                                 book):
    first = book(resident, gym, at(0, 10))
    second = book(create_user(), gym, at(0, 10))
    clock.freeze(at(0, 9, 55))
    login(community_admin)
    assert client.get("/amenities/checkin").status_code == 200
    response = client.post("/amenities/checkin", data={"token": first.qr_token})
    assert response.status_code == 302 and reload(db, first).status == "checked_in"
    scanned = f"http://localhost/amenities/checkin?token={second.qr_token}"
    assert client.post("/amenities/checkin", data={"token": scanned}).status_code == 302
    assert reload(db, second).status == "checked_in"


def test_kiosk_bad_input_and_wrong_users(client, db, login, community_admin, resident, other_admin, gym, book):
    booking = book(resident, gym, at(1, 10))
    login(resident)
    assert client.get("/amenities/checkin").status_code == 403
    client.post("/logout")
    login(community_admin)
    unknown = client.post("/amenities/checkin", data={"token": "nonsense"})
    assert unknown.status_code == 404 and 'value="nonsense"' in text(unknown)
    assert client.post("/amenities/checkin", data={"token": ""}).status_code == 422
    too_early = client.post("/amenities/checkin", data={"token": booking.qr_token})
    assert too_early.status_code == 422 and reload(db, booking).status == "confirmed"
    client.post("/logout")
    login(other_admin)
    assert client.post("/amenities/checkin", data={"token": booking.qr_token}).status_code == 404


# -- dashboard --------------------------------------------------------------------------------------

def test_dashboard_shows_next_bookings(client, login, resident, gym, book):
    book(resident, gym, at(1, 10))
    login(resident)
    page = text(client.get("/dashboard"))
    assert 'data-panel="next-bookings"' in page and "Gym" in page
