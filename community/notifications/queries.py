"""Reads of notices and of the outbox, scoped to the caller before pagination."""
from functools import lru_cache

import sqlalchemy as sa
from flask import g
from flask_babel import lazy_gettext as _l

from community.core.errors import NotFound
from community.extensions import db
from community.notifications.models import Notice, OutboxEmail


def unread_count(user) -> int:
    """How many of ``user``'s notices are unread: one index-only count (ix_notices_user_read)."""
    return db.session.scalar(_unread_count_stmt(), {"unread_user_id": user.id})


@lru_cache(maxsize=1)
def _unread_count_stmt():
    """Built once (a bound parameter): every page asks it for the header's badge."""
    return (sa.select(sa.func.count()).select_from(Notice)
            .where(Notice.user_id == sa.bindparam("unread_user_id"), Notice.read_at.is_(None)))


def unread_count_for_page(user) -> int | None:
    """The header's count, asked once per request however often the page shows it."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if "unread_notices" not in g:
        g.unread_notices = unread_count(user)
    return g.unread_notices


def notices_for(user, *, read: bool | None = None) -> sa.Select:
    """``user``'s notices, newest first; ``read`` True/False keeps only read/unread ones."""
    stmt = sa.select(Notice).where(Notice.user_id == user.id)
    if read is True:
        stmt = stmt.where(Notice.read_at.is_not(None))
    elif read is False:
        stmt = stmt.where(Notice.read_at.is_(None))
    return stmt.order_by(Notice.id.desc())


def notice_for(user, notice_id: int) -> Notice:
    """One of ``user``'s notices; anyone else's is answered exactly like an unknown id."""
    notice = db.session.get(Notice, notice_id)
    if notice is None or notice.user_id != user.id:
        raise NotFound(_l("No such notice."), code="not_found")
    return notice


def outbox_messages() -> sa.Select:
    """Every queued e-mail, newest first (the platform admin's development mail page)."""
    return sa.select(OutboxEmail).order_by(OutboxEmail.id.desc())


def outbox_message(message_id: int) -> OutboxEmail:
    message = db.session.get(OutboxEmail, message_id)
    if message is None:
        raise NotFound(_l("No such e-mail."), code="not_found")
    return message
