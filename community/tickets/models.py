"""Ticket tables. Names and columns are a contract (docs/tickets.md): the benchmark generator
writes them with COPY, so defaults that matter also exist on the server side.

Times that the report and the queue read often are stored, not recomputed: the due instants
(already moved on by pauses), and the business minutes to first response and to resolution,
written when those happen."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core.clock import now
from community.core.db import TimestampMixin
from community.extensions import db

PRIORITIES = ("low", "normal", "high", "urgent")
NEW, ASSIGNED, IN_PROGRESS, WAITING, RESOLVED, CLOSED, REOPENED = (
    "new", "assigned", "in_progress", "waiting", "resolved", "closed", "reopened")
STATUSES = (NEW, ASSIGNED, IN_PROGRESS, WAITING, RESOLVED, CLOSED, REOPENED)
# Someone still owes the resident an answer or a fix.
OPEN_STATUSES = (NEW, ASSIGNED, IN_PROGRESS, WAITING, REOPENED)
OPEN_WHERE = "status IN (" + ", ".join(f"'{s}'" for s in OPEN_STATUSES) + ")"
# The resolution clock runs (waiting on the resident pauses it).
RUNNING_STATUSES = (NEW, ASSIGNED, IN_PROGRESS, REOPENED)
LOCATION_KINDS = ("building", "public")
DAY_KINDS = ("holiday", "workday")
EVENT_KINDS = ("status", "assigned", "reassigned", "unassigned", "priority", "breached", "escalated", "rated")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class TicketCalendar(TimestampMixin, db.Model):
    """A community's working calendar: hours per weekday ("0" Monday .. "6" -> "09:00-12:00,
    13:30-18:00"), the hours of make-up working days, and its dated exceptions (CalendarDay)."""

    __tablename__ = "ticket_calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"), unique=True)
    weekly_hours: Mapped[dict] = mapped_column(sa.JSON)
    makeup_hours: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")

    days: Mapped[list["CalendarDay"]] = relationship(back_populates="calendar", order_by="CalendarDay.day",
                                                     cascade="all, delete-orphan")
    community = relationship("Community")


class CalendarDay(db.Model):
    """A public holiday (no work) or a make-up working day (调休) of one calendar."""

    __tablename__ = "ticket_calendar_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(sa.ForeignKey("ticket_calendars.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(sa.Date)
    kind: Mapped[str] = mapped_column(sa.String(16))
    name: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")

    calendar: Mapped[TicketCalendar] = relationship(back_populates="days")

    __table_args__ = (
        sa.UniqueConstraint("calendar_id", "day"),
        sa.CheckConstraint(_in("kind", DAY_KINDS), name="known_kind"),
    )


class SlaPolicy(TimestampMixin, db.Model):
    """Targets in business minutes, one row of SlaTarget per priority."""

    __tablename__ = "ticket_sla_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))

    targets: Mapped[list["SlaTarget"]] = relationship(back_populates="policy", cascade="all, delete-orphan",
                                                      lazy="selectin")

    __table_args__ = (sa.UniqueConstraint("community_id", "name"),)

    def target_for(self, priority: str) -> "SlaTarget | None":
        return next((t for t in self.targets if t.priority == priority), None)


class SlaTarget(db.Model):
    __tablename__ = "ticket_sla_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(sa.ForeignKey("ticket_sla_policies.id", ondelete="CASCADE"))
    priority: Mapped[str] = mapped_column(sa.String(16))
    first_response_minutes: Mapped[int]
    resolution_minutes: Mapped[int]

    policy: Mapped[SlaPolicy] = relationship(back_populates="targets")

    __table_args__ = (
        sa.UniqueConstraint("policy_id", "priority"),
        sa.CheckConstraint(_in("priority", PRIORITIES), name="known_priority"),
        sa.CheckConstraint("first_response_minutes > 0", name="first_response_positive"),
        sa.CheckConstraint("resolution_minutes >= first_response_minutes", name="resolution_after_response"),
    )


class TicketCategory(TimestampMixin, db.Model):
    """What residents file under; its specialists (SpecialistCoverage) are its default group."""

    __tablename__ = "ticket_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    description: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    sla_policy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ticket_sla_policies.id", ondelete="SET NULL"))
    default_priority: Mapped[str] = mapped_column(sa.String(16), default="normal", server_default="normal")
    position: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    sla_policy: Mapped[SlaPolicy | None] = relationship(lazy="joined")

    __table_args__ = (
        sa.UniqueConstraint("community_id", "name"),
        sa.CheckConstraint(_in("default_priority", PRIORITIES), name="known_priority"),
    )


class SpecialistCoverage(db.Model):
    """A specialist takes this category's tickets. ``last_assigned_at`` is the round-robin turn."""

    __tablename__ = "ticket_specialist_coverage"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("ticket_categories.id", ondelete="CASCADE"), index=True)
    last_assigned_at: Mapped[datetime | None]

    user = relationship("User")
    category: Mapped[TicketCategory] = relationship()

    __table_args__ = (sa.UniqueConstraint("user_id", "category_id"),)


