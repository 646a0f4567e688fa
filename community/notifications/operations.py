"""notify(): the one way a person is told something, in the app and by e-mail; and the outbox.

Like every operation these add and flush and never commit: a notice and its e-mail commit with
the work that caused them, or vanish with it."""
import smtplib
from functools import lru_cache
from datetime import datetime, timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _, lazy_gettext as _l

from community.core import audit
from community.core.audit import object_type_of
from community.core.jsonable import jsonable
from community.core.clock import now
from community.core.db import insert_now, is_unique_violation, nothing_pending, savepoint
from community.core.errors import NotFound, PermissionDenied
from community.core.i18n import force_locale
from community.extensions import db
from community.notifications.kinds import Kind, get_group, get_kind, group_is_locked, groups
from community.notifications.models import (
    MAX_ATTEMPTS, SKIPPED_NO_SERVER, Notice, NotificationPreference, OutboxEmail,
)
from community.notifications.texts import absolute_link, absolute_url, recipient_locale, render_kind

__all__ = ["notify", "mark_read", "mark_all_read", "set_email_preferences", "email_enabled", "queue_email",
           "deliver", "claim_next", "send_one", "MAX_ATTEMPTS"]

# A claimed e-mail whose sender never came back (a crash mid-send) is tried again after this;
# far longer than the SMTP timeout, so a slow but living sender is never overtaken.
CLAIM_LEASE = timedelta(minutes=10)


# -- notices ------------------------------------------------------------------------------------

def notify(user, kind: str, *, obj=None, link=None, once: bool = False, email: bool = True,
           **params) -> Notice | None:
    """Tell ``user`` about an event of ``kind`` (registered in notifications.kinds).

    Writes the in-app notice (kind and params only: it is written out in the reader's language
    when shown) and, unless the person switched the kind's event group off, an e-mail rendered in
    *their* language. ``obj`` is what the notice is about; ``link`` where it leads: an endpoint,
    ``(endpoint, args)`` or a path on this site (default: the kind's). ``once=True`` makes the
    notice exist at most once per person, kind and object (a reminder); a second call, even from a
    job running at the same moment, writes nothing and returns None. ``email=False`` keeps it in the
    app: for news the person is looking at as it happens (their own instant booking), where an
    e-mail would only repeat the page.

    The notice costs one INSERT: at once through Core when the session holds nothing else still to
    insert or delete (core.db.insert_now: no flush of its own), else with the rest of the unit of
    work at the next flush.

    Params must be JSON-able; datetimes are stored as ISO 8601 (name them ``*_at``)."""
    spec = get_kind(kind)
    if spec is None:
        raise ValueError(f"unknown notice kind {kind!r}; register it with notifications.kinds.register_kind")
    stored = {key: jsonable(value) for key, value in params.items()}
    endpoint, args, url = _link_parts(link if link is not None else spec.link)
    object_type, object_id = object_ref(obj)
    notice = Notice(user_id=user.id, kind=kind, params=stored, link_endpoint=endpoint, link_args=args,
                    link_url=url, object_type=object_type, object_id=object_id)
    if once:
        if object_type is None or not spec.in_app:
            raise ValueError("once=True needs an in-app kind and the object the notice is about")
        notice.dedup_key = f"{kind}:{object_type}:{object_id}"
        if not _add_once(notice):
            return None
    elif spec.in_app:
        if nothing_pending(db.session):
            insert_now(db.session, notice)  # one Core INSERT, cheaper than the unit of work's flush
        else:
            db.session.add(notice)
    if email and spec.email and email_enabled(user, spec):
        _queue_notice_email(user, spec, stored, endpoint, args, url)
    return notice if spec.in_app else None


def _add_once(notice: Notice) -> bool:
    """Insert the notice unless its dedup key is taken; the unique constraint decides, so two
    runners racing for the same reminder cannot both win."""
    try:
        with savepoint(db.session):
            db.session.add(notice)
            db.session.flush()
    except sa.exc.IntegrityError as error:
        if not is_unique_violation(error):
            raise
        return False
    return True


