"""The JSON API under /api/v1: flask-smorest, answered in problem+json, authenticated by session
cookie or by ``Authorization: Bearer <personal access token>``."""
from flask import Blueprint, abort, g, request, send_from_directory
from flask_login import current_user
from flask_smorest import Api

from community.extensions import csrf

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class ProblemApi(Api):
    """flask-smorest, minus its own JSON error format: core.errors answers every error the same
    way for pages and API, so there is one place to change it."""

    def _register_error_handlers(self):
        pass


api = ProblemApi()

BEARER_SCHEME = {"type": "http", "scheme": "bearer", "description": "Personal access token from POST /api/v1/auth/token"}


def login_required_api():
    if not current_user.is_authenticated:
        abort(401)


def _csrf_for_cookie_sessions():
    """A browser calling the API with its session cookie must send X-CSRFToken on writes;
    a bearer token cannot be sent by another site, so it needs none."""
    if request.method in SAFE_METHODS or g.get("auth_via_token"):
        return
    if current_user.is_authenticated:
        csrf.protect()


swagger_assets = Blueprint("swagger_assets", __name__)


@swagger_assets.route("/api/v1/swagger-ui/<path:filename>")
def swagger_ui_asset(filename):
    """Swagger UI's files from the swagger_ui_bundle package, so the docs page works offline."""
    from swagger_ui_bundle import swagger_ui_path

    return send_from_directory(str(swagger_ui_path), filename, max_age=86400)


def init_api(app):
    from community.accounts.api import blp as accounts_blp

    app.config.setdefault("API_SPEC_OPTIONS", {
        "components": {"securitySchemes": {"bearerAuth": BEARER_SCHEME}},
        "security": [{"bearerAuth": []}],
        "info": {"description": "Times are ISO 8601 with offset; money is integer fen with a currency field. "
                                "Errors are application/problem+json (RFC 9457)."},
    })
    api.init_app(app)
    app.register_blueprint(swagger_assets)
    for blp in api_blueprints(accounts_blp):
        csrf.exempt(blp)
        blp.before_request(_csrf_for_cookie_sessions)
        api.register_blueprint(blp)


def api_blueprints(*core):
    """Core blueprints plus each domain's, in a stable order; a new domain adds itself here."""
    blueprints = list(core)
    for module in DOMAIN_API_MODULES:
        blueprints.append(__import__(module, fromlist=["blp"]).blp)
    return blueprints


DOMAIN_API_MODULES: list[str] = ["community.amenities.api"]
