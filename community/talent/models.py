"""Talent tables: configured types, review stages per community, applications with their
timeline and objections, and the registry (人才库) whose active entries are mirrored onto
accounts.TalentProfile, the one place every domain reads a tier from. See docs/talent.md."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import TALENT_TIERS, Community, User
from community.core.clock import now
from community.core.db import TimestampMixin
from community.core.permissions import COMMUNITY_ADMIN, TALENT_REVIEWER
from community.extensions import db

TIERS = TALENT_TIERS
TIER_RANK = {tier: rank for rank, tier in enumerate(TIERS, start=1)}

REVIEW, NOTICE = "review", "notice"
STAGE_KINDS = (REVIEW, NOTICE)
STAGE_ROLES = (COMMUNITY_ADMIN, TALENT_REVIEWER)

INITIAL, RENEWAL = "initial", "renewal"
APPLICATION_KINDS = (INITIAL, RENEWAL)
DRAFT, IN_REVIEW, RETURNED, ON_NOTICE, ENTERED, REJECTED, WITHDRAWN = (
    "draft", "in_review", "returned", "notice", "entered", "rejected", "withdrawn")
APPLICATION_STATUSES = (DRAFT, IN_REVIEW, RETURNED, ON_NOTICE, ENTERED, REJECTED, WITHDRAWN)
# At most one of these per person (a partial unique index says so).
OPEN_STATUSES = (DRAFT, IN_REVIEW, RETURNED, ON_NOTICE)

OPEN, UPHELD, DISMISSED = "open", "upheld", "dismissed"
OBJECTION_STATUSES = (OPEN, UPHELD, DISMISSED)

ACTIVE, EXPIRED, REVOKED = "active", "expired", "revoked"
ENTRY_STATUSES = (ACTIVE, EXPIRED, REVOKED)
REVOKE_REASONS = ("no_longer_working", "unlawful", "dishonest", "product_safety", "other")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class TalentType(TimestampMixin, db.Model):
    """A talent type the platform admin configures, with the criteria of each tier shown to
    applicants. ``code`` is what profiles and applications store."""

    __tablename__ = "talent_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(sa.String(60))
    name_en: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")
    criteria_junior: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    criteria_intermediate: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    criteria_senior: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    position: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    def criteria(self, tier: str) -> str:
        return getattr(self, f"criteria_{tier}", "") or ""


class ReviewStage(db.Model):
    """One stage of a community's review, in order: a review held by a role, or the public notice."""

    __tablename__ = "talent_review_stages"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(16))
    role: Mapped[str | None] = mapped_column(sa.String(32))
    name_zh: Mapped[str] = mapped_column(sa.String(60))
    name_en: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")
    notice_days: Mapped[int] = mapped_column(default=5, server_default=sa.text("5"))

    __table_args__ = (
        sa.UniqueConstraint("community_id", "position"),
        sa.CheckConstraint(f"(kind = 'review' AND {_in('role', STAGE_ROLES)})"
                           " OR (kind = 'notice' AND role IS NULL)", name="kind_and_role"),
        sa.CheckConstraint("notice_days BETWEEN 1 AND 60", name="notice_days_range"),
    )


