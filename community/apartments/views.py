"""Residents' apartment pages: rounds, eligibility with reasons, apply / edit / withdraw, results,
offers, and the household. Thin: parse, check access, call one operation, render."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.apartments import operations as ops
from community.apartments import presentation, queries
from community.apartments.forms import HouseholdForm, MemberForm, PreferencesForm
from community.apartments.models import ALLOCATED, HouseholdMember
from community.core.clock import now
from community.core.errors import NotFound, rerender_on_domain_error
from community.core.forms import PageForm
from community.core.pagination import paginate
from community.core.permissions import RESIDENT, role_required
from community.extensions import db

bp = Blueprint("apartments", __name__, url_prefix="/apartments")
presentation.register_template_globals(bp)


@bp.before_request
@role_required(RESIDENT)
def residents_only():
    """Every page here is a resident's own (platform admins pass as every role)."""


def preference_options(round_) -> list[tuple[str, str]]:
    layouts = queries.offered_layouts(round_)
    buildings = queries.offered_buildings(round_)
    return ([(f"layout:{code}", str(presentation.layout_label(code))) for code in layouts] +
            [(f"building:{b.id}", _("Any unit in %(building)s", building=b.name)) for b in buildings])


@bp.route("/")
def index():
    rounds = paginate(queries.rounds_for_resident(current_user))
    applications = list(db.session.scalars(queries.applications_of(current_user).limit(20)))
    offers = list(db.session.scalars(queries.offers_of(current_user).limit(20)))
    return render_template("apartments/index.html", pagination=rounds, applications=applications, offers=offers,
                           at=now(), drafts={o.id: queries.lease_draft_of(o) for o in offers})


def render_round(round_, form=None, status=200, **extra):
    application = queries.application_of(current_user, round_)
    reasons = ops.check_eligibility(round_, current_user) if round_.status != ALLOCATED else []
    if form is None:
        form = PreferencesForm()
        form.set_options(preference_options(round_))
        if application is not None:
            form.fill(application.preferences)
    results = list(db.session.scalars(queries.ranked_applications(round_).limit(500))) \
        if round_.status == ALLOCATED else []
    return render_template("apartments/round.html", round=round_, units=queries.offered_units(round_),
                           application=application, reasons=reasons, form=form, withdraw_form=PageForm(),
                           is_open=round_.accepting_applications(now()),
                           results=results, household=queries.household_of(current_user),
                           buildings={b.id: b for b in queries.offered_buildings(round_)}, **extra), status


@bp.route("/rounds/<int:round_id>")
def round_page(round_id):
    return render_round(queries.round_for_resident(current_user, round_id))


@bp.route("/rounds/<int:round_id>/apply", methods=["POST"])
def apply(round_id):
    round_ = queries.round_for_resident(current_user, round_id)
    form = PreferencesForm()
    form.set_options(preference_options(round_))
    if not form.validate_on_submit():
        return render_round(round_, form, 422)
    with rerender_on_domain_error(render=lambda error: render_round(round_, form)):
        application = queries.application_of(current_user, round_)
        if application is not None and application.status == "submitted":
            ops.update_preferences(application, form.preferences(), actor=current_user)
            flash(_("Your preferences are saved."), "success")
        else:
            ops.apply(round_, current_user, form.preferences(), actor=current_user)
            flash(_("Your application is in. You can change or withdraw it until the window closes."), "success")
    return redirect(url_for("apartments.round_page", round_id=round_.id))


@bp.route("/rounds/<int:round_id>/withdraw", methods=["POST"])
def withdraw(round_id):
    round_ = queries.round_for_resident(current_user, round_id)
    application = queries.application_of(current_user, round_)
    if application is None or not PageForm().validate_on_submit():
        raise NotFound()
    with rerender_on_domain_error(render=lambda error: render_round(round_)):
        ops.withdraw(application, actor=current_user)
    flash(_("Your application is withdrawn."), "success")
    return redirect(url_for("apartments.round_page", round_id=round_.id))


@bp.route("/offers/<int:offer_id>/<any(accept, decline):decision>", methods=["POST"])
def decide_offer(offer_id, decision):
    offer = queries.own_offer_or_404(current_user, offer_id)
    if not PageForm().validate_on_submit():
        return redirect(url_for("apartments.index"))

    def refused(error):
        return render_template("apartments/index.html", pagination=paginate(queries.rounds_for_resident(current_user)),
                               applications=list(db.session.scalars(queries.applications_of(current_user).limit(20))),
                               offers=list(db.session.scalars(queries.offers_of(current_user).limit(20))), at=now(),
                               drafts={})

    with rerender_on_domain_error(render=refused):
        if decision == "accept":
            ops.accept_offer(offer, actor=current_user)
            flash(_("Accepted: the unit is reserved for you. Read and sign its lease on My apartment."),
                  "success")
        else:
            ops.decline_offer(offer, actor=current_user)
            flash(_("Declined: the unit passes to the next applicant."), "info")
    return redirect(url_for("apartments.index"))


def render_household(form=None, member_form=None, status=200):
    household = queries.household_of(current_user)
    if form is None:
        form = HouseholdForm(obj=household)
    return render_template("apartments/household.html", household=household, form=form,
                           member_form=member_form or MemberForm(formdata=None), remove_form=PageForm()), status


@bp.route("/household", methods=["GET", "POST"])
def household():
    form = HouseholdForm()
    if not form.is_submitted():
        return render_household()
    if not form.validate():
        return render_household(form, status=422)
    with rerender_on_domain_error(render=lambda error: render_household(form)):
        ops.save_household(current_user, employer=form.employer.data or "",
                           employer_district=form.employer_district.data or "", industry=form.industry.data or "",
                           actor=current_user)
    flash(_("Household saved."), "success")
    return redirect(url_for("apartments.household"))


@bp.route("/household/members", methods=["POST"])
def add_member():
    form = MemberForm()
    if not form.validate_on_submit():
        return render_household(member_form=form, status=422)
    with rerender_on_domain_error(render=lambda error: render_household(member_form=form)):
        ops.add_member(current_user, name=form.name.data, relation=form.relation.data,
                       birth_year=form.birth_year.data, actor=current_user)
    flash(_("Household member added."), "success")
    return redirect(url_for("apartments.household"))


@bp.route("/household/members/<int:member_id>/remove", methods=["POST"])
def remove_member(member_id):
    member = db.session.get(HouseholdMember, member_id)
    household = queries.household_of(current_user)
    if member is None or household is None or member.household_id != household.id:
        raise NotFound()
    if not PageForm().validate_on_submit():
        return redirect(url_for("apartments.household"))
    ops.remove_member(current_user, member, actor=current_user)
    flash(_("Household member removed."), "success")
    return redirect(url_for("apartments.household"))
