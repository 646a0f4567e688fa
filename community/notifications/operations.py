import smtplib
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app

from community.core.clock import now
from community.extensions import db
from community.notifications.models import OutboxEmail

MAX_ATTEMPTS = 5


def queue_email(recipient: str, subject: str, body: str, *, kind="generic") -> OutboxEmail:
    message = OutboxEmail(recipient=recipient, subject=subject, body=body, kind=kind)
    db.session.add(message)
    db.session.flush()
    return message


def deliver(message: OutboxEmail) -> None:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        current_app.logger.info("mail (no MAIL_SERVER set) to %s: %s\n%s",
                                message.recipient, message.subject, message.body)
        return
    email = EmailMessage()
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)


def next_pending(skip_ids=()) -> OutboxEmail | None:
    """The oldest e-mail still to send, locked so that another node's sender skips it."""
    stmt = (sa.select(OutboxEmail)
            .where(OutboxEmail.sent_at.is_(None), OutboxEmail.attempts < MAX_ATTEMPTS)
            .order_by(OutboxEmail.id).limit(1).with_for_update(skip_locked=True))
    if skip_ids:
        stmt = stmt.where(OutboxEmail.id.not_in(skip_ids))
    return db.session.scalar(stmt)


def send_one(message: OutboxEmail) -> bool:
    """Try to deliver one e-mail; a failure is recorded and retried later, up to MAX_ATTEMPTS."""
    message.attempts += 1
    try:
        deliver(message)
    except (OSError, smtplib.SMTPException) as exc:
        message.last_error = repr(exc)[:2000]
        db.session.flush()
        return False
    message.sent_at = now()
    db.session.flush()
    return True
