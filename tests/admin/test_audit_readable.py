"""The audit log and the operator dashboard speak people's language: labelled actions, the actor
and the object by name, details as label: value; codes no domain labelled fall back to the code."""
from datetime import datetime, timezone

import pytest

from community.core import audit, clock, labels


@pytest.fixture
def english(client):
    client.get("/lang/en")


def _entries(page):
    return page.split('data-section="audit-entries"', 1)[1]


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
    assert "Talent profile set" in entries
    for text in ("Business talent", "Senior", "2031-12-31"):
        assert text in entries
    assert "Account locked after failed logins" in entries and "by the system" in entries
    assert "Locked until: <span class=\"text-body\">1/2/30, 11:19" in entries  # Shanghai time


def test_unknown_codes_fall_back_to_the_code(client, platform_admin, login, db, english):
    class Gadget:
        id = 42
        community_id = None

    audit.record(None, "gadget.polished", Gadget(), shine=3, colour=None, tags=["a", "b"], ok=True)
    db.session.commit()
    login(platform_admin)
    entries = _entries(client.get("/admin/audit").get_data(as_text=True))
    assert ">gadget.polished<" in entries and "Gadget" in entries and "#42" in entries
    for text in ("shine: <span class=\"text-body\">3</span>", "colour: <span class=\"text-body\">—</span>",
                 "tags: <span class=\"text-body\">a, b</span>", "ok: <span class=\"text-body\">yes</span>"):
        assert text in entries


def test_a_domain_registers_its_own_labels(client, platform_admin, login, db, english, monkeypatch):
    monkeypatch.setattr(labels, "ACTION_LABELS", {**labels.ACTION_LABELS})
    monkeypatch.setattr(labels, "OBJECT_LABELS", {**labels.OBJECT_LABELS})
    monkeypatch.setattr(labels, "DETAIL_LABELS", {**labels.DETAIL_LABELS})
    monkeypatch.setattr(labels, "DETAIL_VALUE_FORMATTERS", {**labels.DETAIL_VALUE_FORMATTERS})
    labels.register_action_labels({"gadget.polished": "Gadget polished"})
    labels.register_object_labels({"Gadget": "Shiny gadget"})
    labels.register_detail_labels({"shine": "Shine"}, values={"shine": lambda v: "★" * v})

    class Gadget:
        id = 42
        community_id = None

    audit.record(None, "gadget.polished", Gadget(), shine=3)
    db.session.commit()
    login(platform_admin)
    entries = _entries(client.get("/admin/audit").get_data(as_text=True))
    assert "Gadget polished" in entries and "Shiny gadget" in entries and "★★★" in entries


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
