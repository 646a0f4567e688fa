"""The JSON API under /api/v1: flask-smorest, answered in problem+json, authenticated by session
cookie or by ``Authorization: Bearer <personal access token>``."""
import marshmallow as ma
from flask import Blueprint, abort, current_app, g, request, send_from_directory
from flask_login import current_user
from flask_smorest import Api

from community.extensions import csrf

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
API_PREFIX = "/api/"


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details, as core.errors writes them."""

    type = ma.fields.String(metadata={"example": "about:blank"})
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    code = ma.fields.String(metadata={"description": "Stable machine-readable reason, e.g. slot_full"})
    errors = ma.fields.Dict(metadata={"description": "Field name -> messages, for invalid input"})


class ProblemApi(Api):
    """flask-smorest, minus its own JSON error format: core.errors answers every error the same
    way for pages and API, so there is one place to change it."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        pass


BEARER_SCHEME = {"type": "http", "scheme": "bearer", "description": "Personal access token from POST /api/v1/auth/token"}


def login_required_api():
    if not current_user.is_authenticated:
        abort(401)


def _csrf_for_cookie_sessions():
    """A browser calling the API with its session cookie must send X-CSRFToken on writes;
    a bearer token cannot be sent by another site, so it needs none.

    Runs for every /api/ path. ``current_user`` is resolved first: only loading it tells whether
    the caller came in by token or by cookie."""
    if not request.path.startswith(API_PREFIX) or request.method in SAFE_METHODS:
        return
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    if not current_user.is_authenticated or g.get("auth_via_token"):
        return
    csrf.protect()


swagger_assets = Blueprint("swagger_assets", __name__)


@swagger_assets.route("/api/v1/swagger-ui/<path:filename>")
def swagger_ui_asset(filename):
    """Swagger UI's files from the swagger_ui_bundle package, so the docs page works offline."""
    from swagger_ui_bundle import swagger_ui_path

    return send_from_directory(str(swagger_ui_path), filename, max_age=86400)


def init_api(app):
    """One Api object per app (stored in app.extensions["flask-smorest"]), so create_app can be
    called more than once in a process (tests, CLI) without the apps sharing one spec."""
    from community.accounts.api import blp as accounts_blp

    app.config.setdefault("API_SPEC_OPTIONS", {
        "components": {"securitySchemes": {"bearerAuth": BEARER_SCHEME}},
        "security": [{"bearerAuth": []}],
        "info": {"description": "Times are ISO 8601 with offset; money is integer fen with a currency field. "
                                "Errors are application/problem+json (RFC 9457)."},
    })
    api = ProblemApi()
    api.init_app(app)
    app.register_blueprint(swagger_assets)
    app.before_request(_csrf_for_cookie_sessions)
    for blp in api_blueprints(accounts_blp):
        csrf.exempt(blp)  # checked by _csrf_for_cookie_sessions instead, token callers need none
        api.register_blueprint(blp)
    return api


def api_blueprints(*core):
    """Core blueprints plus each domain's, in a stable order; a new domain adds itself here."""
    blueprints = list(core)
    for module in DOMAIN_API_MODULES:
        blueprints.append(__import__(module, fromlist=["blp"]).blp)
    return blueprints


DOMAIN_API_MODULES: list[str] = ["community.amenities.api", "community.notifications.api"]
