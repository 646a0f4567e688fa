"""Flask-Login wiring: sessions for people, bearer tokens for programs."""
from flask import abort, flash, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from community.accounts.models import User
from community.core.clock import now
from community.core.errors import wants_json
from community.extensions import db, login_manager


@login_manager.user_loader
def load_user(user_id):
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


@login_manager.request_loader
def load_user_from_bearer(req):
    header = req.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    from community.accounts.operations import user_for_token

    found = user_for_token(header[7:].strip())
    if found is None:
        return None
    user, token = found
    g.auth_via_token = True
    g.api_token = token
    return user


@login_manager.unauthorized_handler
def unauthorized():
    if wants_json():
        abort(401)
    flash(_l("Please log in to see this page."), "info")
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
