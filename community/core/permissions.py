"""Roles and ownership: the one place that answers "may this user do this here?".

A user holds role grants, each in one scope: community_admin, specialist and resident grants name a
community; merchant_staff names a merchant (grants made before merchants exist name a community
instead); platform_admin applies everywhere. Views use the decorators, operations and queries use
the helpers, and nothing else decides access.

Every refusal is a domain error, never an ``abort()``: LoginRequired (401), PermissionDenied (403)
and NotFound (404), which core.errors maps in one place to the login redirect, the error page or
problem+json, so a refusal reads the same from a decorator, a helper or an operation.
"""
from functools import wraps

from flask_login import current_user

from community.core.errors import LoginRequired, NotFound, PermissionDenied
from community.extensions import db

RESIDENT = "resident"
MERCHANT_STAFF = "merchant_staff"
SPECIALIST = "specialist"
COMMUNITY_ADMIN = "community_admin"
PLATFORM_ADMIN = "platform_admin"
# Reviews talent applications at the platform-level stages (部门评审); held everywhere, like
# platform_admin, and granted only by a platform admin.
TALENT_REVIEWER = "talent_reviewer"
ROLES = (RESIDENT, MERCHANT_STAFF, SPECIALIST, COMMUNITY_ADMIN, PLATFORM_ADMIN, TALENT_REVIEWER)
# Roles held everywhere: their grants name no community and no merchant.
PLATFORM_ROLES = (PLATFORM_ADMIN, TALENT_REVIEWER)
STAFF_ROLES = (SPECIALIST, COMMUNITY_ADMIN, PLATFORM_ADMIN)


def _authenticated(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def has_role(user, role, community_id=None, *, merchant_id=None) -> bool:
    """True when the user holds ``role``, in ``community_id`` and at ``merchant_id`` when given
    (either alone: "somewhere"); platform admins hold every role everywhere."""
    if not _authenticated(user):
        return False
    for grant in user.role_grants:
        if grant.role == PLATFORM_ADMIN:
            return True
        if grant.role == role and (community_id is None or grant.community_id == community_id) and (
                merchant_id is None or grant.merchant_id == merchant_id):
            return True
    return False


def holds_role(user, role) -> bool:
    """True when the user was granted ``role`` itself somewhere; unlike has_role, a platform admin
    does not hold every role. For what a person is shown (their dashboard), not for access."""
    if not _authenticated(user):
        return False
    return any(grant.role == role for grant in user.role_grants)


def community_ids_with_role(user, role) -> set[int] | None:
    """Communities where the user holds ``role``; None means every community (platform admin)."""
    if has_role(user, PLATFORM_ADMIN):
        return None
    return {g.community_id for g in user.role_grants if g.role == role and g.community_id}


def merchant_ids_with_role(user, role=MERCHANT_STAFF) -> set[int] | None:
    """Merchants where the user holds ``role``; None means every merchant (platform admin).
    A merchant_staff grant that names only a community (made before merchants existed) is at no
    merchant, so it adds nothing here."""
    if has_role(user, PLATFORM_ADMIN):
        return None
    return {g.merchant_id for g in user.role_grants if g.role == role and g.merchant_id}


def is_owner(user, obj, attr="user_id") -> bool:
    return bool(_authenticated(user) and getattr(obj, attr, None) == user.id)


def ensure_owner(user, obj, attr="user_id", *, admin_role=COMMUNITY_ADMIN, community_id=None):
    """Owners pass; so do admins of the object's community. Everyone else gets NotFound (404):
    something that is not yours is answered as if it did not exist (ids are not enumerable)."""
    if is_owner(user, obj, attr):
        return
    if community_id is not None and has_role(user, admin_role, community_id):
        return
    if has_role(user, PLATFORM_ADMIN):
        return
    raise NotFound()


def ensure_logged_in(user=None):
    """LoginRequired (401) for anonymous callers: pages send them to the login form, the API
    answers problem+json."""
    if not _authenticated(current_user if user is None else user):
        raise LoginRequired()


def ensure_role(role, community_id=None, *, merchant_id=None):
    """The current user holds ``role`` in that scope, or LoginRequired (401) / PermissionDenied (403)."""
    ensure_logged_in()
    if not has_role(current_user, role, community_id, merchant_id=merchant_id):
        raise PermissionDenied()


def login_required(view):
    """Allow the view to anyone logged in; anonymous callers get LoginRequired."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        ensure_logged_in()
        return view(*args, **kwargs)

    return wrapped


def role_required(*roles):
    """Allow the view when the user holds any of ``roles`` in some scope."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            ensure_logged_in()
            if not any(has_role(current_user, role) for role in roles):
                raise PermissionDenied()
            return view(*args, **kwargs)

        return wrapped

    return decorator


def get_or_404(model, ident):
    """The row with this primary key, or NotFound: for lookups whose scope is checked next (an
    unknown id and one that is not yours must answer alike)."""
    obj = db.session.get(model, ident)
    if obj is None:
        raise NotFound()
    return obj
