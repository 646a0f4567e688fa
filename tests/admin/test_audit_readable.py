"""The audit log and the operator dashboard speak people's language: labelled actions, the actor
and the object by name, details as label: value; codes no domain labelled fall back to the code."""
import re
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from community.core import audit, clock, labels
from community.core.audit import AuditEntry
from tests.factories.amenities import local


def _entries(page):
    return page.split('data-section="audit-entries"', 1)[1]


def _tomorrow_at(hour):
    return local(1, hour, base=clock.now())


def test_a_role_grant_reads_as_a_sentence(client, platform_admin, resident, login, english):
    login(platform_admin)
    client.post("/admin/roles", data={"login": resident.email, "role": "specialist",
                                      "community_id": resident.community_id})
    entries = _entries(client.get("/admin/audit", query_string={"action": "role.granted",
                                                                "actor": "platform@"}).get_data(as_text=True))
    assert "Role granted" in entries
    assert "by platform <span class=\"text-muted\">(platform@example.test)</span>" in entries
    assert f'<a href="/admin/users/{resident.id}">resident (resident@example.test)</a>' in entries
    assert "Role: <span class=\"text-body\">Service specialist</span>" in entries
    assert ">role.granted<" not in entries  # the code is only a tooltip now


def test_chinese_labels(client, platform_admin, resident, login):
    login(platform_admin)
    client.post("/admin/roles", data={"login": resident.email, "role": "specialist",
                                      "community_id": resident.community_id})
    page = client.get("/admin/audit").get_data(as_text=True)
    entries = _entries(page)
    assert "授予角色" in entries and "服务专员" in entries
    assert "创建社区" in entries
    assert '<option value="role.granted" >授予角色</option>' in page  # the action filter is labelled too


def test_talent_details_and_times_are_formatted(client, platform_admin, resident, login, english, db):
    clock.freeze(datetime(2030, 1, 2, 3, 4, tzinfo=timezone.utc))
    login(platform_admin)
    client.post(f"/admin/users/{resident.id}", data={"talent_type": "business", "tier": "senior",
                                                     "valid_until": "2031-12-31"})
    audit.record(None, "user.locked", resident, locked_until=datetime(2030, 1, 2, 3, 19, tzinfo=timezone.utc))
    db.session.commit()
    entries = _entries(client.get("/admin/audit").get_data(as_text=True))
    assert "Entered in the talent registry" in entries  # the office's correction goes through the registry
    for text in ("Business talent", "Senior", "2031-12-31"):
        assert text in entries
    assert "Account locked after failed logins" in entries and "by the system" in entries
    assert "Locked until: <span class=\"text-body\">1/2/30, 11:19" in entries  # Shanghai time


class Gadget:
    """Not a model of a community package: its entries name their object type themselves."""
    id = 42
    community_id = None


@pytest.fixture
def scratch_labels(monkeypatch):
    """A copy of the label registry, so a test domain registered here leaves with the test."""
    monkeypatch.setattr(labels, "AUDIT_LABELS", labels.AUDIT_LABELS.copy())
    return labels


def _entry(page, entry_id):
    """The markup of one entry of the audit page: from its id to the next entry (or the pager)."""
    return page.split(f'data-entry-id="{entry_id}"', 1)[1].split('data-entry-id="', 1)[0].split("</ul>\n</ul>")[0]


def test_unknown_codes_fall_back_to_the_code(client, platform_admin, login, db, english, scratch_labels):
    scratch_labels.register_audit_labels("gadgets", action_prefixes=["gadget"])  # the prefix, no labels
    audit.record(None, "gadget.polished", Gadget(), object_type="gadgets.Gadget",
                 shine=3, colour=None, tags=["a", "b"], ok=True)
    db.session.commit()
    login(platform_admin)
    entries = _entries(client.get("/admin/audit").get_data(as_text=True))
    assert ">gadget.polished<" in entries and ">gadgets.Gadget<" in entries and "#42" in entries
    for text in ("shine: <span class=\"text-body\">3</span>", "colour: <span class=\"text-body\">—</span>",
                 "tags: <span class=\"text-body\">a and b</span>", "ok: <span class=\"text-body\">yes</span>"):
        assert text in entries


