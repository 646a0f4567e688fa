"""The JSON API under /api/v1: flask-smorest, answered in problem+json, authenticated by session
cookie or by ``Authorization: Bearer <personal access token>``.

Core owns the Api object and what every endpoint shares (``login_required_api``, the problem
schema, the bearer scheme, CSRF for cookie sessions, the local Swagger UI); each domain adds its
blueprint with ``register_api_blueprint(app, blp)`` from its ``register(app)``."""
import http
from datetime import date, datetime, timezone

import marshmallow as ma
from apispec import BasePlugin
from flask import Blueprint, current_app, g, request, send_from_directory
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Api
from flask_smorest.pagination import PaginationMetadataSchema
from flask_smorest.utils import prepare_response

from community.core.errors import PROBLEM_JSON
from community.core.permissions import ensure_logged_in
from community.extensions import csrf

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
API_PREFIX = "/api/"
API_EXTENSION = "community.api"  # app.extensions key of the app's ProblemApi


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details, as core.errors writes them. A refusal may add members of its own
    (``retry_after`` on a 429, ``conflicts`` for recurring dates), as RFC 9457 allows."""

    class Meta:
        unknown = ma.INCLUDE  # documented as additionalProperties: extension members

    type = ma.fields.String(metadata={"example": "about:blank"})
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    code = ma.fields.String(metadata={"description": "Stable machine-readable reason, e.g. slot_full"})
    errors = ma.fields.Dict(metadata={"description": "Field name -> messages, for invalid input"})


PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
RESPONSE_HEADERS = {
    401: {"WWW-Authenticate": {"description": 'Bearer realm="api"', "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "Seconds to wait before trying again", "schema": {"type": "integer"}}},
}


def _is_error_status(status) -> bool:
    return str(status) == "default" or (str(status).isdigit() and int(status) >= 400)


class ProblemResponses(BasePlugin):
    """Every error an operation documents is what core.errors sends: application/problem+json with
    the Problem schema (an ``alt_response`` that gives only a description gets it too), plus the
    headers of a 401 and a 429. A domain documents its refusals with ``@blp.alt_response(404,
    description=...)`` and the document tells the truth without it repeating the format."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            if not isinstance(operation, dict):
                continue
            for status, response in (operation.get("responses") or {}).items():
                if _is_error_status(status) and isinstance(response, dict) and "$ref" not in response:
                    _as_problem(status, response)


def _as_problem(status, response: dict) -> None:
    content = response.setdefault("content", {})
    schema = content.pop("application/json", {}).get("schema") or PROBLEM_REF
    content.setdefault(PROBLEM_JSON, {"schema": schema})
    if str(status).isdigit() and int(status) in RESPONSE_HEADERS:
        response.setdefault("headers", {}).update(RESPONSE_HEADERS[int(status)])


class ProblemApi(Api):
    """flask-smorest, minus its own JSON error format: core.errors answers every error the same
    way for pages and API, so there is one place to change it; the document says so."""

    ERROR_SCHEMA = ProblemSchema

    def __init__(self, *args, **kwargs):
        spec_kwargs = kwargs.setdefault("spec_kwargs", {})
        spec_kwargs.setdefault("extra_plugins", []).append(ProblemResponses())
        super().__init__(*args, **kwargs)

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        """flask-smorest's named responses (UNPROCESSABLE_ENTITY, DEFAULT_ERROR...), as problem+json."""
        for status in http.HTTPStatus:
            if status >= 400:
                self._register_problem_response(status.name, status.phrase)
        self._register_problem_response("DEFAULT_ERROR", "Default error response")

    def _register_problem_response(self, name, description):
        response = {"description": description, "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response(name, response, lazy=True)

    def _register_pagination_header(self):
        """X-Pagination is a JSON text, not an object of header parameters: say so with ``content``."""
        self.spec.components.header("PAGINATION", {
            "description": 'Pagination metadata, as JSON: {"total", "total_pages", "first_page", "last_page", '
                           '"page", "previous_page", "next_page"}',
            "content": {"application/json": {"schema": PaginationMetadataSchema}},
        }, lazy=True)


# -- dates and times, in and out ---------------------------------------------------------------------

# Before about 1901 time zones ran on local mean time (Asia/Shanghai: +08:05:43), an offset RFC 3339
# cannot write; no date of this platform is that old, so the API refuses them as input.
EARLIEST_DATE = date(1900, 1, 1)
EARLIEST_INSTANT = datetime(1900, 1, 1, tzinfo=timezone.utc)
TOO_EARLY = _l("Dates before 1900 are not accepted.")


def date_field(**kwargs) -> ma.fields.Date:
    """A date in a query or body: YYYY-MM-DD, from 1900-01-01 on."""
    return ma.fields.Date(validate=ma.validate.Range(min=EARLIEST_DATE, error=TOO_EARLY), **_not_before(kwargs))


def instant_field(**kwargs) -> ma.fields.AwareDateTime:
    """An instant in a body: ISO 8601 with an offset, from 1900 on."""
    return ma.fields.AwareDateTime(format="iso", validate=ma.validate.Range(min=EARLIEST_INSTANT, error=TOO_EARLY),
                                   **_not_before(kwargs))


def _not_before(kwargs: dict) -> dict:
    metadata = dict(kwargs.pop("metadata", {}))
    metadata["description"] = " ".join(filter(None, [metadata.get("description"), "Not before 1900-01-01."]))
    return {**kwargs, "metadata": metadata}


def rfc3339(instant: datetime | None, tz) -> str | None:
    """``instant`` as ISO 8601 in ``tz``, an RFC 3339 date-time: where the zone's offset is not whole
    minutes (local mean time, before ~1901) it is written in UTC instead."""
    if instant is None:
        return None
    local = instant.astimezone(tz)
    if local.utcoffset().total_seconds() % 60:
        local = instant.astimezone(timezone.utc)
    return local.isoformat()


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

