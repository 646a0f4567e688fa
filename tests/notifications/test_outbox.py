"""Development mail: without MAIL_SERVER e-mails stay in the outbox, readable by a platform admin."""
import re
import smtplib

import pytest

from community.core.jobs import registered, run_job
from community.notifications import operations as ops
from community.notifications.models import SKIPPED_NO_SERVER
from tests.helpers import text


@pytest.fixture
def queued(db):
    def _queue(n=1, **kwargs):
        made = [ops.queue_email(f"to{i}@example.test", f"Subject {i}", f"Body {i}\nhttp://localhost/link", **kwargs)
                for i in range(n)]
        db.session.commit()
        return made

    return _queue


def email_ids(html):
    return [int(i) for i in re.findall(r'data-email="(\d+)"', html)]


def test_without_a_server_emails_are_kept_not_sent_and_not_retried(app, db, queued, outbox):
    assert not app.config.get("MAIL_SERVER")
    queued(2)
    assert run_job(registered()["send-outbox"], force=True) == 0
    kept = outbox()
    assert [(m.status, m.skipped_reason, m.sent_at, m.attempts) for m in kept] == [
        ("skipped", SKIPPED_NO_SERVER, None, 1)] * 2
    run_job(registered()["send-outbox"], force=True)
    assert [m.attempts for m in outbox()] == [1, 1]  # never picked up again


def test_the_testing_config_never_takes_mail_server_from_the_environment(monkeypatch):
    import importlib.util

    import config as config_module

    monkeypatch.setenv("MAIL_SERVER", "smtp.developer.example")
    spec = importlib.util.spec_from_file_location("config_again", config_module.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.Default.MAIL_SERVER == "smtp.developer.example"
    assert module.Testing.MAIL_SERVER is None


def test_a_test_that_reaches_for_a_mail_server_fails_loudly():
    """The autouse fixture in tests/conftest.py: no real SMTP connection without @allow_smtp."""
    with pytest.raises(pytest.fail.Exception, match="SMTP server"):
        smtplib.SMTP("127.0.0.1", 25, timeout=1)


def test_the_platform_admin_reads_the_outbox_newest_first(client, login, platform_admin, queued, app, monkeypatch):
    monkeypatch.setitem(app.config, "ITEMS_PER_PAGE", 2)
    made = queued(3)
    run_job(registered()["send-outbox"], force=True)
    login(platform_admin)
    first = text(client.get("/admin/outbox"))
    assert email_ids(first) == [made[2].id, made[1].id]
    assert "Not sent (no server)" in first or "未发送（无邮件服务器）" in first
    assert email_ids(text(client.get("/admin/outbox?page=2"))) == [made[0].id]
    html = text(client.get(f"/admin/outbox/{made[0].id}"))
    assert "Subject 0" in html and "to0@example.test" in html and "Body 0\nhttp://localhost/link" in html


def test_the_outbox_is_linked_in_the_platform_admins_menu(client, login, platform_admin, resident):
    login(platform_admin)
    assert 'href="/admin/outbox"' in text(client.get("/dashboard"))
    client.post("/logout")
    login(resident)
    assert 'href="/admin/outbox"' not in text(client.get("/dashboard"))


def test_an_empty_outbox(client, login, platform_admin):
    login(platform_admin)
    assert "data-empty" in text(client.get("/admin/outbox"))


@pytest.mark.parametrize("who", ["community_admin", "resident"])
def test_nobody_else_reads_the_outbox(client, login, queued, request, who):
    [message] = queued(1)
    login(request.getfixturevalue(who))
    assert client.get("/admin/outbox").status_code == 403
    assert client.get(f"/admin/outbox/{message.id}").status_code == 403


def test_an_unknown_email_is_404(client, login, platform_admin):
    login(platform_admin)
    assert client.get("/admin/outbox/424242").status_code == 404


def test_a_delivered_emails_text_is_not_shown(client, login, platform_admin, queued, db):
    from community.core.clock import now

    [message] = queued(1)
    message.sent_at = now()
    db.session.commit()
    login(platform_admin)
    html = text(client.get(f"/admin/outbox/{message.id}"))
    assert "Subject 0" in html and "Body 0" not in html and "data-body-hidden" in html


def test_subjects_and_bodies_are_shown_as_text(client, login, platform_admin, db):
    message = ops.queue_email("x@example.test", "<b>bold</b>", "<script>alert(1)</script>")
    db.session.commit()
    login(platform_admin)
    for url in ("/admin/outbox", f"/admin/outbox/{message.id}"):
        html = text(client.get(url))
        assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<script>alert(1)</script>" not in html
