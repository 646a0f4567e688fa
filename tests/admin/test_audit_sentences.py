"""Each audit entry reads as a sentence in the reader's language: keys labelled, values formatted
(statuses, recurrence rules, money, lists), objects and the ids in details named, each detail on
its own line; names cost one query per object type for the whole page."""
import re
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from community.accounts import operations as account_ops
from community.amenities import operations as ops
from community.core import audit, clock
from community.core.audit import AuditEntry
from tests.factories.amenities import local
from tests.factories.perks import merchants_numbered

numbered_merchants = merchants_numbered(7)

NOW = datetime(2030, 1, 7, 1, 0, tzinfo=timezone.utc)  # Monday 09:00 in Shanghai


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(NOW)  # tests/conftest.py lets the clock run again after the test


def _at(day, hour):
    return local(day, hour, base=NOW)


def _entry(page, entry_id):
    """The markup of one entry of the audit page."""
    return page.split(f'data-entry-id="{entry_id}"', 1)[1].split('data-entry-id="', 1)[0].split("</ul>\n</ul>")[0]


def _text(markup):
    """What a reader (or a screen reader, or a copy-paste) gets: the text without tags, each
    list item on its own line."""
    markup = markup.replace("</li>", "\n").replace("<ul", "\n<ul")
    return re.sub(r"[ \t]+", " ", re.sub(r"<[^>]+>", "", markup))


def _lines(text):
    """The text's non-blank lines, each stripped, joined by newlines (and one at the end)."""
    return "".join(line.strip() + "\n" for line in text.splitlines() if line.strip())


def _last(db, action):
    return db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id.desc()))


@pytest.fixture
def audit_page(client, login, community_admin):
    def _page(language="zh_CN", **query):
        login(community_admin)
        client.get(f"/lang/{language}")
        return client.get("/admin/audit", query_string=query).get_data(as_text=True)

    return _page


def test_a_recurring_booking_names_its_amenity_rule_and_bookings(db, resident, room, audit_page):
    ops.book_recurring(resident, room, _at(1, 10), _at(1, 11), "FREQ=WEEKLY;COUNT=2")
    db.session.commit()
    entry = _last(db, "amenity.booked_series")
    text = _text(_entry(audit_page(), entry.id))
    assert "重复规则：每周，共 2 次" in text
    assert "预约数：2" in text
    assert "空间：Room A" in text
    assert "预约：\nRoom A 周二 1/8 10:00–11:00（resident）\nRoom A 周二 1/15 10:00–11:00（resident）\n" in _lines(text)
    for internal in ("FREQ=", "booking_ids", "resource_id", "count:", "#"):
        assert internal not in text, internal
    english = _text(_entry(audit_page("en"), entry.id))
    assert "Repeats: Weekly, 2 times" in english
    assert "Bookings:\nRoom A Tue 1/8 10:00–11:00 (resident)\nRoom A Tue 1/15 10:00–11:00 (resident)\n" in _lines(english)
    # the amenity is linked to its settings for its admins
    assert f'href="/admin/amenities/{room.id}/edit"' in _entry(audit_page(), entry.id)


def test_status_changes_read_as_labels_each_on_its_own_line(db, room, community_admin, audit_page):
    ops.set_resource_status(room, "closed", actor=community_admin)
    db.session.commit()
    markup = _entry(audit_page("en"), _last(db, "amenity.resource_status").id)
    assert re.search(r"Status: Closed\s*\n", _text(markup)) and re.search(r"Previous status: Open\s*\n", _text(markup))
    assert markup.count("<li>") == 2  # one item a detail
    assert "Amenity" in _text(markup) and "Room A" in _text(markup)


def test_cancelled_by_the_office_names_the_resident(db, resident, room, book, community_admin, audit_page):
    booking = book(resident, room, _at(1, 10))
    ops.cancel_booking(booking, actor=community_admin, reason="Pipe burst")
    db.session.commit()
    text = _text(_entry(audit_page("en"), _last(db, "amenity.cancelled").id))
    assert "Cancelled by the office: yes" in text
    assert "Resident: resident (resident@example.test)" in text
    assert "Reason: Pipe burst" in text
    assert "Booking Room A Tue 1/8 10:00–11:00 (resident)" in " ".join(text.split())
    for internal in ("by_admin", "resident_id", "late:"):
        assert internal not in text


def test_settings_changes_list_the_settings_by_name(db, room, community_admin, audit_page):
    ops.update_resource(room, actor=community_admin, capacity=4, name="Room B")
    db.session.commit()
    entry = _last(db, "amenity.resource_updated")
    assert "修改的设置：容量和名称" in _text(_entry(audit_page(), entry.id))
    assert "Settings changed: Capacity and Name" in _text(_entry(audit_page("en"), entry.id))


def test_a_new_calendar_link_and_a_fee(db, resident, room, community_admin, audit_page):
    ops.feed_token(resident)
    ops.feed_token(resident, rotate=True)
    audit.record(community_admin, "amenity.paid", room, fee=1250, currency="CNY")  # as mark_paid writes it
    db.session.commit()
    feed = _text(_entry(audit_page("en"), _last(db, "amenity.feed_issued").id))
    assert "Replaces the previous link: yes" in feed and "Calendar link resident" in " ".join(feed.split())
    paid = _text(_entry(audit_page("en"), _last(db, "amenity.paid").id))
    assert "Fee: ¥12.50" in paid and "Currency" not in paid and "currency" not in paid


