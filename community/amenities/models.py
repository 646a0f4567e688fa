"""Amenity tables. Names and columns are a contract (docs/amenities.md): the benchmark data
generator writes them with COPY, so defaults that matter also exist on the server side."""
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.amenities.schedule import OpeningHours
from community.core.clock import now
from community.core.db import TimestampMixin
from community.core.money import money_columns
from community.extensions import db

RESOURCE_KINDS = ("meeting_room", "gym", "laundry", "coffee_bar", "canteen", "activity_room", "other")
RESOURCE_STATUSES = ("active", "closed", "archived")
ACTIVE, CLOSED, ARCHIVED = RESOURCE_STATUSES

PENDING_APPROVAL = "pending_approval"
PENDING_PAYMENT = "pending_payment"
CONFIRMED = "confirmed"
CHECKED_IN = "checked_in"
CANCELLED = "cancelled"
REJECTED = "rejected"
NO_SHOW = "no_show"
BOOKING_STATUSES = (PENDING_APPROVAL, PENDING_PAYMENT, CONFIRMED, CHECKED_IN, CANCELLED, REJECTED, NO_SHOW)
# A booking in one of these statuses takes one unit of the resource's capacity.
HOLDING_STATUSES = (PENDING_APPROVAL, PENDING_PAYMENT, CONFIRMED, CHECKED_IN)
TIERS = ("junior", "intermediate", "senior")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Resource(TimestampMixin, money_columns("fee"), db.Model):
    """Something residents book by the slot: a room (capacity 1) or N places (gym, bar seats).
    fee_fen / currency / fee (Money): the fee a slot, CHECK fee_fen >= 0 (core.money.money_columns)."""

    __tablename__ = "amenity_resources"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    name: Mapped[str] = mapped_column(sa.String(120))
    location: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    photo_path: Mapped[str | None] = mapped_column(sa.String(255))
    capacity: Mapped[int] = mapped_column(default=1, server_default=sa.text("1"))
    slot_minutes: Mapped[int] = mapped_column(default=60, server_default=sa.text("60"))
    opening_hours: Mapped[dict] = mapped_column(sa.JSON)
    booking_window_days: Mapped[int] = mapped_column(default=14, server_default=sa.text("14"))
    min_notice_minutes: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    max_bookings_per_day: Mapped[int | None]
    max_bookings_per_week: Mapped[int | None]
    max_minutes_per_day: Mapped[int | None]
    max_minutes_per_week: Mapped[int | None]
    cancel_cutoff_minutes: Mapped[int] = mapped_column(default=60, server_default=sa.text("60"))
    requires_approval: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    checkin_grace_minutes: Mapped[int] = mapped_column(default=15, server_default=sa.text("15"))
    max_attendees: Mapped[int | None]
    # Empty: every resident of the community; otherwise only residents holding one of these tiers.
    visible_tiers: Mapped[list] = mapped_column(sa.JSON, default=list, server_default=sa.text("'[]'"))
    status: Mapped[str] = mapped_column(sa.String(16), default=ACTIVE, server_default=ACTIVE)
    # Bumped by every write that adds a holding booking; the UPDATE is the row lock that makes
    # concurrent bookers of one resource queue (see operations.booking.lock_resource).
    lock_version: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))

    community = relationship("Community")

    __table_args__ = (
        sa.Index("ix_amenity_resources_community_kind", "community_id", "kind"),
        sa.CheckConstraint(_in("kind", RESOURCE_KINDS), name="known_kind"),
        sa.CheckConstraint(_in("status", RESOURCE_STATUSES), name="known_status"),
        sa.CheckConstraint("capacity >= 1", name="capacity_positive"),
        sa.CheckConstraint("slot_minutes BETWEEN 5 AND 480", name="slot_minutes_range"),
        sa.CheckConstraint("booking_window_days >= 1", name="window_positive"),
        sa.CheckConstraint("min_notice_minutes >= 0", name="notice_not_negative"),
        sa.CheckConstraint("cancel_cutoff_minutes >= 0", name="cutoff_not_negative"),
        sa.CheckConstraint("checkin_grace_minutes >= 0", name="grace_not_negative"),
    )

    @property
    def hours(self) -> OpeningHours:
        return OpeningHours.from_dict(self.opening_hours or {})

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.community.timezone)

    @property
    def is_active(self) -> bool:
        return self.status == ACTIVE


class Closure(db.Model):
    """A span when a resource cannot be booked (holiday, maintenance); the reason is shown."""

    __tablename__ = "amenity_closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(sa.ForeignKey("amenity_resources.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    resource: Mapped[Resource] = relationship()

    __table_args__ = (
        sa.Index("ix_amenity_closures_resource_starts", "resource_id", "starts_at"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )


class BookingSeries(db.Model):
    """The recurrence rule a set of bookings was created from (all or nothing)."""

    __tablename__ = "amenity_booking_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(sa.ForeignKey("amenity_resources.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    rrule: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(default=now)


class Booking(TimestampMixin, money_columns("fee"), db.Model):
    """fee_fen / currency / fee (Money): what the booking costs (the resource's fee x slots)."""

    __tablename__ = "amenity_bookings"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(sa.ForeignKey("amenity_resources.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    # Denormalised from the resource so scoping queries need no join.
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(sa.String(20))
    attendees: Mapped[int | None]
    series_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("amenity_booking_series.id", ondelete="SET NULL"), index=True
    )
    qr_token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    late_cancel: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    cancelled_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decision_reason: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")

    resource: Mapped[Resource] = relationship()
    user = relationship("User", foreign_keys=[user_id])
    series: Mapped[BookingSeries | None] = relationship()

    __table_args__ = (
        sa.Index("ix_amenity_bookings_resource_start", "resource_id", "start_at"),
        sa.Index("ix_amenity_bookings_user_start", "user_id", "start_at"),
        # The quota check (a resident's bookings of one resource in a week) runs under the
        # resource's row lock; without it a busy resident's whole week of every resource was read.
        sa.Index("ix_amenity_bookings_user_resource_start", "user_id", "resource_id", "start_at"),
        sa.Index("ix_amenity_bookings_status_start", "status", "start_at"),
        sa.CheckConstraint("end_at > start_at", name="ends_after_start"),
        sa.CheckConstraint(_in("status", BOOKING_STATUSES), name="known_status"),
        sa.CheckConstraint("attendees IS NULL OR attendees >= 1", name="attendees_positive"),
    )

    @property
    def is_holding(self) -> bool:
        return self.status in HOLDING_STATUSES

    @property
    def minutes(self) -> int:
        return int((self.end_at - self.start_at).total_seconds() // 60)


class Suspension(db.Model):
    """Booking is refused in a community while a suspension is running (after repeated no-shows)."""

    __tablename__ = "amenity_suspensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=now)

    __table_args__ = (
        sa.Index("ix_amenity_suspensions_user_ends", "user_id", "ends_at"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )


class CalendarFeed(db.Model):
    """A user's private iCalendar feed. The URL token is HMAC(SECRET_KEY, user id + nonce), so the
    page can show it again without storing it; only its SHA-256 is kept for the lookup, and a new
    nonce (rotation) or revoked_at kills the old URL."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    nonce: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(default=now)
    revoked_at: Mapped[datetime | None]

    user = relationship("User")
