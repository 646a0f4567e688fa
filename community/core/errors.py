"""Domain errors and the one place that turns any error into a page or problem+json (RFC 9457).

Operations raise DomainError subclasses; views and API handlers do not catch them to build
responses by hand. Pages get the error page (or a form re-render when the view chooses to catch
it); /api/ gets application/problem+json with the same status.
"""
from contextlib import contextmanager

from flask import abort, current_app, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, SecurityError

PROBLEM_JSON = "application/problem+json"

HTTP_TITLES = {
    400: _l("Bad request"),
    401: _l("Please log in"),
    403: _l("Forbidden"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("Upload too large"),
    422: _l("Invalid input"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
    502: _l("Service unavailable"),
    503: _l("Service unavailable"),
}

HTTP_DETAILS = {
    400: _l("The request could not be understood. Please check what you entered and try again."),
    401: _l("You need to log in to see this page."),
    403: _l("You do not have permission to see this page or do this action."),
    404: _l("We could not find what you were looking for."),
    405: _l("This page does not accept that kind of request."),
    413: _l("The file or form you sent is too large."),
    422: _l("The request could not be understood. Please check what you entered and try again."),
    429: _l("Too many attempts in a short time. Please wait a moment and try again."),
    500: _l("An unexpected error happened on our side. It has been logged; please try again later."),
}


class DomainError(Exception):
    """A rule of the domain said no. Carries an HTTP status and a stable machine-readable code."""

    status = 422
    code = "invalid"
    # True when what was flushed before the error is part of the outcome and must be committed
    # (a failed login still counts toward the login throttle).
    keeps_changes = False

    # What a refusal says when the code raising it has nothing more precise to say.
    default_message = HTTP_DETAILS[422]

    # Response headers the refusal needs (Retry-After on a 429), on pages and in the API alike.
    headers: dict = {}

    def __init__(self, message=None, *, code=None, status=None, **extra):
        message = self.default_message if message is None else message
        super().__init__(str(message))
        self.message = message
        self.code = code or self.code
        self.status = status or self.status
        self.extra = extra


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = HTTP_DETAILS[404]


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"
    default_message = HTTP_DETAILS[403]


class LoginRequired(DomainError):
    """Not logged in: pages send the person to the login form (?next= back here), the API answers 401."""

    status = 401
    code = "login_required"
    default_message = HTTP_DETAILS[401]


class Conflict(DomainError):
    status = 409
    code = "conflict"


class RuleViolation(DomainError):
    status = 422
    code = "rule_violation"


class JSONTooDeep(DomainError):
    """A JSON body nested deeper than JSON_MAX_DEPTH (core.json_depth refuses it before parsing)."""

    status = 400
    code = "json_too_deep"
    default_message = _l("The JSON in the request is nested too deeply.")


def wants_json() -> bool:
    """API paths and clients that prefer JSON get problem+json; people get pages."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json", PROBLEM_JSON])
    return best in ("application/json", PROBLEM_JSON) and not request.accept_mimetypes["text/html"]


def problem(status, title, detail=None, *, type_="about:blank", **extra):
    body = {"type": type_, "title": str(title), "status": status}
    if detail:
        body["detail"] = str(detail)
    body.update({k: v for k, v in extra.items() if v is not None})
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    return response


def error_page(status, title, detail):
    return render_template("errors/error.html", status=status, title=title, detail=detail), status


def handle_http_exception(error: HTTPException):
    status = error.code or 500
    title = HTTP_TITLES.get(status, error.name)
    detail = HTTP_DETAILS.get(status, error.description)
    if status == 401 and not wants_json():
        return _redirect_to_login()
    if wants_json():
        data = getattr(error, "data", None) or {}
        # webargs/flask-smorest put field errors here; expose them as a problem extension member.
        errors = data.get("messages") or data.get("errors")
        message = data.get("message") or (
            error.description
            if error.description != type(error).description and status not in GENERIC_DETAIL_STATUSES
            else None
        )
        response = problem(status, title, message or detail, code=REFUSAL_CODES.get(status),
                           errors=_flatten_location(errors))
    else:
        response = make_response(error_page(status, title, detail))
    _copy_headers(error, response, data_headers=(getattr(error, "data", None) or {}).get("headers"))
    if status == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="api"')
    return response


# An abort() left outside core.permissions (Flask-Login, the API's bearer check) still reads like
# the domain error for the same refusal.
REFUSAL_CODES = {401: LoginRequired.code, 403: PermissionDenied.code, 404: NotFound.code}

# Statuses whose exception text is for developers (a rate-limit string, a CSRF reason), not for the
# person who sees the page; they get our own sentence.
GENERIC_DETAIL_STATUSES = {413, 429, 500}


def _copy_headers(error, response, data_headers=None):
    """Keep what the exception says about the response (Allow on 405, Retry-After on 429)."""
    try:
        headers = error.get_headers()
    except Exception:  # an exception built around a response of its own
        headers = []
    for name, value in list(headers) + list((data_headers or {}).items()):
        if name.lower() != "content-type":
            response.headers[name] = value


def _redirect_to_login():
    from flask import flash, redirect, url_for

    flash(HTTP_DETAILS[401], "info")
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def _flatten_location(errors):
    """webargs nests errors by location ({"json": {"field": [...]}}); clients want the fields. An
    error about the whole body (``{"json": ["Invalid JSON body."]}``) keeps its location as the
    field, so ``errors`` is always an object of field -> messages, as the API document says."""
    if isinstance(errors, dict) and len(errors) == 1 and next(iter(errors)) in (
        "json", "query", "form", "files", "path", "view_args", "headers",
    ) and isinstance(next(iter(errors.values())), dict):
        return next(iter(errors.values()))
    return errors


def keep_changes():
    """Ask the unit of work to commit even though the response is an error."""
    from flask import g

    g.keep_changes = True


def handle_domain_error(error: DomainError):
    if error.keeps_changes:
        keep_changes()
    if isinstance(error, LoginRequired) and not wants_json():
        from community.extensions import db

        db.session.rollback()  # a redirect would commit, and a refused request keeps nothing
        return _redirect_to_login()
    if wants_json():
        response = problem(error.status, HTTP_TITLES.get(error.status, _l("Invalid input")),
                           error.message, code=error.code, **error.extra)
        if error.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
        response.headers.update(error.headers)
        return response
    body, status = error_page(error.status, HTTP_TITLES.get(error.status, _l("Invalid input")), error.message)
    return body, status, error.headers


def handle_unexpected(error: Exception):
    from community.extensions import db

    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    try:
        db.session.rollback()
    except Exception:  # the database itself may be what failed; the answer must still go out
        current_app.logger.exception("rollback failed")
    if wants_json():
        return problem(500, HTTP_TITLES[500], HTTP_DETAILS[500])
    return error_page(500, HTTP_TITLES[500], HTTP_DETAILS[500])


OUT_OF_RANGE = _l("A number or date in the request is out of range.")


def handle_out_of_range(error: Exception):
    """A value too large for the database or for a date (an id of 30 digits, the year 9999 plus a
    week) is the client's mistake, not ours: 400, with the session rolled back. Forms and schemas
    bound what they can; this is the net under every other input."""
    from community.extensions import db

    db.session.rollback()
    if wants_json():
        return problem(400, HTTP_TITLES[400], OUT_OF_RANGE, code="out_of_range")
    return error_page(400, HTTP_TITLES[400], OUT_OF_RANGE)


def _is_out_of_range(error: Exception) -> bool:
    if isinstance(error, OverflowError):
        return True
    original = getattr(error, "orig", None)
    return isinstance(error, (sa_exc.DataError, sa_exc.StatementError)) and (
        isinstance(original, OverflowError) or "out of range" in str(original).lower()
    )


def handle_unexpected_or_out_of_range(error: Exception):
    if _is_out_of_range(error):
        return handle_out_of_range(error)
    return handle_unexpected(error)


def handle_untrusted_host(error: SecurityError):
    """A request for a host not in TRUSTED_HOSTS. Flask could not bind URLs to it, so the answer
    renders no template (base.html builds URLs); it does not repeat the host either."""
    if wants_json():
        return problem(400, HTTP_TITLES[400], HTTP_DETAILS[400], code="untrusted_host")
    return make_response(str(HTTP_DETAILS[400]), 400, {"Content-Type": "text/plain; charset=utf-8"})


def register_errorhandlers(app):
    from community.core.input_guard import refuse_control_characters
    from community.core.json_depth import refuse_deep_json

    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(SecurityError, handle_untrusted_host)
    # Refused before anything parses the body: a view, webargs and Flask-WTF each parse on their own.
    app.before_request(refuse_deep_json)
    # NUL and other control characters, in every text of the request, before any view reads it.
    app.before_request(refuse_control_characters)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(Exception, handle_unexpected_or_out_of_range)


@contextmanager
def rerender_on_domain_error(template: str | None = None, *, render=None, **context):
    """The one way a page answers an operation's refusal: inside the block, a DomainError
    flashes its message and draws the page again, answering with the error's status (403, 404,
    409, 422...). Because that status is 4xx the unit of work rolls back whatever the failed
    operation flushed, unless the error ``keeps_changes`` (a failed login counting toward
    lock-out). Never redirect after a caught domain error: a 302 would commit it.

        with rerender_on_domain_error("amenities/admin/form.html", form=form, resource=None):
            resource = ops.create_resource(community, actor=current_user, **form.resource_fields())

    Give the template and its context (the template also receives the error as ``domain_error``),
    or ``render=lambda error: ...`` returning what a view may return, for pages that draw
    themselves (a list with action buttons, extra context taken from the error). The answer
    leaves the view by werkzeug's ``abort(response)``, which Flask sends as it is; code after the
    block runs only when the operation succeeded."""
    if (template is None) == (render is None):
        raise TypeError("give a template or render=, not both")
    try:
        yield
    except DomainError as error:
        draw = render or (lambda caught: render_template(template, domain_error=caught, **context))
        abort(_rerendered(error, draw))


def _rerendered(error: DomainError, draw):
    """Roll back first (unless the error keeps its changes), so the page is drawn from what is
    stored and not from what the failed operation left in memory."""
    from flask import flash

    from community.extensions import db

    if error.keeps_changes:
        keep_changes()
    else:
        db.session.rollback()
    flash(str(error.message), "danger")
    response = make_response(draw(error))
    response.status_code = error.status
    response.headers.extend(error.headers or {})
    return response
