"""Flask-Login wiring: sessions for people, bearer tokens for programs.

A request that carries ``Authorization: Bearer <token>`` is authenticated by that token alone, even
when the browser also sends a session or remember-me cookie: a revoked or expired token then
answers 401 instead of silently falling back to the cookie, and DELETE /api/v1/auth/token always
knows which token to revoke.
"""
import re

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from community.core.errors import wants_json
from community.extensions import login_manager


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


# User.get_id(): "<id>.<password fingerprint>.<session generation>.<login session key>"
SESSION_ID = re.compile(r"(\d{1,9})\.([0-9a-f]{16})\.(\d{1,9})\.([A-Za-z0-9_-]{16,64})", re.ASCII)


def _session_id_parts(user_id) -> tuple[int, str, int, str] | None:
    match = SESSION_ID.fullmatch(str(user_id))
    if match is None:
        return None  # e.g. an id from before login sessions: that session is over
    ident, fingerprint, generation, key = match.groups()
    return int(ident), fingerprint, int(generation), key


@login_manager.user_loader
def load_user(user_id):
    """The user a session or remember-me cookie names, while that login session is open."""
    token = bearer_token(request)
    if token is not None:
        return _user_from_bearer(token)
    from community.accounts.operations import user_for_session

    parts = _session_id_parts(user_id)
    if parts is None:
        return None
    ident, fingerprint, generation, key = parts
    user = user_for_session(ident, generation, key)
    if user is None or fingerprint != user.password_fingerprint():
        return None  # logged out (here or everywhere), expired, or from before a password change
    return user


def log_in(user, *, remember=False) -> None:
    """Open a login session and hand its cookies to the browser."""
    from community.accounts.operations import start_session

    start_session(user)
    login_user(user, remember=remember)


def log_out() -> None:
    """End this browser's login session on the server, then drop its cookies: a copy of the old
    session or remember-me cookie no longer logs anyone in. Other devices stay logged in."""
    from community.accounts.operations import end_session

    if current_user.is_authenticated and not g.get("auth_via_token"):
        end_session(current_user, current_user.login_session_key)
    logout_user()


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
