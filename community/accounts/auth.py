"""Flask-Login wiring: sessions for people, bearer tokens for programs.

A request that carries ``Authorization: Bearer <token>`` is authenticated by that token alone, even
when the browser also sends a session or remember-me cookie: a revoked or expired token then
answers 401 instead of silently falling back to the cookie, and DELETE /api/v1/auth/token always
knows which token to revoke.
"""
from flask import abort, flash, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from community.accounts.models import User, request_user_loads
from community.core.errors import wants_json
from community.extensions import db, login_manager


def bearer_token(req) -> str | None:
    header = req.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def _user_from_bearer(token):
    from community.accounts.operations import user_for_token

    found = user_for_token(token)
    if found is None:
        return None
    user, record = found
    g.auth_via_token = True
    g.api_token = record
    return user


@login_manager.user_loader
def load_user(user_id):
    token = bearer_token(request)
    if token is not None:
        return _user_from_bearer(token)
    ident, _, fingerprint = str(user_id).partition(".")
    try:
        user = db.session.get(User, int(ident), options=request_user_loads())
    except (TypeError, ValueError, OverflowError):
        return None
    if user is None or not user.active or fingerprint != user.password_fingerprint():
        return None  # a session from before a password change or reset
    return user


@login_manager.request_loader
def load_user_from_bearer(req):
    token = bearer_token(req)
    return _user_from_bearer(token) if token is not None else None


@login_manager.unauthorized_handler
def unauthorized():
    if wants_json():
        abort(401)
    flash(_l("Please log in to see this page."), "info")
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
