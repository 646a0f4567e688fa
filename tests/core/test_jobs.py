"""`flask jobs run-due` and the e-mail outbox job."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from community.core import clock
from community.core.jobs import JobRun
from community.notifications.models import OutboxEmail
from community.notifications.operations import MAX_ATTEMPTS, queue_email

START = datetime(2026, 6, 1, 1, 0, tzinfo=timezone.utc)


@pytest.fixture
def cli(app):
    return app.test_cli_runner()


@pytest.fixture
def queued(db):
    def _queue(n=1):
        for i in range(n):
            queue_email(f"to{i}@example.test", "Subject", "Body", kind="test")
        db.session.commit()

    return _queue


@pytest.fixture
def fake_smtp(app, monkeypatch):
    """Point MAIL_SERVER at a fake SMTP class that records what it sends (or fails when told)."""
    sent, behaviour = [], {"fail": None}

    class FakeSMTP:
        def __init__(self, host, port, timeout=None):
            if behaviour["fail"]:
                raise behaviour["fail"]
            self.host, self.port = host, port

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self):
            pass

        def login(self, user, password):
            pass

        def send_message(self, message):
            sent.append(message)

    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.test")
    monkeypatch.setattr("community.notifications.operations.smtplib.SMTP", FakeSMTP)
    return sent, behaviour


def _runs(db):
    db.session.expire_all()
    return {run.name: run for run in db.session.scalars(sa.select(JobRun))}


def _unsent(db):
    db.session.expire_all()
    return db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.sent_at.is_(None))).all()


def test_run_due_sends_the_outbox_once_then_waits_until_due(cli, db, queued, fake_smtp):
    clock.freeze(START)
    queued(2)
    result = cli.invoke(args=["jobs", "run-due"])
    assert result.exit_code == 0, result.output
    assert "send-outbox: 2" in result.output
    assert _unsent(db) == []
    assert _runs(db)["send-outbox"].last_started_at == START

    queued(1)
    clock.freeze(START + timedelta(seconds=30))
    result = cli.invoke(args=["jobs", "run-due"])
    assert "send-outbox" not in result.output  # not due yet
    assert len(_unsent(db)) == 1

    clock.freeze(START + timedelta(minutes=1))
    result = cli.invoke(args=["jobs", "run-due"])
    assert "send-outbox: 1" in result.output
    assert _unsent(db) == []


def test_outbox_marks_emails_sent_once(cli, db, queued, fake_smtp):
    sent, _ = fake_smtp
    clock.freeze(START)
    queued(1)
    cli.invoke(args=["jobs", "run", "send-outbox"])
    cli.invoke(args=["jobs", "run", "send-outbox"])
    assert len(sent) == 1 and sent[0]["To"] == "to0@example.test"
    message = db.session.scalar(sa.select(OutboxEmail))
    assert message.sent_at == START and message.attempts == 1


def test_failed_delivery_is_retried_a_few_times(cli, db, queued, fake_smtp):
    sent, behaviour = fake_smtp
    behaviour["fail"] = ConnectionRefusedError("smtp down")
    queued(1)
    for _ in range(MAX_ATTEMPTS + 2):
        assert cli.invoke(args=["jobs", "run", "send-outbox"]).exit_code == 0
    message = _unsent(db)[0]
    assert message.attempts == MAX_ATTEMPTS and "smtp down" in message.last_error
    behaviour["fail"] = None
    cli.invoke(args=["jobs", "run", "send-outbox"])
    assert sent == []  # given up on


def test_reset_email_leaves_through_the_outbox(client, cli, db, resident, fake_smtp):
    sent, _ = fake_smtp
    client.post("/password/forgot", data={"login": resident.email})
    assert sent == []  # nothing leaves during the request
    cli.invoke(args=["jobs", "run-due"])
    assert [m["To"] for m in sent] == [resident.email]
    assert "/password/reset/" in sent[0].get_content()


def test_a_failing_job_is_recorded_and_does_not_stop_the_others(cli, db, monkeypatch):
    from community.core import jobs

    calls = []

    def broken():
        raise RuntimeError("job broke")

    monkeypatch.setitem(jobs._registry, "aa-broken", jobs.Job("aa-broken", broken, timedelta(minutes=5)))
    monkeypatch.setitem(jobs._registry, "zz-fine", jobs.Job("zz-fine", lambda: calls.append(1) or "ok",
                                                           timedelta(minutes=5)))
    result = cli.invoke(args=["jobs", "run-due"])
    assert result.exit_code == 1
    assert calls == [1]
    runs = _runs(db)
    assert "job broke" in runs["aa-broken"].last_error and runs["aa-broken"].last_finished_at is None
    assert runs["zz-fine"].last_error is None and runs["zz-fine"].last_finished_at is not None


def test_jobs_list_and_unknown_job(cli):
    assert "send-outbox" in cli.invoke(args=["jobs", "list"]).output
    result = cli.invoke(args=["jobs", "run", "no-such-job"])
    assert result.exit_code != 0 and "unknown job" in result.output


def test_job_that_writes_commits_once(cli, db, monkeypatch, community):
    """A job is its own unit of work: what it flushes is committed by run_job, not by the job."""
    from community.accounts.models import Community
    from community.core import jobs

    community_id = community.id

    def rename():
        db.session.get(Community, community_id).address = "renamed by a job"
        db.session.flush()
        return 1

    monkeypatch.setitem(jobs._registry, "rename", jobs.Job("rename", rename, timedelta(hours=1)))
    cli.invoke(args=["jobs", "run", "rename"])
    db.session.remove()
    assert db.session.get(Community, community_id).address == "renamed by a job"
