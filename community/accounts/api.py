"""Account endpoints: the token contract other programs rely on, and /me."""
from flask import current_app, g
from flask_babel import gettext as _
from flask_login import current_user
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint

from community.accounts import operations as ops
from community.accounts.schemas import MeSchema, TokenRequestSchema, TokenSchema
from community.core.api import login_required_api
from community.core.errors import PermissionDenied
from community.extensions import limiter

blp = Blueprint("accounts_api", __name__, url_prefix="/api/v1", description="Accounts and tokens")


@blp.route("/auth/token", methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_IP"])
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
@blp.alt_response(401, description="Wrong e-mail or password, or no such account (the same answer)")
@blp.alt_response(429, description="Too many attempts: wait for Retry-After seconds (login throttle or "
                                   "the per-address limit)")
@blp.doc(security=[])
def create_token(body):
    """Exchange e-mail (or mobile) and password for a personal access token."""
    user = ops.authenticate(body["email"], body["password"], client_ip=get_remote_address())
    record, token = ops.issue_api_token(user, body.get("name") or "api")
    return {"token": token, "expires_at": record.expires_at}


@blp.route("/auth/token", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(401, description="No valid token or session")
def revoke_token():
    """Revoke the bearer token this request was made with."""
    login_required_api()
    if not g.get("api_token"):
        raise PermissionDenied(_("Send the token to revoke as Authorization: Bearer <token>."),
                               code="no_bearer_token")
    ops.revoke_api_token(g.api_token, current_user)
    return None


@blp.route("/me")
@blp.response(200, MeSchema)
@blp.alt_response(401, description="No valid token or session")
def me():
    """The caller's account, roles and talent profile."""
    login_required_api()
    return current_user
