"""The JSON API under /api/v1: flask-smorest, answered in problem+json, authenticated by session
cookie or by ``Authorization: Bearer <personal access token>``.

Core owns the Api object and what every endpoint shares (``login_required_api``, the problem
schema, the bearer scheme, CSRF for cookie sessions, the local Swagger UI); each domain adds its
blueprint with ``register_api_blueprint(app, blp)`` from its ``register(app)``."""
import marshmallow as ma
from flask import Blueprint, current_app, g, request, send_from_directory
from flask_login import current_user
from flask_smorest import Api

from community.core.permissions import ensure_logged_in
from community.extensions import csrf

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
API_PREFIX = "/api/"
API_EXTENSION = "community.api"  # app.extensions key of the app's ProblemApi


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
    """LoginRequired (401 problem+json with WWW-Authenticate) for anonymous API callers."""
    ensure_logged_in()


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
    """One Api object per app, so create_app can be called more than once in a process (tests,
    CLI) without the apps sharing one spec. Domains add their blueprints with
    ``register_api_blueprint`` from their ``register(app)``."""
    app.config.setdefault("API_SPEC_OPTIONS", {
        "components": {"securitySchemes": {"bearerAuth": BEARER_SCHEME}},
        "security": [{"bearerAuth": []}],
        "info": {"description": "Times are ISO 8601 with offset; money is integer fen with a currency field. "
                                "Errors are application/problem+json (RFC 9457)."},
    })
    api = ProblemApi()
    api.init_app(app)
    app.extensions[API_EXTENSION] = api
    app.register_blueprint(swagger_assets)
    app.before_request(_csrf_for_cookie_sessions)
    return api


def register_api_blueprint(app, blp):
    """Add a domain's flask-smorest blueprint to the app's /api/v1 (and to its OpenAPI document).

    CSRF is not Flask-WTF's to check on the API: ``_csrf_for_cookie_sessions`` asks for the token
    from cookie sessions only, since callers with a bearer token cannot be forged by another site."""
    api = app.extensions.get(API_EXTENSION)
    if api is None:
        raise RuntimeError("init_api(app) must run before a domain registers its API blueprint")
    csrf.exempt(blp)
    api.register_blueprint(blp)

