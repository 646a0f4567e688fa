"""Landing page, the role-based dashboard and the language switch."""
from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from community.core.dashboard import panels_for

bp = Blueprint("core", __name__)


@bp.route("/")
def home():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    return render_template("core/home.html")


@bp.route("/dashboard")
@login_required
def dashboard():
    return render_template("core/dashboard.html", panels=panels_for(current_user))


@bp.route("/lang/<code>", methods=["GET", "POST"])
def set_language(code):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    target = request.referrer if request.referrer and request.referrer.startswith(request.host_url) else None
    return redirect(target or url_for("core.home"))


@bp.route("/healthz")
def healthz():
    return {"status": "ok"}
