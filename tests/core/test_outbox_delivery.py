"""The outbox sends each e-mail once: its "sent" mark is committed as soon as it has left."""
import smtplib

import pytest

from community.core.jobs import registered, run_job
from community.notifications import operations as notify


@pytest.fixture
def queued(db):
    for number in (1, 2, 3):
        notify.queue_email(f"r{number}@example.test", f"Subject {number}", "Body")
    db.session.commit()


def test_a_failure_mid_batch_does_not_resend_what_already_left(db, queued, monkeypatch, outbox):
    delivered = []

    def flaky(message):
        if message.recipient == "r2@example.test":
            raise smtplib.SMTPServerDisconnected("gone")
        delivered.append(message.recipient)

    monkeypatch.setattr(notify, "deliver", flaky)
    assert run_job(registered()["send-outbox"], force=True) == 2
    assert delivered == ["r1@example.test", "r3@example.test"]
    assert [m.sent_at is not None for m in outbox()] == [True, False, True]
    assert outbox()[1].attempts == 1 and "gone" in outbox()[1].last_error

    monkeypatch.setattr(notify, "deliver", lambda message: delivered.append(message.recipient))
    assert run_job(registered()["send-outbox"], force=True) == 1
    assert delivered == ["r1@example.test", "r3@example.test", "r2@example.test"]  # r1, r3 not again


def test_an_email_that_keeps_failing_stops_after_the_last_attempt(db, queued, monkeypatch, outbox):
    def down(message):
        raise OSError("no route")

    monkeypatch.setattr(notify, "deliver", down)
    for _ in range(notify.MAX_ATTEMPTS + 2):
        run_job(registered()["send-outbox"], force=True)
    assert all(m.attempts == notify.MAX_ATTEMPTS and m.sent_at is None for m in outbox())