def test_a_removed_closure_says_so_and_names_its_amenity(db, room, community_admin, audit_page):
    closure = ops.add_closure(room, starts_at=_at(2, 8), ends_at=_at(3, 22), reason="Painting", actor=community_admin)
    db.session.commit()
    ops.remove_closure(closure, actor=community_admin)
    db.session.commit()
    page = audit_page("en")
    added = _text(_entry(page, _last(db, "amenity.closure_added").id))
    removed = _text(_entry(page, _last(db, "amenity.closure_removed").id))
    assert f"deleted (no. {closure.id})" in removed and "Amenity: Room A" in removed
    assert "Amenity: Room A" in added and "Reason: Painting" in added


def test_merchant_grants_and_old_user_rows_read_with_names(db, client, login, platform_admin, resident):
    account_ops.grant_role(resident, "merchant_staff", merchant_id=7, actor=platform_admin)
    # A row as revision f9892d5cdd84 left the ones the old code wrote for current_user ("LocalProxy").
    old = AuditEntry(actor_id=resident.id, action="user.profile_updated", object_type="accounts.User",
                     object_id=resident.id, details={"display_name": "resident", "locale": "en"})
    db.session.add(old)
    db.session.commit()
    login(platform_admin)
    client.get("/lang/en")
    page = client.get("/admin/audit").get_data(as_text=True)
    granted = _text(_entry(page, _last(db, "role.granted").id))
    assert "Merchant: Merchant 7" in granted and "merchant_id" not in granted  # its name, not "no. 7"
    old_text = _text(_entry(page, old.id))
    assert "resident (resident@example.test)" in old_text and "LocalProxy" not in old_text
    assert "Language: English" in old_text


def test_people_named_in_details_of_a_suspension(db, resident, room, audit_page, community):
    suspension_entry = audit.record(None, "amenity.suspended", None, object_type="amenities.Suspension",
                                    community_id=community.id, user_id=resident.id, no_shows=3,
                                    ends_at=_at(7, 0))
    db.session.commit()
    text = _text(_entry(audit_page("en"), suspension_entry.id))
    assert "Resident: resident (resident@example.test)" in text and "No-shows: 3" in text
    assert "user_id" not in text


def test_names_cost_one_query_per_type_for_the_whole_page(db, app, client, login, community_admin,
                                                           make_resource, create_user, book):
    def queries_for_the_page():
        login(community_admin)
        statements = []

        def count(conn, cursor, statement, *args):
            statements.append(statement)

        engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get("/admin/audit").status_code == 200
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    resource = make_resource(actor=community_admin, capacity=20)
    book(create_user(), resource, _at(1, 10))
    few = queries_for_the_page()
    for hour in range(11, 17):
        other = make_resource(actor=community_admin, name=f"Room {hour}")
        book(create_user(), other, _at(1, hour))
    many = queries_for_the_page()
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) > 12  # a fuller page
    assert many <= few  # (the fuller page may have pushed an entry of another type off it)


def test_long_lists_show_the_first_few_and_how_many_more(app):
    from flask_babel import force_locale

    from community.core import labels

    with app.test_request_context(), force_locale("en"):
        names = labels.AuditNames()
        names.resolvable.add("amenities.Booking")
        names[("amenities.Booking", 1)] = labels.AuditName("Room A Tue 1/8 10:00–11:00 (resident)")
        [(label, items)] = labels.audit_details({"booking_ids": list(range(1, 8))}, action="amenity.booked_series",
                                                names=names)
        assert str(label) == "Bookings"
        assert [str(item) for item in items] == ["Room A Tue 1/8 10:00–11:00 (resident)", "deleted (no. 2)",
                                                 "deleted (no. 3)", "deleted (no. 4)", "deleted (no. 5)", "2 more"]
        assert labels.audit_details({"fields": ["capacity", "name", "kind"]}, action="amenity.resource_updated") == [
            (labels.AUDIT_LABELS.domains["amenities"].details["fields"], "Capacity, Name, and Kind")]


@pytest.mark.parametrize("rule, english, chinese", [
    ("FREQ=WEEKLY;COUNT=2", "Weekly, 2 times", "每周，共 2 次"),
    ("FREQ=DAILY;COUNT=1", "Daily, 1 time", "每天，共 1 次"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;UNTIL=20300301", "Every 2 weeks, on Mon and Wed, until Mar 1, 2030",
     "每 2 周，在周一和周三，至 2030年3月1日"),
    ("FREQ=HOURLY", "FREQ=HOURLY", "FREQ=HOURLY"),  # not a rule we write: shown as stored
])
def test_recurrence_rules_read_as_words(app, rule, english, chinese):
    from flask_babel import force_locale

    from community.amenities.audit_labels import describe_rrule

    with app.test_request_context():
        with force_locale("en"):
            assert describe_rrule(rule) == english
        with force_locale("zh_CN"):
            assert describe_rrule(rule) == chinese