def test_a_domain_registers_its_own_labels(client, platform_admin, login, db, english, scratch_labels):
    scratch_labels.register_audit_labels("gadgets", label="Gadgetry", actions={"gadget.polished": "Gadget polished"},
                                         objects={"Gadget": "Shiny gadget"}, details={"shine": "Shine"},
                                         values={"shine": lambda v: "★" * v})
    entry = audit.record(None, "gadget.polished", Gadget(), object_type="gadgets.Gadget", shine=3)
    db.session.commit()
    login(platform_admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    text = _entry(page, entry.id)
    assert "Gadget polished" in text and "Shiny gadget" in text and "Shine: <span class=\"text-body\">★★★" in text
    assert 'data-domain="gadgets"' in text and "Gadgetry" in text
    # the menus offer the new domain, its action and its object under its own heading
    assert '<option value="gadgets" >Gadgetry</option>' in page
    assert '<optgroup label="Gadgetry">' in page
    assert '<option value="gadget.polished" >Gadget polished</option>' in page
    assert '<option value="gadgets.Gadget" >Shiny gadget</option>' in page


def test_two_domains_read_their_own_status(client, platform_admin, community_admin, resident, room, book,
                                           login, db, english, scratch_labels):
    """Amenities and a test domain both write a "status" detail; each entry reads in its own words."""
    scratch_labels.register_audit_labels("gadgets", actions={"gadget.polished": "Gadget polished"},
                                         details={"status": "Gadget state"},
                                         values={"status": lambda v: f"very {v}"})
    booking = book(resident, room, _tomorrow_at(10))
    gadget = audit.record(None, "gadget.polished", Gadget(), object_type="gadgets.Gadget", status="confirmed")
    db.session.commit()
    booked = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "amenity.booked",
                                                           AuditEntry.object_id == booking.id))
    login(platform_admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Status: <span class=\"text-body\">Confirmed</span>" in _entry(page, booked.id)
    assert "Gadget state: <span class=\"text-body\">very confirmed</span>" in _entry(page, gadget.id)
    assert "Gadget state" not in _entry(page, booked.id) and "Status:" not in _entry(page, gadget.id)
    # a key a domain did not register still finds the shared core label
    shared = audit.record(None, "gadget.polished", Gadget(), object_type="gadgets.Gadget", role="resident")
    db.session.commit()
    assert "Role: <span class=\"text-body\">Resident</span>" in _entry(
        client.get("/admin/audit").get_data(as_text=True), shared.id)


def test_an_action_of_no_domain_is_refused(db, scratch_labels):
    with pytest.raises(ValueError, match="gadget.polished"):
        audit.record(None, "gadget.polished", Gadget(), object_type="gadgets.Gadget")


def test_entries_of_each_domain_read_in_chinese(client, community_admin, resident, room, book, login, db):
    book(resident, room, _tomorrow_at(10))
    login(community_admin)
    entries = _entries(client.get("/admin/audit").get_data(as_text=True))
    # amenities: action, object, status and kind values, the domain badge
    assert "预约空间" in entries and "已确认" in entries and "会议室" in entries and "空间预约" in entries
    # accounts: the community created by the fixture, with its domain badge
    assert "创建社区" in entries and "账户" in entries


def test_the_audit_page_filters_by_domain_and_object(client, platform_admin, community_admin, resident, room,
                                                     book, login, db):
    book(resident, room, _tomorrow_at(10))
    login(platform_admin)

    def actions(**query):
        return set(re.findall(r'data-action="([^"]+)"', _entries(
            client.get("/admin/audit", query_string=query).get_data(as_text=True))))

    everything = actions()
    assert {"amenity.resource_created", "amenity.booked", "community.created", "user.registered"} <= everything
    amenities = actions(domain="amenities")
    assert amenities == {"amenity.resource_created", "amenity.booked"}
    accounts = actions(domain="accounts")
    assert "community.created" in accounts and not any(a.startswith("amenity.") for a in accounts)
    assert actions(domain="nowhere") == set()
    assert actions(object_type="amenities.Booking") == {"amenity.booked"}
    assert actions(object_type="amenities.Resource") == {"amenity.resource_created"}
    assert actions(domain="accounts", object_type="amenities.Booking") == set()
    assert actions(action="amenity.b") == {"amenity.booked"}
    assert actions(action="amenity_") == set()  # a LIKE wildcard in the filter is a plain character


def test_the_filter_menus_come_from_the_labels_not_the_log(client, platform_admin, login, db):
    login(platform_admin)
    page = client.get("/admin/audit").get_data(as_text=True)  # an (almost) empty log
    form = page.split('<form class="row g-2 mb-3" method="get">', 1)[1].split("</form>", 1)[0]
    assert '<option value="amenities" >空间预约</option>' in form and '<option value="accounts" >账户</option>' in form
    assert '<option value="amenity.no_show" >' in form and '<option value="amenities.CalendarFeed" >' in form
    assert form.count('<option value="amenities.Booking"') == 1
    # core is listed for what it records itself (attached files), with its own name
    assert '<option value="core" >平台</option>' in form
    assert '<option value="attachment.added" >' in form


def test_user_text_in_details_is_escaped(client, resident, platform_admin, login, english):
    login(resident)
    client.post("/profile/edit", data={"display_name": "<script>alert(1)</script>", "locale": "en"})
    client.post("/logout")
    login(platform_admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Language: <span class=\"text-body\">English</span>" in _entries(page)


def test_operator_dashboard_shows_readable_recent_activity(client, community_admin, resident, login, english):
    login(community_admin)
    panel = client.get("/dashboard").get_data(as_text=True).split('data-panel="operator"', 1)[1]
    assert "Role granted" in panel and "Community created" in panel
    assert "resident (resident@example.test)" in panel
    assert ">role.granted<" not in panel and "<code>" not in panel
    assert 'href="/admin/audit"' in panel


def test_audit_details_formats_values():
    assert labels.audit_details(None) == []
    assert labels.audit_details({"nested": {"b": 1, "a": "中"}}) == [("nested", '{"a": "中", "b": 1}')]
    assert labels.audit_details({"empty": ""}) == [("empty", "—")]
    assert labels.audit_details({"when": "2030-01-02"}) == [("when", "2030-01-02")]  # a date stays a date
