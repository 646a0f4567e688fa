"""The operator's jobs page: every registered job with its last run; platform admins only."""
import re
from datetime import datetime, timedelta, timezone

import pytest

from community.core import clock, jobs
from community.core.jobs import JobRun

AT = datetime(2031, 5, 6, 2, 0, tzinfo=timezone.utc)


def _row(html, name):
    match = re.search(rf'<tr data-job="{re.escape(name)}" data-due="(yes|no)">(.*?)</tr>', html, re.S)
    assert match, f"no row for {name}"
    return match.group(1), match.group(2)


def test_anonymous_is_sent_to_login(client):
    response = client.get("/admin/jobs")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role", ["resident", "community_admin"])
def test_only_platform_admins_see_it(client, login, create_user, role):
    login(create_user(f"{role}@example.test", roles=(role,)))
    assert client.get("/admin/jobs").status_code == 403


def test_lists_every_registered_job_with_its_last_run(client, login, platform_admin, db, english, monkeypatch):
    def broken():
        raise RuntimeError("the <b>mail</b> server is down")

    monkeypatch.setitem(jobs._registry, "test-broken", jobs.Job("test-broken", broken, timedelta(minutes=5)))
    monkeypatch.setitem(jobs._registry, "test-fine", jobs.Job("test-fine", lambda: 1, timedelta(hours=1)))
    clock.freeze(AT)
    db.session.add(JobRun(name="test-fine", last_started_at=AT - timedelta(minutes=10),
                          last_finished_at=AT - timedelta(minutes=10) + timedelta(seconds=2.5)))
    db.session.commit()
    with pytest.raises(RuntimeError):
        jobs.run_job(jobs.registered()["test-broken"])
    login(platform_admin)

    html = client.get("/admin/jobs").get_data(as_text=True)

    for name in jobs.registered():
        assert f'data-job="{name}"' in html
    due, fine = _row(html, "test-fine")
    assert due == "no" and "1 hour" in fine and "2.50 s" in fine and "Due now" not in fine
    due, broken_row = _row(html, "test-broken")
    assert due == "yes" and "5 minutes" in broken_row and "never" in broken_row
    assert "the &lt;b&gt;mail&lt;/b&gt; server is down" in broken_row  # escaped, not markup
    due, outbox = _row(html, "send-outbox")
    assert due == "yes" and "never" in outbox


def test_the_admin_menu_links_it_for_platform_admins_only(client, login, platform_admin, community_admin):
    login(platform_admin)
    menu = client.get("/dashboard").get_data(as_text=True)
    assert menu.count('href="/admin/jobs"') == 1 and 'href="/admin/audit"' in menu
    client.post("/logout")
    login(community_admin)
    menu = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/admin/jobs"' not in menu and 'href="/admin/audit"' in menu
