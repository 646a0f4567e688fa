"""Operators' apartment pages: units (search, filters, building/floor grid, CSV import), rounds
(draft, units, publish), the allocation (dry run, commit, ranked CSV) and offers. Every page checks
the community: an operator of another community gets 404."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.accounts.models import Building, Community
from community.apartments import operations as ops
from community.apartments import presentation, queries
from community.apartments.errors import ImportRejected
from community.apartments.forms import ImportForm, OfferUnitsForm, RoundForm, UnitForm, UnitStatusForm
from community.apartments.operations.rounds import ensure_draft
from community.apartments.models import LAYOUTS, UNIT_STATUSES, Application, Round, Unit
from community.core.clock import now
from community.core.csv_export import csv_response
from community.core.errors import NotFound, rerender_on_domain_error
from community.core.forms import PageForm, choices
from community.core.pagination import paginate
from community.core.permissions import COMMUNITY_ADMIN, role_required
from community.extensions import db

bp = Blueprint("apartments_admin", __name__, url_prefix="/admin/apartments")
presentation.register_template_globals(bp)


@bp.before_request
@role_required(COMMUNITY_ADMIN)
def only_operators():
    """Community admins (of some community) and platform admins; each object is checked below."""


def managed(model, ident):
    return queries.managed_or_404(current_user, model, ident)


def building_choices():
    return choices((b.id, f"{b.community.name} · {b.name}" if queries.managed_community_ids(current_user) is None
                    else b.name) for b in queries.buildings_for_admin(current_user))


def managed_building(building_id) -> Building:
    building = db.session.get(Building, building_id)
    if building is None or not queries.may_manage(current_user, building.community_id):
        raise NotFound()
    return building


def community_choices():
    ids = queries.managed_community_ids(current_user)
    stmt = db.select(Community).order_by(Community.name)
    if ids is not None:
        stmt = stmt.where(Community.id.in_(ids or [-1]))
    return choices((c.id, c.name) for c in db.session.scalars(stmt))


# -- rounds -----------------------------------------------------------------------------------

@bp.route("/")
def index():
    return render_template("apartments/admin/index.html", pagination=paginate(queries.rounds_for_admin(current_user)))


def _round_form(round_=None):
    form = RoundForm()
    form.community_id.choices = community_choices()
    if round_ is not None and not form.is_submitted():
        form.fill(round_, round_.community.timezone)
    return form


@bp.route("/rounds/new", methods=["GET", "POST"])
def new_round():
    form = _round_form()
    if not form.is_submitted():
        return render_template("apartments/admin/round_form.html", form=form, round=None)
    if not form.validate():
        return render_template("apartments/admin/round_form.html", form=form, round=None), 422
    community = db.session.get(Community, form.community_id.data)
    if community is None or not queries.may_manage(current_user, community.id):
        raise NotFound()
    with rerender_on_domain_error("apartments/admin/round_form.html", form=form, round=None):
        round_ = ops.create_round(community, actor=current_user, **form.round_fields(community.timezone))
    flash(_("Round drafted. Add the units it offers, then publish it."), "success")
    return redirect(url_for("apartments_admin.round_page", round_id=round_.id))


@bp.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
def edit_round(round_id):
    round_ = managed(Round, round_id)
    ensure_draft(round_)  # a published round's page answers 409: its rules were announced
    form = _round_form(round_)
    form.community_id.data = round_.community_id
    if not form.is_submitted():
        return render_template("apartments/admin/round_form.html", form=form, round=round_)
    if not form.validate():
        return render_template("apartments/admin/round_form.html", form=form, round=round_), 422
    with rerender_on_domain_error("apartments/admin/round_form.html", form=form, round=round_):
        ops.update_round(round_, actor=current_user, **form.round_fields(round_.community.timezone))
    flash(_("Round saved."), "success")
    return redirect(url_for("apartments_admin.round_page", round_id=round_.id))


def render_round(round_, *, offer_form=None, plan=None, status=200):
    if offer_form is None:
        offer_form = OfferUnitsForm(formdata=None)
    offer_form.building_id.choices = choices([(0, _("Any building"))] + [
        (b.id, b.name) for b in round_.community.buildings])
    applications = paginate(queries.ranked_applications(round_), per_page=50)
    households = {}
    if applications.items:
        from community.apartments.models import Household

        households = {h.user_id: h for h in db.session.scalars(db.select(Household).where(
            Household.user_id.in_([a.user_id for a in applications.items])))}
    return render_template("apartments/admin/round.html", round=round_, units=queries.offered_units(round_),
                           offer_form=offer_form, action_form=PageForm(), plan=plan, applications=applications,
                           households=households, offers=queries.offers_of_round(round_),
                           window_open=not round_.applications_closed(now())), status


@bp.route("/rounds/<int:round_id>")
def round_page(round_id):
    return render_round(managed(Round, round_id))


@bp.route("/rounds/<int:round_id>/units", methods=["POST"])
def add_units(round_id):
    round_ = managed(Round, round_id)
    form = OfferUnitsForm()
    form.building_id.choices = choices([(0, "")] + [(b.id, b.name) for b in round_.community.buildings])
    if not form.validate_on_submit():
        return render_round(round_, offer_form=form, status=422)
    with rerender_on_domain_error(render=lambda error: render_round(round_, offer_form=form)):
        units = ops.offer_units(round_, actor=current_user, layout=form.layout.data, count=form.count.data,
                                building_id=form.building_id.data or None)
    flash(_("%(n)s units added.", n=len(units)), "success")
    return redirect(url_for("apartments_admin.round_page", round_id=round_.id))


@bp.route("/rounds/<int:round_id>/units/<int:unit_id>/remove", methods=["POST"])
def remove_unit(round_id, unit_id):
    round_ = managed(Round, round_id)
    if not PageForm().validate_on_submit():
        return redirect(url_for("apartments_admin.round_page", round_id=round_.id))
    with rerender_on_domain_error(render=lambda error: render_round(round_)):
        ops.remove_unit(round_, unit_id, actor=current_user)
    return redirect(url_for("apartments_admin.round_page", round_id=round_.id))


@bp.route("/rounds/<int:round_id>/publish", methods=["POST"])
def publish(round_id):
    round_ = managed(Round, round_id)
    if not PageForm().validate_on_submit():
        return redirect(url_for("apartments_admin.round_page", round_id=round_.id))
    with rerender_on_domain_error(render=lambda error: render_round(round_)):
        ops.publish_round(round_, actor=current_user)
    flash(_("Published. The rules are frozen and the lottery seed's SHA-256 is public."), "success")
    return redirect(url_for("apartments_admin.round_page", round_id=round_.id))


@bp.route("/rounds/<int:round_id>/dry-run")
def dry_run(round_id):
    round_ = managed(Round, round_id)
    with rerender_on_domain_error(render=lambda error: render_round(round_)):
        plan = ops.plan(round_)
    return render_template("apartments/admin/dry_run.html", round=round_, plan=plan, action_form=PageForm())


@bp.route("/rounds/<int:round_id>/allocate", methods=["POST"])
def allocate(round_id):
    round_ = managed(Round, round_id)
    if not PageForm().validate_on_submit():
        return redirect(url_for("apartments_admin.round_page", round_id=round_.id))
    with rerender_on_domain_error(render=lambda error: render_round(round_)):
        plan = ops.commit_allocation(round_, actor=current_user)
    counts = plan.counts()
    flash(_("Allocated: %(n)s units offered, %(w)s on the waitlist. The result notice is published.",
            n=counts["allocated"], w=counts["waitlisted"]), "success")
    return redirect(url_for("apartments_admin.round_page", round_id=round_.id))


@bp.route("/rounds/<int:round_id>/ranking.csv")
def ranking_csv(round_id):
    round_ = managed(Round, round_id)
    rows = ([a.rank or "", a.user.display_name, "" if a.score is None else a.score, a.lottery_number or "",
             str(presentation.outcome_label(a.outcome)) if a.outcome else "",
             f"{a.unit.building.name} {a.unit.number}" if a.unit else ""]
            for a in db.session.scalars(queries.ranked_applications(round_)))
    return csv_response(f"round-{round_.id}-ranking.csv",
                        [_("Rank"), _("Full name"), _("Points"), _("Lottery number"), _("Outcome"), _("Unit")], rows)


# -- units ------------------------------------------------------------------------------------

@bp.route("/units")
def units():
    args = request.args
    try:
        building_id = int(args.get("building_id") or 0) or None
        floor = int(args["floor"]) if args.get("floor") else None
    except ValueError:
        building_id = floor = None
    layout = args.get("layout") if args.get("layout") in LAYOUTS else None
    status = args.get("status") if args.get("status") in UNIT_STATUSES else None
    q = (args.get("q") or "").strip()[:20]
    stmt = queries.units_for_admin(current_user, q=q, building_id=building_id, layout=layout, status=status, floor=floor)
    return render_template("apartments/admin/units.html", pagination=paginate(stmt, per_page=50),
                           buildings=queries.buildings_for_admin(current_user), q=q, building_id=building_id,
                           layout=layout, status=status, floor=floor)


@bp.route("/buildings/<int:building_id>/grid")
def grid(building_id):
    building = managed_building(building_id)
    return render_template("apartments/admin/grid.html", building=building, grid=queries.building_grid(building))


def _unit_form():
    form = UnitForm()
    form.building_id.choices = building_choices()
    return form


@bp.route("/units/new", methods=["GET", "POST"])
def new_unit():
    form = _unit_form()
    if not form.is_submitted():
        return render_template("apartments/admin/unit_form.html", form=form, unit=None)
    if not form.validate():
        return render_template("apartments/admin/unit_form.html", form=form, unit=None), 422
    building = managed_building(form.building_id.data)
    with rerender_on_domain_error("apartments/admin/unit_form.html", form=form, unit=None):
        unit = ops.create_unit(building, actor=current_user, **form.unit_fields())
    flash(_("Unit %(number)s created.", number=unit.number), "success")
    return redirect(url_for("apartments_admin.units", building_id=building.id))


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
def edit_unit(unit_id):
    unit = managed(Unit, unit_id)
    form = _unit_form()
    status_form = UnitStatusForm(formdata=None, status=unit.status)
    if not form.is_submitted():
        form.fill(unit)
        return render_template("apartments/admin/unit_form.html", form=form, unit=unit, status_form=status_form)
    form.building_id.data = unit.building_id
    if not form.validate():
        return render_template("apartments/admin/unit_form.html", form=form, unit=unit, status_form=status_form), 422
    with rerender_on_domain_error("apartments/admin/unit_form.html", form=form, unit=unit, status_form=status_form):
        ops.update_unit(unit, actor=current_user, **form.unit_fields())
    flash(_("Unit %(number)s saved.", number=unit.number), "success")
    return redirect(url_for("apartments_admin.units", building_id=unit.building_id))


@bp.route("/units/<int:unit_id>/status", methods=["POST"])
def unit_status(unit_id):
    unit = managed(Unit, unit_id)
    form = UnitStatusForm()
    if not form.validate_on_submit():
        return redirect(url_for("apartments_admin.edit_unit", unit_id=unit.id))
    with rerender_on_domain_error(render=lambda error: redirect(url_for("apartments_admin.units"))):
        ops.set_unit_status(unit, form.status.data, actor=current_user)
    flash(_("Unit %(number)s is now %(status)s.", number=unit.number,
            status=presentation.unit_status_label(unit.status)), "success")
    return redirect(url_for("apartments_admin.edit_unit", unit_id=unit.id))


@bp.route("/units/import", methods=["GET", "POST"])
def import_units():
    form = ImportForm()
    form.building_id.choices = building_choices()
    if not form.is_submitted():
        return render_template("apartments/admin/import.html", form=form, errors=[])
    if not form.validate():
        return render_template("apartments/admin/import.html", form=form, errors=[]), 422
    building = managed_building(form.building_id.data)
    data = form.file.data.read(2_000_001)
    render = lambda error: render_template("apartments/admin/import.html", form=form,  # noqa: E731
                                           errors=error.extra.get("errors", []))
    with rerender_on_domain_error(render=render):
        if len(data) > 2_000_000:
            raise ImportRejected(errors=[{"line": 1, "message": _("The file is larger than 2 MB.")}])
        units = ops.import_units(building, data, actor=current_user)
    flash(_("%(n)s units imported into %(building)s.", n=len(units), building=building.name), "success")
    return redirect(url_for("apartments_admin.grid", building_id=building.id))


@bp.route("/units/template.csv")
def import_template():
    body = "\ufeffnumber,floor,layout,area_m2,orientation,furnished,accessible,rent_yuan,deposit_yuan\n" \
           "101,1,1b1l,45.5,south,yes,no,2500,5000\n"
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="units-template.csv"'})


@bp.route("/applications/<int:application_id>")
def application(application_id):
    application = managed(Application, application_id)
    return render_template("apartments/admin/application.html", application=application,
                           household=queries.household_of(application.user),
                           buildings={b.id: b for b in application.round.community.buildings})
