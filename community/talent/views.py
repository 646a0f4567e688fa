"""Residents' talent pages (my status, apply, timeline, card), the public notice board, the
verify page for merchant and community staff, and the published public key. Thin: parse, check
access, call one operation, render."""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from community.core.attachments import attachments_of
from community.core.benefits import benefits_for
from community.core.clock import local_today, now
from community.core.errors import NotFound, PermissionDenied, rerender_on_domain_error
from community.core.permissions import RESIDENT, login_required, role_required
from community.talent import access, card, presentation, queries, rules
from community.talent import operations as ops
from community.talent.forms import ApplicationForm, DecisionForm, ObjectionForm, RenewalForm, ResolveForm
from community.talent.models import DRAFT, INITIAL, RENEWAL, RETURNED

bp = Blueprint("talent", __name__, url_prefix="/talent")
presentation.register_template_globals(bp)


def _application_fields(form) -> dict:
    return {"talent_type": form.talent_type.data, "claimed_tier": form.claimed_tier.data,
            "employer": form.employer.data or "", "position_title": form.position_title.data or "",
            "years_in_field": form.years_in_field.data, "statement": form.statement.data or ""}


def _files(form):
    return request.files.getlist(form.evidence.name)


@bp.route("/")
@login_required
def index():
    summary = queries.talent_of(current_user)
    applications = queries.my_applications(current_user)
    return render_template("talent/index.html", summary=summary, applications=applications,
                           open_application=next((a for a in applications if a.is_open), None),
                           types=queries.type_names())


@bp.route("/types")
@login_required
def types():
    return render_template("talent/types.html", types=queries.talent_types())


@bp.route("/apply", methods=["GET", "POST"])
@role_required(RESIDENT)
def apply():
    existing = queries.open_application(current_user)
    if existing is not None:
        if existing.status in (DRAFT, RETURNED) and existing.kind == INITIAL:
            return redirect(url_for("talent.edit", application_id=existing.id))
        flash(_l("You already have an open talent application."), "info")
        return redirect(url_for("talent.application", application_id=existing.id))
    types = queries.talent_types()
    if not types and ops.ensure_default_types():  # a bare database: the defaults, on first use
        types = queries.talent_types()
    form = ApplicationForm(types=types, talent_type=request.args.get("type"))
    context = {"form": form, "types": types, "application": None, "evidence": []}
    if not form.validate_on_submit():
        return render_template("talent/apply.html", **context), 422 if form.is_submitted() else 200
    with rerender_on_domain_error("talent/apply.html", **context):
        application = ops.create_application(current_user, submit=bool(form.submit.data), files=_files(form),
                                             **_application_fields(form))
    flash(_l("Application submitted.") if form.submit.data else _l("Draft saved."), "success")
    return redirect(url_for("talent.application", application_id=application.id))


def _own(application_id):
    application = queries.application_for(current_user, application_id)
    if application.user_id != current_user.id:
        raise NotFound()
    return application


@bp.route("/applications/<int:application_id>/edit", methods=["GET", "POST"])
@login_required
def edit(application_id):
    application = _own(application_id)
    if application.status not in (DRAFT, RETURNED) or application.kind != INITIAL:
        return redirect(url_for("talent.application", application_id=application.id))
    types = queries.talent_types()
    form = ApplicationForm(types=types, obj=application)
    context = {"form": form, "types": types, "application": application,
               "evidence": attachments_of(application, ops.EVIDENCE)}
    if not form.validate_on_submit():
        return render_template("talent/apply.html", **context), 422 if form.is_submitted() else 200
    with rerender_on_domain_error("talent/apply.html", **context):
        ops.update_application(application, actor=current_user, files=_files(form), submit=bool(form.submit.data),
                               **_application_fields(form))
    flash(_l("Application submitted.") if form.submit.data else _l("Draft saved."), "success")
    return redirect(url_for("talent.application", application_id=application.id))


def _detail_context(application, **extra):
    stage = ops.stage_of(application) if application.kind == INITIAL else None
    decision = extra.pop("decision_form", None) or DecisionForm(tier=application.tier, stage=application.stage)
    return {"application": application, "evidence": attachments_of(application, ops.EVIDENCE),
            "stages": ops.ensure_stages(application.community_id), "stage": stage,
            "may_decide": ops.may_decide(current_user, application), "decision_form": decision,
            "is_owner": application.user_id == current_user.id,
            "reviews": access.reviews_application(current_user, application),
            "objections": queries.open_objections(application) if access.reviews_application(
                current_user, application) else [],
            "resolve_form": ResolveForm(), "renewal_form": extra.pop("renewal_form", None) or RenewalForm(),
            "types": queries.type_names(), **extra}


@bp.route("/applications/<int:application_id>")
@login_required
def application(application_id):
    application = queries.application_for(current_user, application_id)
    return render_template("talent/application.html", **_detail_context(application))


def _rerender_detail(application):
    def draw(_error):
        fresh = queries.application_for(current_user, application.id)
        return render_template("talent/application.html", **_detail_context(fresh))

    return rerender_on_domain_error(render=draw)


