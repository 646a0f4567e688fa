import hashlib
from datetime import date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from community.core.clock import DEFAULT_TZ, local_today, now
from community.core.db import TimestampMixin
from community.extensions import db

TALENT_TYPES = ("production", "business", "skill_service", "skill_leading", "social_service",
                "academic", "high_level")
TALENT_TIERS = ("junior", "intermediate", "senior")


class Community(TimestampMixin, db.Model):
    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    address: Mapped[str] = mapped_column(sa.String(255), default="")
    timezone: Mapped[str] = mapped_column(sa.String(64), default=DEFAULT_TZ)
    default_locale: Mapped[str] = mapped_column(sa.String(10), default="zh_CN")

    buildings: Mapped[list["Building"]] = relationship(
        back_populates="community", order_by="Building.name", cascade="all, delete-orphan"
    )


class Building(db.Model):
    __tablename__ = "buildings"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(120))
    floors: Mapped[int] = mapped_column(default=1)

    community: Mapped[Community] = relationship(back_populates="buildings")

    __table_args__ = (
        sa.UniqueConstraint("community_id", "name"),
        sa.CheckConstraint("floors >= 1", name="floors_positive"),
    )


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    mobile: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    display_name: Mapped[str] = mapped_column(sa.String(80))
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    community_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("communities.id", ondelete="SET NULL"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]
    # Part of every session id: "log out everywhere" adds one, and every cookie made before says
    # the old number. (A plain logout ends one LoginSession instead; docs/security.md says why.)
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    community: Mapped[Community | None] = relationship()
    role_grants: Mapped[list["RoleGrant"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin",
        foreign_keys="RoleGrant.user_id",
    )
    talent: Mapped["TalentProfile | None"] = relationship(
        back_populates="user", uselist=False, cascade="all, delete-orphan",
        foreign_keys="TalentProfile.user_id",
    )

    __table_args__ = (
        sa.CheckConstraint("email IS NOT NULL OR mobile IS NOT NULL", name="has_login"),
    )

    @property
    def is_active(self):
        return self.active

    def password_fingerprint(self) -> str:
        """Part of the password hash: it changes whenever the password does."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    # The login session this object was loaded for or logged in with (not a column): set by
    # accounts.operations.start_session and by the session loader in accounts/auth.py.
    login_session_key = None

    def get_id(self):
        """What the session and the remember-me cookie hold: the user, the password's fingerprint
        (changing or resetting the password logs out every other browser), the session
        generation (log out everywhere) and the login session's key (log out here)."""
        return f"{self.id}.{self.password_fingerprint()}.{self.session_generation}.{self.login_session_key or ''}"

    @property
    def login_name(self):
        return self.email or self.mobile

    @property
    def timezone(self):
        return self.community.timezone if self.community else DEFAULT_TZ

    def roles(self) -> set[str]:
        return {grant.role for grant in self.role_grants}

    def talent_has_expired(self) -> bool:
        """The tier lapsed, counting days by the calendar of the user's community."""
        return self.talent is not None and self.talent.has_expired(local_today(self.timezone))


def _unique_in_scope(scope, *columns, where):
    return sa.Index(f"uq_role_grants_{scope}_scope", "user_id", "role", *columns, unique=True,
                    postgresql_where=sa.text(where), sqlite_where=sa.text(where))


class RoleGrant(db.Model):
    """A role a user holds, in one scope: a community, a merchant (merchant_staff), or everywhere
    (platform_admin). docs/architecture.md, "Roles and permissions", says why two columns."""

    __tablename__ = "role_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(32))
    community_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    # The merchant a merchant_staff grant works for (the perks domain's merchants table).
    merchant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    granted_at: Mapped[datetime] = mapped_column(default=now)
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(back_populates="role_grants", foreign_keys=[user_id])
    community: Mapped[Community | None] = relationship(lazy="joined")

    __table_args__ = (
        sa.CheckConstraint(
            "role IN ('resident', 'merchant_staff', 'specialist', 'community_admin', 'platform_admin',"
            " 'talent_reviewer')",
            name="known_role",
        ),
        # platform_admin and talent_reviewer apply everywhere; merchant_staff is held at one merchant (or, for grants
        # made before merchants exist, in one community: never both); every other role is held in
        # one community, and only merchant_staff names a merchant.
        sa.CheckConstraint(
            "(role IN ('platform_admin', 'talent_reviewer') AND community_id IS NULL AND merchant_id IS NULL)"
            " OR (role = 'merchant_staff' AND (community_id IS NULL) <> (merchant_id IS NULL))"
            " OR (role NOT IN ('platform_admin', 'talent_reviewer', 'merchant_staff')"
            " AND community_id IS NOT NULL AND merchant_id IS NULL)",
            name="scope_matches_role",
        ),
        # One grant of a role per user and scope. Partial indexes, because a plain UNIQUE over
        # nullable columns lets NULLs repeat: platform_admin could be granted twice.
        _unique_in_scope("community", "community_id", where="community_id IS NOT NULL"),
        _unique_in_scope("merchant", "merchant_id", where="merchant_id IS NOT NULL"),
        _unique_in_scope("platform", where="community_id IS NULL AND merchant_id IS NULL"),
    )


class TalentProfile(TimestampMixin, db.Model):
    """A resident's talent type and tier, set by an operator after review; drives eligibility."""

    __tablename__ = "talent_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    talent_type: Mapped[str | None] = mapped_column(sa.String(32))
    tier: Mapped[str | None] = mapped_column(sa.String(16))
    valid_until: Mapped[date | None] = mapped_column(sa.Date)
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    employer: Mapped[str] = mapped_column(sa.String(120), default="")

    user: Mapped[User] = relationship(back_populates="talent", foreign_keys=[user_id])

    __table_args__ = (
        sa.CheckConstraint("tier IS NULL OR tier IN ('junior', 'intermediate', 'senior')", name="known_tier"),
    )

    def is_current(self, today: date) -> bool:
        return self.tier is not None and (self.valid_until is None or self.valid_until >= today)

    def has_expired(self, today: date) -> bool:
        """A tier was set but its valid-until day is over (in the community's time zone)."""
        return self.tier is not None and self.valid_until is not None and self.valid_until < today


class ApiToken(db.Model):
    """A personal access token; only its SHA-256 is stored, so a database leak reveals no token."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80), default="")
    created_at: Mapped[datetime] = mapped_column(default=now)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")

    def is_valid(self, at: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > at


class LoginSession(db.Model):
    """One login: a browser or device, from the login form to logout. The session and remember-me
    cookies carry its key, so deleting the row ends both; only the key's SHA-256 is stored."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class LoginThrottle(db.Model):
    """Failed logins of one (login, network) pair or of one network; accounts/throttle.py says how
    they delay the next attempt. ``key`` is a digest, so no login or address is stored."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(index=True)

    __table_args__ = (sa.CheckConstraint("failures >= 0", name="failures_not_negative"),)


def request_user_loads():
    """Loader options for the user a request acts as (session or bearer token): role grants (every
    permission check reads them), the talent profile (tier-restricted resources) and the community
    (time zone) come in the same query as the user, instead of one query each on first use."""
    # A grant's own community (lazy="joined" elsewhere) is not joined here: it was a second join of
    # communities on every request, read only where a page names a grant's scope, and a grant in
    # the user's own community then comes from the identity map without a query.
    return (joinedload(User.role_grants).lazyload(RoleGrant.community), joinedload(User.talent),
            joinedload(User.community))
