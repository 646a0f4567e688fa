"""Pages for registration, login, password reset and the profile. Thin: forms in, one operation,
render or redirect."""
import time
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    Blueprint, current_app, flash, make_response, redirect, render_template, request, session, url_for,
)
from flask_babel import format_timedelta
from flask_babel import lazy_gettext as _l
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user

from community.accounts import operations as ops
from community.accounts import queries
from community.accounts.auth import log_in, log_out
from community.accounts.forms import (
    ApiTokenForm, ChangePasswordForm, ForgotPasswordForm, LoginForm, ProfileForm, RegistrationForm,
    ResetPasswordForm, choices,
)
from community.accounts.models import ApiToken, Community, User
from community.core.clock import local_today, now
from community.core.errors import NotFound, handle_http_exception, rerender_on_domain_error, wants_json
from community.core.pagination import paginate
from community.core.permissions import ensure_owner, get_or_404, login_required
from community.core.urls import external_url
from community.extensions import db, limiter

bp = Blueprint("accounts", __name__)
TOKENS_PER_PAGE = 10


def _safe_next(target):
    """Only follow ?next= to a path on this site (no open redirect). Browsers read a backslash
    as a slash, so "/\\evil.example" would leave the site too."""
    if not target or "\\" in target or any(ord(ch) < 32 for ch in target):
        return url_for("core.dashboard")
    parts = urlsplit(target)
    if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("core.dashboard")


def community_choices():
    return choices((c.id, c.name) for c in db.session.scalars(sa.select(Community).order_by(Community.name)))


def _registration_limited(limit):
    """The page a person sees when their address has opened too many accounts (or tried too often):
    what happened and when to try again, instead of a bare 429."""
    wait = timedelta(seconds=max(1, int(limit.reset_at - time.time())))
    page = render_template("accounts/register_limited.html", wait=format_timedelta(wait, threshold=1.0))
    return make_response(page, 429)


@bp.errorhandler(RateLimitExceeded)
def rate_limited(error):
    """A limit's own page (registration) for people; every other 429 answers as usual."""
    if error.response is not None and not wants_json():
        return error.response
    return handle_http_exception(error)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTER_ATTEMPT_RATE_LIMIT"], methods=["POST"],
               on_breach=_registration_limited)
@limiter.limit(lambda: current_app.config["REGISTER_RATE_LIMIT"], methods=["POST"], on_breach=_registration_limited,
               deduct_when=lambda response: response.status_code == 302)  # an account was made
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    form = RegistrationForm()
    form.community_id.choices = community_choices()
    if not form.validate_on_submit():
        return render_template("accounts/register.html", form=form), 422 if form.is_submitted() else 200
    with rerender_on_domain_error("accounts/register.html", form=form):
        user = ops.register_user(login=form.login.data, password=form.password.data,
                                 display_name=form.display_name.data,
                                 community=db.session.get(Community, form.community_id.data),
                                 locale=session.get("lang"))
    log_in(user)
    flash(_l("Welcome, %(name)s! Your account has been created.", name=user.display_name), "success")
    return redirect(url_for("core.dashboard"))


@bp.route("/login", methods=["GET", "POST"])
# A flood cap per address; wrong passwords are throttled by ops.authenticate (accounts/throttle.py).
# No limit per account: one that counts every address would let anyone shut its owner out.
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_IP"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("accounts/login.html", form=form), 422 if form.is_submitted() else 200
    with rerender_on_domain_error("accounts/login.html", form=form):  # a wrong password keeps its count
        user = ops.authenticate(form.login.data, form.password.data, client_ip=get_remote_address())
    log_in(user, remember=form.remember.data)
    if user.locale:
        session["lang"] = user.locale
    flash(_l("Welcome back, %(name)s.", name=user.display_name), "success")
    return redirect(_safe_next(request.args.get("next")))


