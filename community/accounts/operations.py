"""Every write about accounts, roles and communities. Flushes, never commits."""
import re
import secrets
from datetime import date, timedelta
from functools import lru_cache
from zoneinfo import available_timezones

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.security import check_password_hash, generate_password_hash

from community.accounts import throttle
from community.accounts.models import (
    TALENT_TIERS, TALENT_TYPES, ApiToken, Building, Community, LoginSession, RoleGrant, TalentProfile,
    User, request_user_loads,
)
from community.core import audit, signals, tokens
from community.core.clock import now, to_local
from community.core.db import is_unique_violation, savepoint
from community.core.errors import Conflict, DomainError, NotFound, PermissionDenied, RuleViolation
from community.core.permissions import (
    COMMUNITY_ADMIN, MERCHANT_STAFF, PLATFORM_ADMIN, PLATFORM_ROLES, RESIDENT, ROLES, TALENT_REVIEWER, has_role,
)
from community.extensions import db

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
MIN_PASSWORD_LENGTH = 8


class InvalidCredentials(DomainError):
    status = 401
    code = "invalid_credentials"
    keeps_changes = True  # the failure counted by the throttle must survive the failed request


class WeakPassword(RuleViolation):
    code = "weak_password"


class InvalidToken(DomainError):
    status = 400
    code = "invalid_token"


# -- passwords -------------------------------------------------------------------------------