def object_ref(obj) -> tuple[str | None, int | None]:
    """("<domain>.<Model>", id) of what a notice is about, named as the audit log names it."""
    if obj is None:
        return None, None
    return object_type_of(obj), getattr(obj, "id", None)


def _link_parts(link) -> tuple[str | None, dict | None, str | None]:
    if link is None:
        return None, None, None
    if isinstance(link, tuple):
        endpoint, args = link
        return endpoint, {key: jsonable(value) for key, value in (args or {}).items()}, None
    if link.startswith("/"):
        return None, None, link
    return link, {}, None


def mark_read(notice: Notice, *, user) -> Notice:
    """Mark one of ``user``'s notices read; someone else's is answered as if it did not exist."""
    if notice.user_id != getattr(user, "id", None):
        raise NotFound(_l("No such notice."), code="not_found")
    if notice.read_at is None:
        notice.read_at = now()
        db.session.flush()
    return notice


def mark_all_read(user) -> int:
    """Mark every unread notice of ``user`` read in one statement; returns how many."""
    result = db.session.execute(
        sa.update(Notice).where(Notice.user_id == user.id, Notice.read_at.is_(None)).values(read_at=now()))
    return result.rowcount or 0


# -- e-mail preferences -------------------------------------------------------------------------

def email_enabled(user, spec: Kind) -> bool:
    """Security e-mails always go; otherwise the person's choice for the group (default: on)."""
    if not getattr(user, "email", None):
        return False
    if spec.security:
        return True
    loaded = db.session.identity_map.get(db.session.identity_key(NotificationPreference, (user.id, spec.group)))
    if loaded is not None:  # what db.session.get would answer without asking the database
        return loaded.email
    # One Core statement on the session's connection: no ORM load and no autoflush of the notice
    # just added (set_email_preferences flushes what it changes, so the table is what the session holds).
    email = db.session.connection().execute(
        _preference_stmt(), {"pref_user_id": user.id, "pref_group": spec.group}).scalar()
    return email is None or bool(email)


@lru_cache(maxsize=1)
def _preference_stmt():
    """Built once (bound parameters): notify asks it for every e-mail it might send."""
    table = NotificationPreference.__table__
    return sa.select(table.c.email).where(table.c.user_id == sa.bindparam("pref_user_id"),
                                          table.c.event_group == sa.bindparam("pref_group"))


