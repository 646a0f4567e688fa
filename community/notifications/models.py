"""Notices (in-app), e-mail preferences and the e-mail outbox."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from community.core.clock import now
from community.extensions import db

# Why an e-mail was kept instead of sent; it is never picked up again.
SKIPPED_NO_SERVER = "no_server"
SKIP_REASONS = (SKIPPED_NO_SERVER,)
MAX_ATTEMPTS = 5  # a failing e-mail is tried this often, then left as failed


class Notice(db.Model):
    """One thing a person was told, shown in the header count and on their notices page.

    Only the kind and its parameters are stored, never text: the notice is written out when it is
    shown, in the reader's language. ``dedup_key`` is set for notices that must exist once (a
    booking's reminder); NULLs never collide, so ordinary notices are unaffected."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(64))
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # Where the notice leads: an endpoint and its arguments (built when shown), or a plain path.
    link_endpoint: Mapped[str | None] = mapped_column(sa.String(120))
    link_args: Mapped[dict | None] = mapped_column(sa.JSON)
    link_url: Mapped[str | None] = mapped_column(sa.String(500))
    # What the notice is about, "<domain>.<Model>" and its id.
    object_type: Mapped[str | None] = mapped_column(sa.String(64))
    object_id: Mapped[int | None]
    dedup_key: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=now)
    read_at: Mapped[datetime | None]

    __table_args__ = (
        # The header's unread count on every page: an index-only count.
        sa.Index("ix_notices_user_read", "user_id", "read_at"),
        # A person's notices, newest first, without a sort.
        sa.Index("ix_notices_user_newest", "user_id", "id"),
        sa.Index("ix_notices_object", "object_type", "object_id"),
        sa.UniqueConstraint("user_id", "dedup_key"),
    )

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(db.Model):
    """Whether a person gets e-mails of one event group. No row: the default (e-mail on)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    event_group: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    email: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)


class OutboxEmail(db.Model):
    """An e-mail waiting to leave. Rows commit with the request, so nothing is sent for work that
    rolled back; the send-outbox job delivers them afterwards.

    A sender claims a row (``claimed_at``, committed) before it talks to the mail server and marks
    it sent afterwards, so two senders running at once never both send it. Without a mail server
    the e-mail is kept with ``skipped_reason`` and never tried again."""

    __tablename__ = "outbox_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    recipient: Mapped[str] = mapped_column(sa.String(255))
    subject: Mapped[str] = mapped_column(sa.String(255))
    body: Mapped[str] = mapped_column(sa.Text)
    kind: Mapped[str] = mapped_column(sa.String(64), default="generic")
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    claimed_at: Mapped[datetime | None]
    skipped_reason: Mapped[str | None] = mapped_column(sa.String(32))

    @property
    def status(self) -> str:
        """sent · skipped (kept, no server) · failed (gave up) · pending (waiting or retrying)."""
        if self.sent_at is not None:
            return "sent"
        if self.skipped_reason:
            return "skipped"
        if self.attempts >= MAX_ATTEMPTS:
            return "failed"
        return "pending"