@bp.route("/applications/<int:application_id>/submit", methods=["POST"])
@login_required
def submit(application_id):
    application = _own(application_id)
    with _rerender_detail(application):
        ops.submit_application(application, actor=current_user)
    flash(_l("Application submitted."), "success")
    return redirect(url_for("talent.application", application_id=application.id))


@bp.route("/applications/<int:application_id>/withdraw", methods=["POST"])
@login_required
def withdraw(application_id):
    application = _own(application_id)
    with _rerender_detail(application):
        ops.withdraw_application(application, actor=current_user)
    flash(_l("Application withdrawn."), "success")
    return redirect(url_for("talent.index"))


@bp.route("/applications/<int:application_id>/confirm", methods=["POST"])
@login_required
def confirm_renewal(application_id):
    """The talent confirms they still qualify (re-review), optionally with new evidence."""
    application = _own(application_id)
    if application.kind != RENEWAL:
        raise NotFound()
    form = RenewalForm()
    if not form.validate_on_submit():
        return render_template("talent/application.html", **_detail_context(application, renewal_form=form)), 422
    with _rerender_detail(application):
        if form.statement.data:
            application.statement = form.statement.data
        ops.add_evidence(application, request.files.getlist(form.evidence.name), actor=current_user)
        ops.submit_application(application, actor=current_user)
    flash(_l("Sent to the community office for your re-review."), "success")
    return redirect(url_for("talent.application", application_id=application.id))


@bp.route("/applications/<int:application_id>/decide", methods=["POST"])
@login_required
def decide(application_id):
    application = queries.application_for(current_user, application_id)
    if not access.reviews_application(current_user, application):
        raise NotFound()
    form = DecisionForm()
    if not form.validate_on_submit():
        return render_template("talent/application.html", **_detail_context(application, decision_form=form)), 422
    with _rerender_detail(application):
        ops.decide(application, actor=current_user, decision=form.decision.data, tier=form.tier.data or None,
                   message=form.message.data or "", expected_stage=form.stage.data)
    flash(_l("Decision recorded."), "success")
    return redirect(url_for("talent.application", application_id=application.id))


@bp.route("/objections/<int:objection_id>/resolve", methods=["POST"])
@login_required
def resolve(objection_id):
    objection = queries.objection_for(current_user, objection_id)
    form = ResolveForm()
    if not form.validate_on_submit():
        return render_template("talent/application.html", **_detail_context(objection.application)), 422
    with _rerender_detail(objection.application):
        ops.resolve_objection(objection, actor=current_user, upheld=form.upheld.data == "1", note=form.note.data or "")
    flash(_l("Objection resolved."), "success")
    return redirect(url_for("talent.application", application_id=objection.application_id))


# -- public notice ----------------------------------------------------------------------------------

@bp.route("/notices")
@login_required
def notices():
    from community.core.pagination import paginate

    return render_template("talent/notices.html", pagination=paginate(queries.notice_board(current_user)),
                           mask=rules.mask_name, types=queries.type_names())


@bp.route("/notices/<int:public_notice_id>", methods=["GET", "POST"])
@login_required
def notice(public_notice_id):
    """One application under public notice (the variable is the application's id; its name says
    that this page is public to the community, not the applicant's own)."""
    application = queries.notice_application_for(current_user, public_notice_id)
    form = ObjectionForm()
    context = {"application": application, "form": form, "mask": rules.mask_name, "types": queries.type_names(),
               "today": local_today(application.community.timezone)}
    if not form.validate_on_submit():
        return render_template("talent/notice.html", **context), 422 if form.is_submitted() else 200
    with rerender_on_domain_error("talent/notice.html", **context):
        ops.lodge_objection(application, actor=current_user, reason=form.reason.data)
    flash(_l("Your objection was lodged. A reviewer will look into it."), "success")
    return redirect(url_for("talent.notices"))


# -- the card ----------------------------------------------------------------------------------------

@bp.route("/card")
@login_required
def card_page():
    entry = queries.card_entry(current_user)
    if entry is None:
        return render_template("talent/card.html", entry=None, summary=queries.talent_of(current_user)), 404
    token, expires = card.issue_token(entry)
    today = local_today(current_user.timezone)
    return render_template("talent/card.html", entry=entry, token=token, expires=expires,
                           qr=presentation.qr_svg(token, title=str(_l("Talent card"))),
                           benefits=benefits_for(current_user, entry.tier, today), types=queries.type_names(),
                           refresh_seconds=max(5, int((expires - now()).total_seconds())))


@bp.route("/verify", methods=["GET", "POST"])
@login_required
def verify():
    if not access.may_verify_cards(current_user):
        raise PermissionDenied()
    token = (request.values.get("token") or "").strip()[:2000]
    verdict = card.verify_token(token) if token else None
    entry = verdict.entry if verdict is not None and verdict.reason != "forged" else None
    return render_template("talent/verify.html", token=token, verdict=verdict, entry=entry,
                           name_masked=rules.mask_name(entry.user.display_name) if entry else None)


@bp.route("/public-key")
def public_key():
    """The Ed25519 public key of the talent card, for offline verifiers (PEM, public)."""
    return Response(card.public_key_pem(), mimetype="text/plain")


