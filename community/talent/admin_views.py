"""Operators' talent pages: the review queue (community admins, talent reviewers), the registry
(人才库) with counts and CSV export, revocation, the types (platform admin) and a community's
review stages."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from community.accounts.models import Community
from community.core.csv_export import csv_response
from community.core.errors import NotFound, rerender_on_domain_error
from community.core.labels import talent_tier_label
from community.core.pagination import paginate
from community.core.permissions import (
    COMMUNITY_ADMIN, PLATFORM_ADMIN, TALENT_REVIEWER, get_or_404, has_role, role_required,
)
from community.extensions import db
from community.talent import labels, queries
from community.talent import operations as ops
from community.talent.forms import RevokeForm, StagesForm, TypeForm, parse_stage_lines, stage_lines
from community.talent.models import ENTRY_STATUSES, TIERS, TalentType
from community.talent.presentation import type_name

bp = Blueprint("talent_admin", __name__, url_prefix="/talent/admin")


@bp.route("/reviews")
@role_required(TALENT_REVIEWER, COMMUNITY_ADMIN)
def reviews():
    scope = "all" if request.args.get("scope") == "all" else "mine"
    pagination = paginate(queries.review_queue(current_user, scope=scope, q=request.args.get("q", "")))
    return render_template("talent/admin/reviews.html", pagination=pagination, scope=scope,
                           types=queries.type_names())


def _registry_args():
    args = request.args
    return {"q": args.get("q", "")[:100], "talent_type": args.get("type", "")[:32],
            "tier": args.get("tier", "") if args.get("tier") in TIERS else "",
            "status": args.get("status", "") if args.get("status") in ENTRY_STATUSES else "",
            "community_id": args.get("community_id", type=int),
            "expires_before": _date_arg(args.get("expires_before"))}


def _date_arg(text):
    from datetime import date

    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _communities():
    scope = queries.registry_scope(current_user)
    stmt = db.select(Community).order_by(Community.name)
    if scope is not None:
        stmt = stmt.where(Community.id.in_(scope or {-1}))
    return db.session.scalars(stmt).all()


@bp.route("/registry")
@role_required(COMMUNITY_ADMIN)
def registry():
    filters = _registry_args()
    pagination = paginate(queries.registry_for(current_user, **filters))
    counts = queries.registry_counts(current_user)
    types = queries.type_names()
    return render_template("talent/admin/registry.html", pagination=pagination, filters=filters, counts=counts,
                           types=types, tiers=TIERS, statuses=ENTRY_STATUSES, communities=_communities(),
                           type_codes=sorted({t for t, _ in counts} | set(types)))


CSV_COLUMNS = ("certificate_no", "name", "email", "community", "type", "tier", "status", "valid_from",
               "valid_until", "revoke_reason")


@bp.route("/registry.csv")
@role_required(COMMUNITY_ADMIN)
def registry_csv():
    """The filtered registry as CSV, UTF-8 with a BOM so Excel reads the Chinese right."""
    types = queries.type_names()
    rows = ((entry.certificate_no or "", entry.user.display_name, entry.user.email or entry.user.mobile or "",
             entry.community.name if entry.community else "", type_name(entry.talent_type, types),
             str(talent_tier_label(entry.tier)), str(labels.entry_status_label(entry.status)),
             entry.valid_from.isoformat(), entry.valid_until.isoformat(),
             str(labels.revoke_reason_label(entry.revoke_reason)) if entry.revoke_reason else "")
            for entry in db.session.scalars(queries.registry_for(current_user, **_registry_args())).unique())
    return csv_response("talent-registry.csv",
                        [gettext("Certificate number"), gettext("Full name"), gettext("E-mail"), gettext("Community"),
                         gettext("Talent type"), gettext("Tier"), gettext("Status"), gettext("Valid from"),
                         gettext("Valid until"), gettext("Revocation reason")], rows)


@bp.route("/registry/<int:entry_id>", methods=["GET", "POST"])
@role_required(COMMUNITY_ADMIN)
def entry(entry_id):
    entry = queries.entry_for(current_user, entry_id)
    form = RevokeForm()
    context = {"entry": entry, "form": form, "types": queries.type_names()}
    if not form.validate_on_submit():
        return render_template("talent/admin/entry.html", **context), 422 if form.is_submitted() else 200
    with rerender_on_domain_error("talent/admin/entry.html", **context):
        ops.revoke_entry(entry, actor=current_user, reason=form.reason.data, note=form.note.data or "")
    flash(_l("Tier revoked. It no longer applies anywhere."), "success")
    return redirect(url_for("talent_admin.entry", entry_id=entry.id))


# -- configuration ----------------------------------------------------------------------------------

@bp.route("/types")
@role_required(PLATFORM_ADMIN)
def types():
    return render_template("talent/admin/types.html", types=queries.talent_types(active_only=False))


@bp.route("/types/new", methods=["GET", "POST"])
@bp.route("/types/<int:type_id>", methods=["GET", "POST"])
@role_required(PLATFORM_ADMIN)
def edit_type(type_id=None):
    talent_type = get_or_404(TalentType, type_id) if type_id is not None else None
    form = TypeForm(obj=talent_type)
    context = {"form": form, "talent_type": talent_type}
    if not form.validate_on_submit():
        return render_template("talent/admin/type.html", **context), 422 if form.is_submitted() else 200
    code = (form.code.data or "").strip()
    if talent_type is None and (not code or not code.replace("_", "").isalnum() or not code.isascii()):
        form.code.errors.append(_l("Letters, digits and _; it cannot change later."))
        return render_template("talent/admin/type.html", **context), 422
    values = {k: getattr(form, k).data for k in ("name_zh", "name_en", "position", "active")}
    values.update({f"criteria_{t}": getattr(form, f"criteria_{t}").data or "" for t in TIERS})
    values["name_en"] = values["name_en"] or ""
    with rerender_on_domain_error("talent/admin/type.html", **context):
        saved = ops.save_type(talent_type, actor=current_user, code=code.lower() or None, **values)
    flash(_l("Talent type saved."), "success")
    return redirect(url_for("talent_admin.edit_type", type_id=saved.id))


@bp.route("/communities/<int:community_id>/stages", methods=["GET", "POST"])
@role_required(COMMUNITY_ADMIN)
def stages(community_id):
    community = get_or_404(Community, community_id)
    if not has_role(current_user, COMMUNITY_ADMIN, community.id):
        raise NotFound()
    current = queries.stages_of(community.id) or ops.ensure_stages(community.id)
    form = StagesForm(stages=stage_lines(current))
    context = {"form": form, "community": community, "stages": current}
    if not form.validate_on_submit():
        return render_template("talent/admin/stages.html", **context), 422 if form.is_submitted() else 200
    parsed = parse_stage_lines(form.stages.data)
    if parsed is None:
        form.stages.errors.append(_l("Each line: a role or notice, then names, separated by |."))
        return render_template("talent/admin/stages.html", **context), 422
    with rerender_on_domain_error("talent/admin/stages.html", **context):
        ops.replace_stages(community.id, parsed, actor=current_user)
    flash(_l("Review stages saved."), "success")
    return redirect(url_for("talent_admin.stages", community_id=community.id))


