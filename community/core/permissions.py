"""Roles and ownership: the one place that answers "may this user do this here?".

A user holds role grants; community_admin, specialist, merchant_staff and resident grants name the
community they apply to, platform_admin applies everywhere. Views use the decorators, operations
and queries use the helpers, and nothing else decides access.
"""
from functools import wraps

from flask import abort
from flask_login import current_user

RESIDENT = "resident"
MERCHANT_STAFF = "merchant_staff"
SPECIALIST = "specialist"
COMMUNITY_ADMIN = "community_admin"
PLATFORM_ADMIN = "platform_admin"
ROLES = (RESIDENT, MERCHANT_STAFF, SPECIALIST, COMMUNITY_ADMIN, PLATFORM_ADMIN)
STAFF_ROLES = (SPECIALIST, COMMUNITY_ADMIN, PLATFORM_ADMIN)


def has_role(user, role, community_id=None) -> bool:
    """True when the user holds ``role`` (in ``community_id`` when given); platform admins hold all."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    for grant in user.role_grants:
        if grant.role == PLATFORM_ADMIN:
            return True
        if grant.role == role and (community_id is None or grant.community_id == community_id):
            return True
    return False


def holds_role(user, role) -> bool:
    """True when the user was granted ``role`` itself somewhere; unlike has_role, a platform admin
    does not hold every role. For what a person is shown (their dashboard), not for access."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return any(grant.role == role for grant in user.role_grants)


def community_ids_with_role(user, role) -> set[int] | None:
    """Communities where the user holds ``role``; None means every community (platform admin)."""
    if has_role(user, PLATFORM_ADMIN):
        return None
    return {g.community_id for g in user.role_grants if g.role == role and g.community_id}


def is_owner(user, obj, attr="user_id") -> bool:
    return bool(user and user.is_authenticated and getattr(obj, attr, None) == user.id)


def ensure_owner(user, obj, attr="user_id", *, admin_role=COMMUNITY_ADMIN, community_id=None):
    """Owners pass; so do admins of the object's community. Everyone else gets a 404: something
    that is not yours is answered as if it did not exist (ids are not enumerable)."""
    if is_owner(user, obj, attr):
        return
    if community_id is not None and has_role(user, admin_role, community_id):
        return
    if has_role(user, PLATFORM_ADMIN):
        return
    abort(404)


def ensure_role(role, community_id=None):
    if not current_user.is_authenticated:
        abort(401)
    if not has_role(current_user, role, community_id):
        abort(403)


def role_required(*roles):
    """Allow the view when the user holds any of ``roles`` in some community."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                abort(401)
            if not any(has_role(current_user, role) for role in roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
