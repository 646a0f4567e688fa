"""Long lists page, and the pager keeps the filters."""


def test_audit_log_pages_keep_filters(client, platform_admin, login, db, monkeypatch):
    from community.core import audit, labels

    monkeypatch.setattr(labels, "AUDIT_LABELS", labels.AUDIT_LABELS.copy())
    labels.register_audit_labels("demos", action_prefixes=["demo"])
    for number in range(45):
        audit.record(platform_admin, "demo.event", None, number=number)
    db.session.commit()
    login(platform_admin)
    first = client.get("/admin/audit?action=demo.")
    assert first.status_code == 200
    body = first.get_data(as_text=True)
    assert "page=2" in body and "action=demo." in body
    third = client.get("/admin/audit?action=demo.&page=3")
    assert third.status_code == 200 and "page=2" in third.get_data(as_text=True)