def email_choices(user) -> dict[str, bool]:
    """Every registered group and whether ``user`` gets its e-mails (locked groups: always)."""
    rows = {row.event_group: row.email for row in db.session.scalars(
        sa.select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    return {group.name: group_is_locked(group.name) or rows.get(group.name, True) for group in groups()}


def set_email_preferences(user, choices: dict[str, bool], *, actor) -> dict[str, bool]:
    """Save e-mail on/off per event group. Unknown groups are refused; a group of security
    e-mails only stays on whatever is asked (there is nothing in it to switch off)."""
    if actor is None or actor.id != user.id:
        raise PermissionDenied(_l("You can only change your own e-mail preferences."), code="not_owner")
    unknown = sorted(name for name in choices if get_group(name) is None)
    if unknown:
        raise ValueError(f"unknown event groups {unknown!r}")
    saved = {}
    for name, wanted in choices.items():
        enabled = True if group_is_locked(name) else bool(wanted)
        row = db.session.get(NotificationPreference, (user.id, name))
        if row is None:
            row = NotificationPreference(user_id=user.id, event_group=name)
            db.session.add(row)
        row.email = enabled
        saved[name] = enabled
    db.session.flush()
    audit.record(actor, "notifications.preferences_changed", user,
                 email_on=sorted(name for name, on in saved.items() if on),
                 email_off=sorted(name for name, on in saved.items() if not on))
    return saved


# -- the e-mail of a notice -----------------------------------------------------------------------

def _queue_notice_email(user, spec: Kind, params: dict, endpoint, args, url) -> OutboxEmail:
    with force_locale(recipient_locale(user)):
        text = render_kind(spec, params, reader_tz=user.timezone)
        lines = [text.body]
        target = absolute_link(endpoint, args, url)
        if target:
            lines += ["", _("Open it here: %(url)s", url=target)]
        preferences = None if spec.security else absolute_url("notifications.preferences")
        if preferences:
            lines += ["", "-- ", _("Choose which e-mails you get: %(url)s", url=preferences)]
        subject = text.subject
    return queue_email(user.email, subject[:255], "\n".join(lines), kind=spec.name)


# -- the outbox ---------------------------------------------------------------------------------

class MailServerMissing(Exception):
    """No MAIL_SERVER is configured: the e-mail stays in the outbox, readable by a platform admin."""


def queue_email(recipient: str, subject: str, body: str, *, kind="generic") -> OutboxEmail:
    # One line: a name with a line break in it must not end the Subject header (Python refuses such
    # a header at delivery, and the e-mail would fail every attempt).
    message = OutboxEmail(recipient=recipient, subject=" ".join(subject.splitlines())[:255], body=body, kind=kind)
    db.session.add(message)
    db.session.flush()
    return message


def deliver(message: OutboxEmail) -> None:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        raise MailServerMissing()
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


def _claimable(at: datetime):
    return sa.and_(OutboxEmail.sent_at.is_(None), OutboxEmail.skipped_reason.is_(None),
                   OutboxEmail.attempts < MAX_ATTEMPTS,
                   sa.or_(OutboxEmail.claimed_at.is_(None), OutboxEmail.claimed_at < at - CLAIM_LEASE))


def claim_next(skip_ids=()) -> OutboxEmail | None:
    """Claim the oldest e-mail still to send (the caller commits the claim before sending).

    The claim is a conditional UPDATE, so of two senders that picked the same row only one wins,
    on SQLite (no row locks) as on PostgreSQL; there ``SKIP LOCKED`` also lets the other sender
    pass straight to the next row. Each claim counts as an attempt, so an e-mail whose sender
    keeps crashing is not tried forever."""
    skipped = list(skip_ids)
    while True:
        at = now()
        stmt = (sa.select(OutboxEmail.id).where(_claimable(at)).order_by(OutboxEmail.id).limit(1)
                .with_for_update(skip_locked=True))
        if skipped:
            stmt = stmt.where(OutboxEmail.id.not_in(skipped))
        message_id = db.session.scalar(stmt)
        if message_id is None:
            return None
        won = db.session.execute(
            sa.update(OutboxEmail).where(OutboxEmail.id == message_id, _claimable(at))
            .values(claimed_at=at, attempts=OutboxEmail.attempts + 1)
            .execution_options(synchronize_session=False)).rowcount
        if won:
            return db.session.get(OutboxEmail, message_id, populate_existing=True)
        skipped.append(message_id)  # another sender claimed it between our look and our claim


def send_one(message: OutboxEmail) -> bool:
    """Deliver one claimed e-mail. A failure is recorded and retried later (up to MAX_ATTEMPTS);
    without a mail server the e-mail is kept as "not sent (no server)" and never retried."""
    message.claimed_at = None
    try:
        deliver(message)
    except MailServerMissing:
        message.skipped_reason = SKIPPED_NO_SERVER
        current_app.logger.info("mail kept in the outbox (no MAIL_SERVER set) to %s: %s",
                                message.recipient, message.subject)
        db.session.flush()
        return False
    except (OSError, smtplib.SMTPException) as exc:
        message.last_error = repr(exc)[:2000]
        db.session.flush()
        return False
    message.sent_at = now()
    db.session.flush()
    return True