class SpecialistLeave(db.Model):
    """A specialist is unavailable (leave) from ``starts_on`` to ``ends_on``, both included,
    counted in the community's calendar days."""

    __tablename__ = "ticket_specialist_leaves"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    note: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=now)

    user = relationship("User")

    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)


class TicketCounter(db.Model):
    """The last reference number given in a community and year. Filing advances it with one
    atomic UPDATE ... RETURNING in the ticket's own transaction: the row lock orders concurrent
    filers, a rollback gives the number back, so numbers have neither gaps nor duplicates."""

    __tablename__ = "ticket_counters"

    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))

    __table_args__ = (sa.CheckConstraint("last >= 0", name="last_not_negative"),)


class CannedReply(TimestampMixin, db.Model):
    __tablename__ = "ticket_canned_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    body: Mapped[str] = mapped_column(sa.Text)


class Ticket(TimestampMixin, db.Model):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"))
    # TC-<year>-<6 digits>: unique in its community (the same number exists in another community).
    reference: Mapped[str] = mapped_column(sa.String(20))
    year: Mapped[int]
    number: Mapped[int]
    resident_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("ticket_categories.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text)
    location_kind: Mapped[str] = mapped_column(sa.String(16), default="public", server_default="public")
    building_id: Mapped[int | None] = mapped_column(sa.ForeignKey("buildings.id", ondelete="SET NULL"))
    location_detail: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    contact_time: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    priority: Mapped[str] = mapped_column(sa.String(16), default="normal", server_default="normal")
    status: Mapped[str] = mapped_column(sa.String(16), default=NEW, server_default=NEW)
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # SLA: targets in business minutes copied at filing; due instants moved on by pauses.
    first_response_target: Mapped[int | None]
    resolution_target: Mapped[int | None]
    first_response_due_at: Mapped[datetime | None]
    resolution_due_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    first_response_minutes: Mapped[int | None]
    paused_at: Mapped[datetime | None]
    paused_minutes: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    resolved_at: Mapped[datetime | None]
    resolution_minutes: Mapped[int | None]
    closed_at: Mapped[datetime | None]
    reopen_count: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    first_response_breached_at: Mapped[datetime | None]
    resolution_breached_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    rating: Mapped[int | None]
    rating_comment: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    rated_at: Mapped[datetime | None]

    community = relationship("Community")
    resident = relationship("User", foreign_keys=[resident_id])
    assignee = relationship("User", foreign_keys=[assignee_id])
    category: Mapped[TicketCategory] = relationship()
    building = relationship("Building")

    __table_args__ = (
        sa.UniqueConstraint("community_id", "year", "number"),
        sa.UniqueConstraint("community_id", "reference"),
        sa.Index("ix_tickets_community_created", "community_id", "created_at"),
        sa.Index("ix_tickets_assignee_status", "assignee_id", "status"),
        sa.Index("ix_tickets_resident_created", "resident_id", "created_at"),
        sa.Index("ix_tickets_status_due", "status", "resolution_due_at"),
        # The queues (a specialist's, the community's, all of a community): open tickets only, a
        # few thousand of the city's 200,000; sorted by due time in SQL after this lookup.
        sa.Index("ix_tickets_open_community_assignee", "community_id", "assignee_id",
                 postgresql_where=sa.text(OPEN_WHERE), sqlite_where=sa.text(OPEN_WHERE)),
        sa.CheckConstraint(_in("status", STATUSES), name="known_status"),
        sa.CheckConstraint(_in("priority", PRIORITIES), name="known_priority"),
        sa.CheckConstraint(_in("location_kind", LOCATION_KINDS), name="known_location"),
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
        sa.CheckConstraint("paused_minutes >= 0", name="paused_not_negative"),
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TicketReply(db.Model):
    """A message of the conversation: public (the resident sees it) or an internal note (staff
    only; never in a resident's page, API answer, e-mail or notice)."""

    __tablename__ = "ticket_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("tickets.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(sa.Text)
    internal: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(default=now)

    author = relationship("User")
    ticket: Mapped[Ticket] = relationship()

    __table_args__ = (sa.Index("ix_ticket_replies_ticket_created", "ticket_id", "created_at"),)


class TicketEvent(db.Model):
    """The timeline besides the messages: status changes, assignments, breaches, escalation.
    ``public``: shown to the resident (status changes); assignment reasons stay with staff."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("tickets.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    from_status: Mapped[str | None] = mapped_column(sa.String(16))
    to_status: Mapped[str | None] = mapped_column(sa.String(16))
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    public: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(default=now)

    actor = relationship("User", foreign_keys=[actor_id])
    assignee = relationship("User", foreign_keys=[assignee_id])

    __table_args__ = (
        sa.Index("ix_ticket_events_ticket_created", "ticket_id", "created_at"),
        sa.CheckConstraint(_in("kind", EVENT_KINDS), name="known_kind"),
    )
