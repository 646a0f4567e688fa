"""Apartment tables: units, households, rental rounds (招租公告), applications, offers and the lease
drafts an accepted offer hands over. The database carries the rules that must never break: one
application per round and resident, one open offer per unit and per resident (partial unique
indexes), one lease draft per offer, and a round allocated at most once (the conditional UPDATE in
operations.allocation on ``status``)."""
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core.clock import now
from community.core.db import TimestampMixin
from community.core.money import money_columns
from community.extensions import db

LAYOUTS = ("studio", "1b1l", "2b1l", "2b2l", "3b1l", "3b2l")
ORIENTATIONS = ("south", "north", "east", "west", "south_north", "east_west")
AVAILABLE, RESERVED, LEASED, MAINTENANCE = UNIT_STATUSES = ("available", "reserved", "leased", "maintenance")

DRAFT, PUBLISHED, ALLOCATED = ROUND_STATUSES = ("draft", "published", "allocated")
RELATIONS = ("spouse", "child", "parent")

SUBMITTED, WITHDRAWN = APPLICATION_STATUSES = ("submitted", "withdrawn")
# Set on every submitted application when the round is allocated.
ALLOCATED_OUTCOME, WAITLISTED, INELIGIBLE = OUTCOMES = ("allocated", "waitlisted", "ineligible")

OPEN, ACCEPTED, DECLINED, EXPIRED = OFFER_STATUSES = ("open", "accepted", "declined", "expired")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Unit(TimestampMixin, money_columns("rent"), db.Model):
    """One apartment. rent_fen / currency / rent (Money): the monthly rent; deposit_fen the deposit
    in the same currency."""

    __tablename__ = "apartment_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    building_id: Mapped[int] = mapped_column(sa.ForeignKey("buildings.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(sa.String(20))
    floor: Mapped[int]
    layout: Mapped[str] = mapped_column(sa.String(8))
    # Hundredths of a square metre: integers end to end, like money.
    area_centi_m2: Mapped[int]
    orientation: Mapped[str] = mapped_column(sa.String(16), default="south", server_default="south")
    furnished: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    accessible: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    deposit_fen: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    status: Mapped[str] = mapped_column(sa.String(16), default=AVAILABLE, server_default=AVAILABLE)

    building = relationship("Building")

    __table_args__ = (
        sa.UniqueConstraint("building_id", "number"),
        sa.Index("ix_apartment_units_community_status", "community_id", "status"),
        sa.CheckConstraint(_in("layout", LAYOUTS), name="known_layout"),
        sa.CheckConstraint(_in("orientation", ORIENTATIONS), name="known_orientation"),
        sa.CheckConstraint(_in("status", UNIT_STATUSES), name="known_status"),
        sa.CheckConstraint("area_centi_m2 > 0", name="area_positive"),
        sa.CheckConstraint("deposit_fen >= 0", name="deposit_not_negative"),
    )

    @property
    def area_text(self) -> str:
        whole, cents = divmod(self.area_centi_m2, 100)
        return f"{whole}.{cents:02d}" if cents else str(whole)


class Household(TimestampMixin, db.Model):
    """Who lives with a resident and where they work: both feed eligibility (household size per
    layout, employer in the district) and scoring. ``waiting_since``: the day the resident first
    applied without being housed since (months on the waitlist); an accepted offer clears it."""

    __tablename__ = "apartment_households"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    employer: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    employer_district: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")
    industry: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")
    waiting_since: Mapped[date | None] = mapped_column(sa.Date)

    user = relationship("User")
    members: Mapped[list["HouseholdMember"]] = relationship(
        back_populates="household", cascade="all, delete-orphan", order_by="HouseholdMember.id")

    @property
    def size(self) -> int:
        """The resident plus everyone living with them."""
        return 1 + len(self.members)