@bp.route("/logout", methods=["POST"])
def logout():
    log_out()
    flash(_l("You have been logged out."), "info")
    return redirect(url_for("core.home"))


@bp.route("/profile/log-out-everywhere", methods=["POST"])
@login_required
def log_out_everywhere():
    ops.log_out_everywhere(current_user)
    log_out()
    flash(_l("You have been logged out on every device, and your API tokens have been revoked."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        ops.request_password_reset(
            form.login.data, lambda token: external_url("accounts.reset_password", token=token)
        )
        flash(_l("If an account exists for that address, we have sent it a link to reset the password."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    form = ResetPasswordForm()
    if request.method == "GET":
        ops.user_for_reset_token(token)  # an expired or used link says so before anyone types
    if not form.validate_on_submit():
        return render_template("accounts/reset.html", form=form), 422 if form.is_submitted() else 200
    with rerender_on_domain_error("accounts/reset.html", form=form):
        ops.reset_password(token, form.password.data)
    flash(_l("Your password has been changed. Please log in with the new one."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/profile")
@login_required
def profile():
    return redirect(url_for("accounts.user_profile", user_id=current_user.id))


@bp.route("/users/<int:user_id>")
@login_required
def user_profile(user_id):
    user = get_or_404(User, user_id)
    ensure_owner(current_user, user, "id", community_id=user.community_id)
    return _render_profile(user)


def _render_profile(user, token_form=None):
    """The profile; its owner also sees their API tokens (nobody else, not even an admin)."""
    context = {"user": user, "today": local_today(user.timezone),
               "grants": queries.visible_grants(current_user, user)}
    if user.id == current_user.id:
        context.update(
            token_form=token_form or ApiTokenForm(formdata=None),
            tokens=paginate(queries.api_tokens_of(user, now()), per_page=TOKENS_PER_PAGE, page_param="tokens_page"),
            at=now(),
        )
    return render_template("accounts/profile.html", **context)


@bp.route("/profile/tokens", methods=["POST"])
@login_required
def create_api_token():
    form = ApiTokenForm()
    if not form.validate_on_submit():
        return _render_profile(current_user, token_form=form), 422
    with rerender_on_domain_error(render=lambda _error: _render_profile(current_user, token_form=form)):
        record, token = ops.issue_api_token(current_user, form.name.data)
    response = make_response(render_template("accounts/token_created.html", record=record, token=token), 201)
    # The clear token is in this page only: no cache, no back-button copy.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_api_token(token_id):
    record = get_or_404(ApiToken, token_id)
    if record.user_id != current_user.id:
        raise NotFound()  # another person's token: as if it did not exist
    ops.revoke_api_token(record, current_user)
    flash(_l("Token “%(name)s” revoked; programs using it can no longer sign in.", name=record.name), "success")
    return redirect(url_for("accounts.user_profile", user_id=current_user.id, _anchor="api-tokens"))


@bp.route("/profile/edit", methods=["GET", "POST"])
@login_required
def edit_profile():
    form = ProfileForm(obj=current_user)
    if not form.validate_on_submit():
        return render_template("accounts/edit_profile.html", form=form), 422 if form.is_submitted() else 200
    ops.update_profile(current_user, display_name=form.display_name.data, locale=form.locale.data)
    session["lang"] = form.locale.data
    flash(_l("Your profile has been saved."), "success")
    return redirect(url_for("accounts.profile"))


@bp.route("/profile/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return render_template("accounts/change_password.html", form=form), 422 if form.is_submitted() else 200
    with rerender_on_domain_error("accounts/change_password.html", form=form):
        ops.change_password(current_user, form.current.data, form.password.data,
                            keep_session=current_user.login_session_key)
    # The new password's fingerprint ends every other session; this one carries on.
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    login_user(current_user._get_current_object(), remember=remembered)
    flash(_l("Your password has been changed. Other devices have been logged out."), "success")
    return redirect(url_for("accounts.profile"))