def password_problems(password: str, login: str = "") -> list:
    """The strength rule, as messages a person can act on (empty when the password is fine)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    if not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        problems.append(_l("Use both letters and digits."))
    if login and password.lower() == login.lower():
        problems.append(_l("The password must not be your e-mail or mobile number."))
    return problems


def hash_password(password: str) -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(password, method=method)


def set_password(user: User, password: str) -> None:
    problems = password_problems(password, user.login_name or "")
    if problems:
        raise WeakPassword(" ".join(str(p) for p in problems))
    user.password_hash = hash_password(password)
    user.password_changed_at = now()


# -- registration and login ------------------------------------------------------------------

def normalize_login(login: str) -> tuple[str | None, str | None]:
    """Split what a person typed into (email, mobile); exactly one is set."""
    login = (login or "").strip()
    digits = login.replace(" ", "").removeprefix("+86")
    if MOBILE_RE.match(digits):
        return None, digits
    if EMAIL_RE.match(login):
        return login.lower(), None
    raise RuleViolation(_l("Enter an e-mail address or an 11-digit mainland mobile number."),
                        code="invalid_login")


def login_key(login) -> str:
    """One spelling per account for the per-account rate limit, whichever way it was typed."""
    try:
        email, mobile = normalize_login(login if isinstance(login, str) else "")
    except RuleViolation:
        return str(login or "").strip().lower()[:255]
    return email or mobile


def find_user_by_login(login: str) -> User | None:
    try:
        email, mobile = normalize_login(login)
    except RuleViolation:
        return None
    column, value = (User.email, email) if email else (User.mobile, mobile)
    return db.session.scalar(sa.select(User).where(column == value))


def register_user(*, login: str, password: str, display_name: str, community: Community | None = None,
                  locale: str | None = None, actor=None) -> User:
    """Open an account. The community chosen is the one the person applies to live in; they become
    its resident (and may book its amenities) once its office verifies them (verify_resident)."""
    email, mobile = normalize_login(login)
    if find_user_by_login(login) is not None:
        raise _login_taken()
    user = User(email=email, mobile=mobile, display_name=display_name.strip() or (email or mobile),
                locale=locale, community=community, password_hash="")
    set_password(user, password)
    user.talent = TalentProfile()
    # The check above cannot see a registration that commits after it: the unique constraint
    # decides, and its refusal is the same Conflict, not a 500.
    _insert_unique(user, _login_taken)
    audit.record(actor or user, "user.registered", user, community_id=user.community_id)
    signals.user_registered.send(user)
    return user


def _login_taken() -> Conflict:
    return Conflict(_l("An account with this e-mail or mobile number already exists."), code="login_taken")


def _insert_unique(obj, conflict) -> None:
    """Add and flush ``obj`` in a SAVEPOINT; a unique-key refusal raises ``conflict()`` and leaves
    the rest of the unit of work as it was."""
    try:
        with savepoint(db.session):
            db.session.add(obj)
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        raise conflict() from error


WRONG_CREDENTIALS = _l("The e-mail/mobile number or password is wrong.")


def authenticate(login: str, password: str, *, client_ip: str | None) -> User:
    """Check a password, throttled per (login, network) and per network (accounts/throttle.py).

    An unknown login answers exactly like a wrong password: the same error, counted the same way,
    and about the same time (a password hash is checked either way)."""
    at = now()
    attempt = throttle.begin_attempt(login_key(login), client_ip, at)  # LoginThrottled (429) while waiting
    user = find_user_by_login(login)
    stored_hash = user.password_hash if user is not None else _timing_hash(
        current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))
    if not check_password_hash(stored_hash, password) or user is None:
        throttle.note_failure(attempt, at)
        raise InvalidCredentials(WRONG_CREDENTIALS)
    if not user.active:
        raise InvalidCredentials(_l("This account has been deactivated. Please contact your community office."))
    throttle.note_success(attempt)
    user.last_login_at = at
    db.session.flush()
    return user


@lru_cache(maxsize=4)
def _timing_hash(method: str) -> str:
    """A hash to check unknown logins against, made once: checking it costs what a real check does."""
    return generate_password_hash("timing-equaliser-1", method=method)


# -- login sessions --------------------------------------------------------------------------
# docs/security.md, "Accounts and sessions": one row a login, so logging out on one device ends
# that device's cookies only; the user's session generation ends all of them at once.

def start_session(user: User) -> str:
    """Open a login session for ``user`` and return its key; ``user.get_id()`` now names it, so
    the cookies Flask-Login writes next belong to this session."""
    key = tokens.generate()
    at = now()
    db.session.add(LoginSession(user_id=user.id, key_hash=token_digest(key), created_at=at,
                                expires_at=at + current_app.config["LOGIN_SESSION_LIFETIME"]))
    db.session.flush()
    user.login_session_key = key
    return key


def end_session(user: User, key: str | None) -> None:
    """Log out one session: its session cookie and remember-me cookie stop working everywhere."""
    if key:
        db.session.execute(sa.delete(LoginSession).where(LoginSession.user_id == user.id,
                                                         LoginSession.key_hash == token_digest(key)))


def end_other_sessions(user: User, keep: str | None = None) -> int:
    """Forget every login session of the user but ``keep`` (the cookies of the others no longer
    work once the password changed; this clears their rows)."""
    stmt = sa.delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep:
        stmt = stmt.where(LoginSession.key_hash != token_digest(keep))
    return db.session.execute(stmt).rowcount


def log_out_everywhere(user: User) -> None:
    """End every login of the user, this one included, and revoke their API tokens: the button
    is for a lost phone or a shared computer, and a token left on it is a login too."""
    user.session_generation += 1
    sessions = end_other_sessions(user)
    tokens = _revoke_all_tokens(user)
    db.session.flush()
    audit.record(user, "user.logged_out_everywhere", user, community_id=user.community_id,
                 sessions_ended=sessions, tokens_revoked=tokens)


def _revoke_all_tokens(user: User) -> int:
    return db.session.execute(
        sa.update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now()).execution_options(synchronize_session="fetch")
    ).rowcount


def forget_expired_sessions(at) -> int:
    return db.session.execute(sa.delete(LoginSession).where(LoginSession.expires_at <= at)).rowcount


@lru_cache(maxsize=1)
def _session_user_stmt():
    """The user of an open login session, loaded for the request; built once, as for tokens. The
    session check is an EXISTS in the query that loads the user anyway: no extra round trip."""
    live = sa.exists().where(LoginSession.user_id == User.id, LoginSession.key_hash == sa.bindparam("digest"),
                             LoginSession.expires_at > sa.bindparam("at"))
    return (sa.select(User).where(User.id == sa.bindparam("user_id"),
                                  User.session_generation == sa.bindparam("generation"), live)
            .options(*request_user_loads()))


def user_for_session(user_id, generation, key) -> User | None:
    """The active user a session id names, if its login session is still open and its generation
    current; None otherwise (logged out, logged out everywhere, expired, or forged)."""
    user = db.session.scalars(_session_user_stmt(), {
        "user_id": user_id, "generation": generation, "digest": token_digest(key), "at": now()}).unique().first()
    if user is None or not user.active:
        return None
    user.login_session_key = key
    return user


# -- password reset --------------------------------------------------------------------------

class _ClockSigner(TimestampSigner):
    """Signs with core.clock's time, so the link's age follows the one clock (and tests can move it)."""

    def get_timestamp(self) -> int:
        return int(now().timestamp())


def _reset_serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset",
                                  signer=_ClockSigner)


def make_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"uid": user.id, "fp": user.password_fingerprint()})


def request_password_reset(login: str, reset_url_for) -> None:
    """Queue a reset e-mail when the account exists; say nothing either way (no enumeration)."""
    from community.notifications.operations import queue_email

    user = find_user_by_login(login)
    if user is None or not user.email:
        return
    link = reset_url_for(make_reset_token(user))
    queue_email(
        user.email,
        str(_l("Reset your Talent Community password")),
        str(_l("Open this link within 2 hours to choose a new password:\n%(link)s\n\n"
               "If you did not ask for this, ignore this e-mail.", link=link)),
        kind="password_reset",
    )
    audit.record(user, "user.password_reset_requested", user)


def user_for_reset_token(token: str) -> User:
    """The account a reset link is for; InvalidToken when it expired, was forged or was used."""
    max_age = int(current_app.config["PASSWORD_RESET_MAX_AGE"].total_seconds())
    try:
        data = _reset_serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise InvalidToken(_l("This reset link has expired. Please ask for a new one."))
    except BadSignature:
        raise InvalidToken(_l("This reset link is not valid. Please ask for a new one."))
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or data.get("fp") != user.password_fingerprint():
        raise InvalidToken(_l("This reset link has already been used. Please ask for a new one."))
    return user


def reset_password(token: str, new_password: str) -> User:
    """A reset may follow a stolen password: every other session ends with the old password's
    fingerprint, and every API token is revoked."""
    user = user_for_reset_token(token)
    set_password(user, new_password)
    revoked = _revoke_all_tokens(user)
    end_other_sessions(user)
    db.session.flush()
    audit.record(user, "user.password_reset", user, tokens_revoked=revoked)
    return user


def change_password(user: User, current_password: str, new_password: str, *,
                    keep_session: str | None = None) -> None:
    """Other browsers are logged out (the password's fingerprint is in their session ids); the
    session ``keep_session`` carries on."""
    if not check_password_hash(user.password_hash, current_password):
        raise RuleViolation(_l("Your current password is not correct."), code="wrong_password")
    set_password(user, new_password)
    end_other_sessions(user, keep=keep_session)
    db.session.flush()
    audit.record(user, "user.password_changed", user)


def update_profile(user: User, *, display_name: str, locale: str | None) -> None:
    user.display_name = display_name.strip() or user.display_name
    if locale:
        user.locale = locale
    db.session.flush()
    audit.record(user, "user.profile_updated", user, display_name=user.display_name, locale=user.locale)


# -- API tokens ------------------------------------------------------------------------------

token_digest = tokens.digest  # what api_tokens.token_hash holds: sha256 hex


TOKEN_NAME_MAX = 80


def issue_api_token(user: User, name: str = "api") -> tuple[ApiToken, str]:
    """Create a token and return it once in clear; only its digest is stored."""
    name = (name or "").strip() or "api"
    if len(name) > TOKEN_NAME_MAX:
        raise RuleViolation(_l("A token name has at most %(n)d characters.", n=TOKEN_NAME_MAX),
                            code="token_name_too_long")
    token = "tc_" + tokens.generate(32)
    record = ApiToken(user=user, token_hash=token_digest(token), name=name,
                      expires_at=now() + current_app.config["API_TOKEN_LIFETIME"])
    db.session.add(record)
    db.session.flush()
    audit.record(user, "api_token.issued", record, community_id=user.community_id)
    return record, token


# How stale last_used_at may be: a token that calls the API every second writes once per window,
# not once per request.
TOKEN_USE_RESOLUTION = timedelta(minutes=5)


@lru_cache(maxsize=1)
def _token_with_user_stmt():
    """The token by its digest, with its user loaded for the request (request_user_loads). Built
    once: constructing it and its loader options was a measurable part of every API call."""
    return (sa.select(ApiToken).where(ApiToken.token_hash == sa.bindparam("digest"))
            .options(joinedload(ApiToken.user).options(*request_user_loads())))


def user_for_token(token: str) -> tuple[User, ApiToken] | None:
    record = db.session.scalars(_token_with_user_stmt(), {"digest": token_digest(token)}).unique().first()
    at = now()
    if record is None or not record.is_valid(at) or not record.user.active:
        return None
    _note_token_use(record, at)
    return record.user, record


def _note_token_use(record: ApiToken, at) -> None:
    """Set last_used_at, at most once per TOKEN_USE_RESOLUTION. Commits with the request.

    The value loaded with the token skips the write on the hot path; the conditional UPDATE makes
    two requests (or nodes) that both saw a stale value write once: the second one's WHERE no
    longer matches once the first has committed."""
    cutoff = at - TOKEN_USE_RESOLUTION
    if record.last_used_at is not None and record.last_used_at >= cutoff:
        return
    # A Core UPDATE on the table: the ORM's bulk-update path (which this row, already loaded and
    # set below, does not need) was a third of the write's CPU on a token's first call.
    tokens_table = ApiToken.__table__
    result = db.session.execute(
        tokens_table.update()
        .where(tokens_table.c.id == record.id,
               sa.or_(tokens_table.c.last_used_at.is_(None), tokens_table.c.last_used_at < cutoff))
        .values(last_used_at=at)
    )
    if result.rowcount:
        set_committed_value(record, "last_used_at", at)


def revoke_api_token(record: ApiToken, actor: User) -> None:
    if record.revoked_at is None:
        record.revoked_at = now()
        db.session.flush()
        audit.record(actor, "api_token.revoked", record, community_id=record.user.community_id)


# -- communities and roles -------------------------------------------------------------------

def create_community(*, name: str, address: str = "", timezone: str = "Asia/Shanghai",
                     actor=None) -> Community:
    timezone = (timezone or "").strip()
    if timezone not in _time_zones():
        raise RuleViolation(_l("Unknown time zone: %(tz)s", tz=timezone), code="unknown_timezone")
    if db.session.scalar(sa.select(Community.id).where(Community.name == name.strip())):
        raise _community_exists()
    community = Community(name=name.strip(), address=address.strip(), timezone=timezone)
    _insert_unique(community, _community_exists)
    audit.record(actor, "community.created", community, community_id=community.id)
    return community


def _community_exists() -> Conflict:
    return Conflict(_l("A community with this name already exists."), code="community_exists")


@lru_cache(maxsize=1)
def _time_zones() -> frozenset:
    # The IANA names themselves: ZoneInfo() also opens folders ("Asia") and odd paths, and fails
    # on them with errors that are not "unknown zone".
    return frozenset(available_timezones())


def add_building(community: Community, *, name: str, floors: int = 1, actor=None) -> Building:
    if any(b.name == name.strip() for b in community.buildings):
        raise Conflict(_l("This community already has a building with that name."), code="building_exists")
    if floors < 1:
        raise RuleViolation(_l("A building has at least one floor."), code="invalid_floors")
    building = Building(name=name.strip(), floors=floors)
    community.buildings.append(building)
    db.session.flush()
    audit.record(actor, "building.created", building, community_id=community.id, name=building.name)
    return building


def may_manage_role(actor, role: str, community_id: int | None) -> bool:
    """Community admins grant and remove the everyday roles of their own community; only platform
    admins make admins, touch other communities or grant at a merchant (until the perks domain says
    who runs a merchant's staff). ``actor=None`` is the system (demo data)."""
    if actor is None or has_role(actor, PLATFORM_ADMIN):
        return True
    if role in (PLATFORM_ADMIN, COMMUNITY_ADMIN, TALENT_REVIEWER) or community_id is None:
        return False
    return has_role(actor, COMMUNITY_ADMIN, community_id)


def ensure_may_manage_role(actor, role: str, community_id: int | None) -> None:
    """PermissionDenied unless ``actor`` may grant or remove ``role`` in that community."""
    if not may_manage_role(actor, role, community_id):
        raise PermissionDenied(_l("You may not grant or remove this role there."), code="role_not_yours")


class NotAMember(NotFound):
    """The person is not a member of the community a role would be held in. Answered like an
    unknown person: an admin learns nothing about accounts outside their community."""

    code = "not_a_member"


def is_member(user: User, community_id: int) -> bool:
    """A member of a community lives there (or registered for it), or already holds a grant there."""
    return user.community_id == community_id or any(g.community_id == community_id for g in user.role_grants)


def may_grant_to(actor, user: User, community_id: int | None) -> bool:
    """Community admins grant roles only to members of their community: a grant makes the person's
    e-mail and grants visible to that community's office, and nobody may be pulled into a community
    they do not belong to. Platform admins (and the system, ``actor=None``) grant anywhere."""
    if actor is None or has_role(actor, PLATFORM_ADMIN):
        return True
    return community_id is not None and is_member(user, community_id)


def find_grantee(actor, login: str, community_id: int | None) -> User | None:
    """The account ``actor`` may grant a role to in that community, by login; None both for an
    unknown login and for someone outside the actor's reach, so the two cannot be told apart."""
    user = find_user_by_login(login)
    if user is None or not may_grant_to(actor, user, community_id):
        return None
    return user


def _check_scope(role: str, community_id: int | None, merchant_id: int | None) -> None:
    """The scope a role is held in, as the table's CHECK has it (said here in words a person reads)."""
    if role == MERCHANT_STAFF:
        # At one merchant; until merchants exist, a community stands in for it (never both).
        if (community_id is None) == (merchant_id is None):
            raise RuleViolation(_l("Merchant staff works for one merchant: name the merchant, or for now "
                                   "the community, but not both."), code="role_scope")
    elif merchant_id is not None:
        raise RuleViolation(_l("Only merchant staff is granted at a merchant."), code="role_scope")
    elif (role in PLATFORM_ROLES) != (community_id is None):
        raise RuleViolation(_l("Platform admin and talent reviewer apply everywhere; every other role needs a community."),
                            code="role_scope")


def _role_exists() -> Conflict:
    return Conflict(_l("The user already holds this role there."), code="role_exists")


def grant_role(user: User, role: str, community: Community | None = None, *, merchant_id: int | None = None,
               actor=None) -> RoleGrant:
    """Grant ``role`` in ``community``, or at ``merchant_id`` (merchant_staff), or everywhere
    (platform_admin)."""
    if role not in ROLES:
        raise RuleViolation(_l("Unknown role."), code="unknown_role")
    community_id = community.id if community else None
    ensure_may_manage_role(actor, role, community_id)
    if not may_grant_to(actor, user, community_id):
        raise NotAMember(_l("This person is not a member of this community."))
    _check_scope(role, community_id, merchant_id)
    if any(g.role == role and g.community_id == community_id and g.merchant_id == merchant_id
           for g in user.role_grants):
        raise _role_exists()
    if role == RESIDENT and user.community_id not in (None, community_id):
        # A resident belongs to one community; moving house is revoke, then grant.
        raise Conflict(_l("This person is already a resident of another community."),
                       code="resident_elsewhere")
    grant = RoleGrant(user_id=user.id, role=role, community=community, merchant_id=merchant_id,
                      granted_by_id=getattr(actor, "id", None))
    # The check above cannot see a grant that commits after it: the unique indexes decide.
    _insert_unique(grant, _role_exists)
    db.session.expire(user, ["role_grants"])
    if role == RESIDENT and user.community_id is None:
        user.community = community
        db.session.flush()
    audit.record(actor, "role.granted", user, community_id=community_id, role=role,
                 **_merchant_detail(merchant_id))
    signals.role_granted.send(grant)
    return grant


def _merchant_detail(merchant_id) -> dict:
    """The audit detail for a merchant scope; absent for the other scopes, as before merchants."""
    return {"merchant_id": merchant_id} if merchant_id is not None else {}


def awaits_verification(user: User) -> bool:
    """Registered for a community whose office has not yet made them its resident."""
    return user.community_id is not None and not any(
        g.role == RESIDENT and g.community_id == user.community_id for g in user.role_grants)


def verify_resident(user: User, *, actor) -> RoleGrant:
    """The community office confirms a registered person as its resident."""
    if not awaits_verification(user):
        raise Conflict(_l("This person is not waiting to be verified."), code="not_awaiting_verification")
    return grant_role(user, RESIDENT, user.community, actor=actor)


def revoke_role(grant: RoleGrant, *, actor=None) -> None:
    ensure_may_manage_role(actor, grant.role, grant.community_id)
    user = grant.user
    if actor is not None and grant.user_id == actor.id and grant.role == PLATFORM_ADMIN:
        raise RuleViolation(_l("You cannot remove your own platform admin role."), code="self_demotion")
    user.role_grants.remove(grant)
    if grant.role == RESIDENT and user.community_id == grant.community_id:
        user.community = None
    db.session.flush()
    audit.record(actor, "role.revoked", user, community_id=grant.community_id, role=grant.role,
                 **_merchant_detail(grant.merchant_id))
    signals.role_revoked.send(grant)


def may_set_talent(actor, user: User) -> bool:
    """A tier applies wherever the resident goes, so only the office of the resident's own
    community (or a platform admin) sets it; holding a staff role elsewhere is not enough."""
    if user.community_id is not None and has_role(actor, COMMUNITY_ADMIN, user.community_id):
        return True
    return has_role(actor, PLATFORM_ADMIN)


def set_talent(user: User, *, talent_type: str | None, tier: str | None, valid_until: date | None,
               actor=None, by_registry: bool = False) -> TalentProfile:
    """Set a talent type and tier; ``actor=None`` is the system itself (demo data, imports).

    The talent domain's registry (community/talent) is what decides a tier: its operations call
    this with ``by_registry=True`` after checking the type against the configured talent types
    (which may hold more than TALENT_TYPES) and writing their own audit entry (entered, renewed,
    revoked, corrected), so the profile stays the one place every domain reads the tier from."""
    if actor is not None and not may_set_talent(actor, user):
        raise PermissionDenied(_l("Only the office of this person's own community can set their talent tier."),
                               code="not_their_community")
    if talent_type and talent_type not in TALENT_TYPES and not by_registry:
        raise RuleViolation(_l("Unknown talent type."), code="unknown_talent_type")
    if tier and tier not in TALENT_TIERS:
        raise RuleViolation(_l("Unknown talent tier."), code="unknown_tier")
    profile = user.talent or TalentProfile(user=user)
    profile.talent_type, profile.tier, profile.valid_until = talent_type, tier, valid_until
    profile.verified_at = now()
    profile.verified_by_id = getattr(actor, "id", None)
    db.session.add(profile)
    db.session.flush()
    if not by_registry:
        audit.record(actor, "talent.updated", user, community_id=user.community_id,
                     talent_type=talent_type, tier=tier, valid_until=valid_until)
    signals.talent_tier_changed.send(profile)
    return profile


def get_or_404(model, ident):
    obj = db.session.get(model, ident)
    if obj is None:
        raise NotFound(_l("Not found."))
    return obj