class HouseholdMember(db.Model):
    __tablename__ = "apartment_household_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(sa.ForeignKey("apartment_households.id", ondelete="CASCADE"),
                                              index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    relation: Mapped[str] = mapped_column(sa.String(16))
    birth_year: Mapped[int | None]

    household: Mapped[Household] = relationship(back_populates="members")

    __table_args__ = (
        sa.CheckConstraint(_in("relation", RELATIONS), name="known_relation"),
        sa.CheckConstraint("birth_year IS NULL OR birth_year BETWEEN 1900 AND 2200", name="birth_year_range"),
    )


class Round(TimestampMixin, db.Model):
    """A rental round (招租公告): what is offered, who may apply, how applicants are scored, and
    the lottery seed for ties (its SHA-256 published at publication, the seed revealed at
    allocation). Everything but the result is frozen once published."""

    __tablename__ = "apartment_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(160))
    announcement: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    status: Mapped[str] = mapped_column(sa.String(16), default=DRAFT, server_default=DRAFT)
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    # Eligibility. Empty talent_types: every type.
    talent_types: Mapped[list] = mapped_column(sa.JSON, default=list)
    min_tier: Mapped[str | None] = mapped_column(sa.String(16))
    # The employer-in-district rule is a setting of the round (docs/apartments.md says why).
    district: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")
    require_no_lease: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    recent_allocation_months: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    # layout code -> [min, max] household size (people, the resident included).
    household_sizes: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # Scoring, integer points.
    tier_points: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    points_per_waiting_month: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    points_per_member: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    priority_industry_points: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    priority_industries: Mapped[list] = mapped_column(sa.JSON, default=list)
    offer_days: Mapped[int] = mapped_column(default=7, server_default=sa.text("7"))
    # The lottery: seed_hash is public from publication; the seed is shown from allocation on.
    seed_hash: Mapped[str | None] = mapped_column(sa.String(64))
    seed: Mapped[str | None] = mapped_column(sa.String(64))
    published_at: Mapped[datetime | None]
    # Goes up when an offered unit's layout changes, the one input of the eligibility rules that can
    # change after publication: with the id and seed_hash it keys the per-process cache of a frozen
    # round's parsed rules (operations.rounds.cached_rules; drafts are never cached).
    rules_version: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    allocated_at: Mapped[datetime | None]
    allocated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    community = relationship("Community")
    offerings: Mapped[list["RoundUnit"]] = relationship(back_populates="round", cascade="all, delete-orphan")

    __table_args__ = (
        sa.CheckConstraint(_in("status", ROUND_STATUSES), name="known_status"),
        sa.CheckConstraint("closes_at > opens_at", name="closes_after_open"),
        sa.CheckConstraint("offer_days BETWEEN 1 AND 60", name="offer_days_range"),
        sa.CheckConstraint("recent_allocation_months >= 0", name="months_not_negative"),
        sa.CheckConstraint("status = 'draft' OR seed_hash IS NOT NULL", name="published_has_seed"),
    )

    @property
    def is_draft(self) -> bool:
        return self.status == DRAFT

    # The application window, in one place: applying, the pages, the API and allocation ask here.
    def accepting_applications(self, at: datetime) -> bool:
        """Published and ``at`` inside [opens_at, closes_at): applications may be made or changed."""
        return self.status == PUBLISHED and self.opens_at <= at < self.closes_at

    def applications_closed(self, at: datetime) -> bool:
        """The window is over at ``at``: from then on the round can be dry-run and allocated."""
        return at >= self.closes_at


class RoundUnit(db.Model):
    """A unit offered in a round. Offering "N units of a layout" picks N available units when the
    round is drafted, so the allocation always walks concrete units."""

    __tablename__ = "apartment_round_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("apartment_rounds.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("apartment_units.id", ondelete="CASCADE"), index=True)

    round: Mapped[Round] = relationship(back_populates="offerings")
    unit: Mapped[Unit] = relationship(lazy="joined")

    __table_args__ = (sa.UniqueConstraint("round_id", "unit_id"),)


