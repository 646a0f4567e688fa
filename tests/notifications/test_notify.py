"""notify(): the in-app notice and the e-mail, in the recipient's language, as the person chose."""
import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from community.notifications import kinds
from community.notifications import operations as ops
from community.notifications.models import Notice
from tests.notifications.conftest import WHEN


def notices_of(db, user):
    db.session.expire_all()
    return db.session.scalars(sa.select(Notice).where(Notice.user_id == user.id).order_by(Notice.id)).all()


def test_a_notice_stores_kind_and_params_not_text(db, resident, outbox):
    ops.notify(resident, "amenities.booking_rejected", link="amenities.my_bookings",
               resource="Room A", start_at=WHEN, tz="Asia/Shanghai", reason="Full")
    db.session.commit()
    [notice] = notices_of(db, resident)
    assert notice.kind == "amenities.booking_rejected"
    assert notice.params == {"resource": "Room A", "start_at": WHEN.isoformat(), "tz": "Asia/Shanghai",
                             "reason": "Full"}
    assert (notice.link_endpoint, notice.link_args, notice.read_at) == ("amenities.my_bookings", {}, None)
    [mail] = outbox()
    assert mail.recipient == resident.email and mail.kind == "amenities.booking_rejected"


def test_the_email_is_in_the_recipients_language_not_the_callers(db, app, resident, create_user, set_locale, outbox):
    english = set_locale(create_user("en@example.test"), "en")
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        with force_locale("zh_CN"):  # the actor's language
            ops.notify(english, "amenities.booking_rejected", resource="Room A", start_at=WHEN,
                       tz="Asia/Shanghai", reason="Full")
            ops.notify(resident, "amenities.booking_rejected", resource="Room A", start_at=WHEN,
                       tz="Asia/Shanghai", reason="Full")
    db.session.commit()
    to_english, to_chinese = outbox()
    assert to_english.subject == "Booking not approved: Room A, 12/3/26, 10:00\u202fAM"
    assert "did not approve your booking of Room A" in to_english.body and "Reason: Full" in to_english.body
    assert to_chinese.subject.startswith("预约未获批准") and "原因：Full" in to_chinese.body
    assert "2026/12/3 10:00" in to_chinese.subject


def test_a_community_language_is_the_default_for_people_who_chose_none(db, create_community, create_user, outbox):
    english_town = create_community("English Town")
    english_town.default_locale = "en"
    person = create_user("town@example.test", community_=english_town)
    assert person.locale is None
    ops.notify(person, "account.password_changed", changed_at=WHEN)
    db.session.commit()
    assert outbox()[0].subject == "Your password was changed"


def test_instants_are_shown_in_the_zone_the_notice_names(db, resident, set_locale, outbox):
    set_locale(resident, "en")
    ops.notify(resident, "amenities.booking_rejected", resource="Gym", start_at=WHEN, tz="Europe/Berlin",
               reason="x")
    db.session.commit()
    assert "12/3/26, 3:00\u202fAM" in outbox()[0].subject  # 10:00 in Shanghai is 03:00 in Berlin


def test_switching_a_group_off_keeps_the_notice_and_drops_the_email(db, resident, outbox):
    ops.set_email_preferences(resident, {"bookings": False}, actor=resident)
    ops.notify(resident, "amenities.booking_rejected", resource="Room A", start_at=WHEN, reason="Full")
    db.session.commit()
    assert len(notices_of(db, resident)) == 1
    assert outbox() == []


def test_a_saved_choice_is_read_from_the_database_and_switching_back_on_sends_again(db, resident, outbox):
    """email_enabled answers from the session's row when it holds one, else from the table."""
    ops.set_email_preferences(resident, {"bookings": False}, actor=resident)
    db.session.commit()
    from community.notifications.models import NotificationPreference

    for row in [obj for obj in db.session if isinstance(obj, NotificationPreference)]:
        db.session.expunge(row)  # as in a later request: the choice is only in the database
    person = resident
    ops.notify(person, "amenities.booking_rejected", resource="Room A", start_at=WHEN, reason="Full")
    db.session.commit()
    assert outbox() == []
    ops.set_email_preferences(person, {"bookings": True}, actor=person)
    ops.notify(person, "amenities.booking_rejected", resource="Room B", start_at=WHEN, reason="Full")
    db.session.commit()
    assert [mail.kind for mail in outbox()] == ["amenities.booking_rejected"]
    assert len(notices_of(db, person)) == 2


def test_security_emails_cannot_be_switched_off(db, resident, outbox):
    saved = ops.set_email_preferences(resident, {"account": False, "bookings": False}, actor=resident)
    assert saved == {"account": True, "bookings": False}
    assert ops.email_choices(resident)["account"] is True
    ops.notify(resident, kinds.PASSWORD_CHANGED, changed_at=WHEN)
    db.session.commit()
    assert [m.kind for m in outbox()] == [kinds.PASSWORD_CHANGED]
    assert "如果这不是您本人的操作" in outbox()[0].body  # the resident reads Chinese


