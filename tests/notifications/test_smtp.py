"""The outbox end to end against a real SMTP server (aiosmtpd on a free loopback port): what
arrives, in the recipient's language, and exactly once even when two senders run at once."""
import asyncio
import socket
import threading
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa

from community.notifications import operations as ops
from community.notifications.jobs import send_outbox
from community.notifications.models import OutboxEmail
from tests.notifications.conftest import WHEN

pytestmark = pytest.mark.allow_smtp


class Inbox:
    """An aiosmtpd handler keeping what arrives; ``delay`` holds each message a moment, so that
    two senders really overlap."""

    def __init__(self, delay=0.0):
        self.delay = delay
        self.received = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.received.append({"to": list(envelope.rcpt_tos), "subject": str(message["Subject"]),
                                  "body": message.get_content().replace("\r\n", "\n")})
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(app, monkeypatch):
    """smtp_server(delay=0) -> the Inbox of an SMTP server the app now sends to."""
    from aiosmtpd.controller import Controller

    started = []

    def _start(delay=0.0):
        inbox = Inbox(delay)
        controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
        controller.start()
        started.append(controller)
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
        return inbox

    yield _start
    for controller in started:
        controller.stop()


def test_what_arrives_is_what_was_queued(db, smtp_server, outbox):
    inbox = smtp_server()
    ops.queue_email("someone@example.test", "Hello", "First line\nSecond line", kind="test")
    db.session.commit()
    assert send_outbox() == 1
    assert inbox.received == [{"to": ["someone@example.test"], "subject": "Hello",
                               "body": "First line\nSecond line\n"}]
    [message] = outbox()
    assert message.status == "sent" and message.attempts == 1
    assert send_outbox() == 0 and len(inbox.received) == 1  # marked sent: never again


def test_notices_arrive_in_each_recipients_language(app, db, smtp_server, resident, create_user):
    inbox = smtp_server()
    english = create_user("en@example.test")
    english.locale = "en"
    db.session.commit()
    with app.test_request_context("/"):  # the actor's request, in Chinese
        for person in (english, resident):
            ops.notify(person, "amenities.booking_rejected", resource="会议室 A", start_at=WHEN,
                       tz="Asia/Shanghai", reason="已满")
        db.session.commit()
    assert send_outbox() == 2
    by_recipient = {m["to"][0]: m for m in inbox.received}
    to_english, to_chinese = by_recipient["en@example.test"], by_recipient[resident.email]
    assert to_english["subject"] == "Booking not approved: 会议室 A, 12/3/26, 10:00\u202fAM"
    assert "Reason: 已满" in to_english["body"] and "http://localhost/amenities/bookings" in to_english["body"]
    assert to_chinese["subject"] == "预约未获批准：会议室 A，2026/12/3 10:00"
    assert "原因：已满" in to_chinese["body"]


def test_two_senders_at_once_send_each_email_exactly_once(app, db, smtp_server):
    inbox = smtp_server(delay=0.05)
    for number in range(8):
        ops.queue_email(f"r{number}@example.test", f"Subject {number}", "Body")
    db.session.commit()
    results, errors = {}, []
    start = threading.Barrier(2)

    def sender(name):
        try:
            with app.app_context():
                start.wait()
                results[name] = send_outbox()
                from community.extensions import db as thread_db

                thread_db.session.remove()
        except Exception as exc:  # reported below: an exception in a thread would pass silently
            errors.append(exc)

    threads = [threading.Thread(target=sender, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    recipients = sorted(m["to"][0] for m in inbox.received)
    assert recipients == sorted(f"r{n}@example.test" for n in range(8))  # each once, none missing
    assert results["a"] + results["b"] == 8
    assert results["a"] > 0 and results["b"] > 0  # they did overlap
    db.session.expire_all()
    rows = db.session.scalars(sa.select(OutboxEmail)).all()
    assert all(m.status == "sent" and m.attempts == 1 for m in rows)


def test_a_claim_lost_to_another_sender_moves_on_to_the_next_email(app, db, smtp_server, database_url):
    """Two senders chose the same row; the other one's claim commits first. On PostgreSQL the row
    lock (SKIP LOCKED) keeps them apart before that; on SQLite the conditional claim does."""
    if database_url.startswith("postgresql"):
        pytest.skip("on PostgreSQL the first sender's row lock makes the other skip the row")
    inbox = smtp_server()
    first = ops.queue_email("first@example.test", "One", "Body")
    ops.queue_email("second@example.test", "Two", "Body")
    db.session.commit()
    first_id = first.id
    stolen = []

    def steal_before_the_claim(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE OUTBOX_EMAILS") and not stolen:
            stolen.append(True)
            with db.engine.connect() as other:
                other.execute(sa.text("UPDATE outbox_emails SET claimed_at = CURRENT_TIMESTAMP, "
                                      "attempts = attempts + 1 WHERE id = :id"), {"id": first_id})
                other.commit()

    sa.event.listen(db.engine, "before_cursor_execute", steal_before_the_claim)
    try:
        claimed = ops.claim_next()
        db.session.commit()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", steal_before_the_claim)
    assert stolen and claimed.recipient == "second@example.test"


def test_a_sender_that_vanished_mid_send_is_taken_over_after_the_lease(db, smtp_server):
    from datetime import timedelta

    from community.core import clock

    inbox = smtp_server()
    ops.queue_email("late@example.test", "Late", "Body")
    db.session.commit()
    start = clock.now()
    clock.freeze(start)
    assert ops.claim_next() is not None  # ... and the sender crashed before sending
    db.session.commit()
    assert send_outbox() == 0  # still someone else's
    clock.freeze(start + ops.CLAIM_LEASE + timedelta(seconds=1))
    assert send_outbox() == 1
    assert [m["to"] for m in inbox.received] == [["late@example.test"]]


def test_a_server_that_refuses_is_retried_later(db, smtp_server, app, monkeypatch, outbox):
    smtp_server()
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nobody listens there
    ops.queue_email("x@example.test", "S", "B")
    db.session.commit()
    assert send_outbox() == 0
    [message] = outbox()
    assert message.status == "pending" and message.attempts == 1 and message.last_error
    assert message.claimed_at is None  # free for the next run