class Application(TimestampMixin, db.Model):
    """A resident's application to a round, with ranked preferences (``[{"layout": "2b1l"},
    {"building_id": 3}]``). The allocation fills rank, score, its breakdown, the lottery number and
    the outcome."""

    __tablename__ = "apartment_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("apartment_rounds.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    preferences: Mapped[list] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(16), default=SUBMITTED, server_default=SUBMITTED)
    withdrawn_at: Mapped[datetime | None]
    rank: Mapped[int | None]
    score: Mapped[int | None]
    score_breakdown: Mapped[dict | None] = mapped_column(sa.JSON)
    lottery_number: Mapped[str | None] = mapped_column(sa.String(16))
    outcome: Mapped[str | None] = mapped_column(sa.String(16))
    outcome_reasons: Mapped[list | None] = mapped_column(sa.JSON)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("apartment_units.id", ondelete="SET NULL"))
    # When the applicant was told the result; the offers job sends results in batches after an
    # allocation (see Offer.notified_at).
    notified_at: Mapped[datetime | None]

    round: Mapped[Round] = relationship()
    user = relationship("User")
    unit: Mapped[Unit | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("round_id", "user_id"),
        sa.Index("ix_apartment_applications_round_rank", "round_id", "rank"),
        sa.CheckConstraint(_in("status", APPLICATION_STATUSES), name="known_status"),
        sa.CheckConstraint("outcome IS NULL OR " + _in("outcome", OUTCOMES), name="known_outcome"),
    )


def _open_only(name, column):
    return sa.Index(name, column, unique=True, postgresql_where=sa.text("status = 'open'"),
                    sqlite_where=sa.text("status = 'open'"))


class Offer(TimestampMixin, db.Model):
    """A unit offered to an applicant until ``expires_at``. At most one open offer per unit and
    per resident, whatever the rounds: the two partial unique indexes say so."""

    __tablename__ = "apartment_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("apartment_rounds.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("apartment_applications.id", ondelete="CASCADE"),
                                                index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("apartment_units.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default=OPEN, server_default=OPEN)
    expires_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    # When the resident was sent the offer (in-app and e-mail). An allocation leaves it empty and
    # the offers job sends them in batches, so a 2,000-unit commit does not queue 2,000 e-mails.
    notified_at: Mapped[datetime | None]
    # Filled when a declined or expired offer passed its unit on: the offer that followed.
    passed_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("apartment_offers.id", ondelete="SET NULL"))

    round: Mapped[Round] = relationship()
    application: Mapped[Application] = relationship()
    unit: Mapped[Unit] = relationship()
    user = relationship("User")

    __table_args__ = (
        _open_only("uq_apartment_offers_open_unit", "unit_id"),
        _open_only("uq_apartment_offers_open_user", "user_id"),
        sa.Index("ix_apartment_offers_status_expires", "status", "expires_at"),
        sa.CheckConstraint(_in("status", OFFER_STATUSES), name="known_status"),
    )


class LeaseDraft(TimestampMixin, money_columns("rent"), db.Model):
    """What an accepted offer hands to the leases domain: unit, resident, dates, rent, deposit.
    The leases domain makes the lease from it (create_from_draft) and from then on the lease is the
    record: its dates, not the draft's, say whether the resident holds a home (holds_lease_on)."""

    __tablename__ = "apartment_lease_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("apartment_offers.id", ondelete="CASCADE"), unique=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("apartment_units.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    deposit_fen: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    accepted_at: Mapped[datetime] = mapped_column(default=now)

    unit: Mapped[Unit] = relationship()
    user = relationship("User")

    @property
    def last_day(self) -> date:
        """The lease's last day: ``ends_on`` is the anniversary, the first day after the term."""
        return self.ends_on - timedelta(days=1)

    __table_args__ = (
        sa.CheckConstraint("ends_on > starts_on", name="ends_after_start"),
        sa.CheckConstraint("deposit_fen >= 0", name="deposit_not_negative"),
    )