def test_an_email_only_kind_writes_no_notice(db, resident, set_locale, outbox):
    set_locale(resident, "en")
    url = "https://talent.example/password/reset/abc"
    assert ops.notify(resident, kinds.PASSWORD_RESET, reset_url=url) is None
    db.session.commit()
    assert notices_of(db, resident) == []
    [mail] = outbox()
    assert (mail.kind, mail.subject) == (kinds.PASSWORD_RESET, "Reset your Talent Community password")
    assert f"choose a new password:\n{url}\n" in mail.body
    assert "Choose which e-mails you get" not in mail.body  # security e-mails cannot be switched off


def test_a_person_without_an_email_address_still_gets_the_notice(db, create_user, outbox):
    from community.accounts import operations as account_ops

    mobile_only = account_ops.register_user(login="13800000000", password="secret123", display_name="M")
    db.session.commit()
    ops.notify(mobile_only, kinds.PASSWORD_CHANGED, changed_at=WHEN)
    db.session.commit()
    assert len(notices_of(db, mobile_only)) == 1 and outbox() == []


def test_an_unknown_kind_is_a_programming_error(db, resident):
    with pytest.raises(ValueError, match="unknown notice kind"):
        ops.notify(resident, "amenities.no_such_thing")


def test_a_kind_needs_a_registered_group():
    with pytest.raises(ValueError, match="event group"):
        kinds.register_kind("x.y", "no-such-group", subject="s", body="b")


def test_once_writes_a_notice_only_once_per_object(db, resident, room, outbox):
    first = ops.notify(resident, "amenities.booking_reminder", obj=room, once=True, resource="Room A",
                       start_at=WHEN, grace=15)
    again = ops.notify(resident, "amenities.booking_reminder", obj=room, once=True, resource="Room A",
                       start_at=WHEN, grace=15)
    db.session.commit()
    assert first is not None and again is None
    assert len(notices_of(db, resident)) == 1 and len(outbox()) == 1
    assert first.object_type == "amenities.Resource" and first.object_id == room.id


def test_a_notice_is_part_of_the_unit_of_work(db, resident, outbox):
    ops.notify(resident, "amenities.booking_rejected", resource="Room A", start_at=WHEN, reason="Full")
    db.session.rollback()
    assert notices_of(db, resident) == [] and outbox() == []


def test_a_local_path_link_is_kept_and_another_site_is_not_followed(db, app, resident):
    from community.notifications.texts import notice_path

    ours = ops.notify(resident, kinds.PASSWORD_CHANGED, link="/amenities/bookings", changed_at=WHEN)
    theirs = ops.notify(resident, kinds.PASSWORD_CHANGED, link="//evil.example/x", changed_at=WHEN)
    db.session.commit()
    with app.test_request_context("/"):
        assert notice_path(ours) == "/amenities/bookings"
        assert notice_path(theirs) is None


def test_mark_read_and_mark_all_read(db, resident, create_user, make_notice):
    other = create_user("other@example.test")
    mine = [make_notice(resident) for _ in range(3)]
    theirs = make_notice(other)
    ops.mark_read(mine[0], user=resident)
    first_read_at = mine[0].read_at
    ops.mark_read(mine[0], user=resident)  # again: unchanged
    assert mine[0].read_at == first_read_at
    assert ops.mark_all_read(resident) == 2
    db.session.commit()
    assert all(n.read_at is not None for n in notices_of(db, resident))
    assert notices_of(db, other)[0].read_at is None
    from community.core.errors import NotFound

    with pytest.raises(NotFound):
        ops.mark_read(theirs, user=resident)


def test_preferences_are_a_persons_own(db, resident, create_user):
    from community.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        ops.set_email_preferences(resident, {"bookings": False}, actor=create_user("x@example.test"))
    with pytest.raises(ValueError, match="unknown event groups"):
        ops.set_email_preferences(resident, {"nonsense": False}, actor=resident)


def test_a_kind_no_longer_registered_still_lists(db, app, resident, make_notice):
    from community.notifications.texts import render_notice

    notice = make_notice(resident)
    notice.kind = "retired.kind"
    db.session.commit()
    with app.test_request_context("/"):
        text = render_notice(notice, reader_tz="Asia/Shanghai")
    assert text.body == "" and text.subject


def test_a_text_missing_a_param_reads_it_as_empty(db, app, resident):
    from community.notifications.texts import render_kind

    with app.test_request_context("/"), force_locale("en"):
        text = render_kind(kinds.get_kind("amenities.booking_rejected"), {"resource": "Gym"}, reader_tz=None)
    assert text.subject == "Booking not approved: Gym, "