class TalentApplication(TimestampMixin, db.Model):
    """个人申报 (kind initial) or a yearly re-review (kind renewal, of ``entry``). ``stage`` is the
    position of the community's stage it is at; ``tier`` starts as the claim and reviewers may
    lower it."""

    __tablename__ = "talent_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16), default=INITIAL, server_default=INITIAL)
    talent_type: Mapped[str] = mapped_column(sa.String(32))
    claimed_tier: Mapped[str] = mapped_column(sa.String(16))
    tier: Mapped[str] = mapped_column(sa.String(16))
    employer: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    position_title: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    years_in_field: Mapped[int | None]
    statement: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    status: Mapped[str] = mapped_column(sa.String(16), default=DRAFT, server_default=DRAFT, index=True)
    stage: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    notice_from: Mapped[date | None] = mapped_column(sa.Date)
    notice_until: Mapped[date | None] = mapped_column(sa.Date, index=True)
    entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("talent_registry.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    community: Mapped[Community] = relationship()
    events: Mapped[list["ApplicationEvent"]] = relationship(
        back_populates="application", order_by="ApplicationEvent.id", cascade="all, delete-orphan")
    objections: Mapped[list["Objection"]] = relationship(
        back_populates="application", order_by="Objection.id", cascade="all, delete-orphan")
    entry: Mapped["RegistryEntry | None"] = relationship(foreign_keys=[entry_id])

    __table_args__ = (
        sa.Index("uq_talent_applications_open", "user_id", unique=True,
                 postgresql_where=sa.text(_in("status", OPEN_STATUSES)),
                 sqlite_where=sa.text(_in("status", OPEN_STATUSES))),
        sa.CheckConstraint(_in("status", APPLICATION_STATUSES), name="known_status"),
        sa.CheckConstraint(_in("kind", APPLICATION_KINDS), name="known_kind"),
        sa.CheckConstraint(_in("claimed_tier", TIERS), name="known_claimed_tier"),
        sa.CheckConstraint(_in("tier", TIERS), name="known_tier"),
        sa.CheckConstraint("years_in_field IS NULL OR years_in_field BETWEEN 0 AND 80", name="years_range"),
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ApplicationEvent(db.Model):
    """One line of an application's timeline: who did what, when, at which stage, and why."""

    __tablename__ = "talent_application_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("talent_applications.id", ondelete="CASCADE"),
                                                index=True)
    at: Mapped[datetime] = mapped_column(default=now)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(sa.String(32))
    stage: Mapped[int | None]
    stage_name: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")
    tier: Mapped[str | None] = mapped_column(sa.String(16))
    message: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    application: Mapped[TalentApplication] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class Objection(db.Model):
    """An objection lodged during the public notice; an open one holds the application."""

    __tablename__ = "talent_objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("talent_applications.id", ondelete="CASCADE"),
                                                index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), default=OPEN, server_default=OPEN)
    created_at: Mapped[datetime] = mapped_column(default=now)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    resolution: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    application: Mapped[TalentApplication] = relationship(back_populates="objections")
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])

    __table_args__ = (sa.CheckConstraint(_in("status", OBJECTION_STATUSES), name="known_status"),)


class RegistryEntry(db.Model):
    """人才库: a talent entered with a certificate number (备案颁证). An active entry is what the
    profile mirrors; revocation and lapse end it. One active entry a person (partial unique index);
    one entry an application (unique application_id), so the notice-end job never enters twice."""

    __tablename__ = "talent_registry"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communities.id", ondelete="SET NULL"),
                                                     index=True)
    # No foreign key: talent_applications already points here (entry_id), and a cycle of foreign
    # keys would make both tables hard to migrate. Applications are only deleted with their person.
    application_id: Mapped[int | None] = mapped_column(unique=True)
    talent_type: Mapped[str] = mapped_column(sa.String(32))
    tier: Mapped[str] = mapped_column(sa.String(16))
    certificate_no: Mapped[str | None] = mapped_column(sa.String(32), unique=True)
    valid_from: Mapped[date] = mapped_column(sa.Date)
    valid_until: Mapped[date] = mapped_column(sa.Date, index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default=ACTIVE, server_default=ACTIVE, index=True)
    entered_at: Mapped[datetime] = mapped_column(default=now)
    # The valid-until day a re-review was opened for: the re-review job opens one per term.
    rereview_for: Mapped[date | None] = mapped_column(sa.Date)
    revoke_reason: Mapped[str | None] = mapped_column(sa.String(32))
    revoke_note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    community: Mapped[Community | None] = relationship()

    __table_args__ = (
        sa.Index("uq_talent_registry_active", "user_id", unique=True,
                 postgresql_where=sa.text("status = 'active'"), sqlite_where=sa.text("status = 'active'")),
        sa.CheckConstraint(_in("status", ENTRY_STATUSES), name="known_status"),
        sa.CheckConstraint(_in("tier", TIERS), name="known_tier"),
        sa.CheckConstraint(f"revoke_reason IS NULL OR {_in('revoke_reason', REVOKE_REASONS)}",
                           name="known_revoke_reason"),
        sa.CheckConstraint("(status = 'revoked') = (revoke_reason IS NOT NULL)", name="revoked_has_reason"),
        sa.CheckConstraint("valid_until >= valid_from", name="valid_range"),
    )
