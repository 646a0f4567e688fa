"""The office's pages: service-desk settings (categories, SLA policies, the working calendar,
specialists' categories and leave, canned replies) and the report with its CSV. Community
admins of the community only; everything else answers 404/403 through the queries."""
from datetime import date, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.accounts.models import User
from community.core.clock import local_today
from community.core.csv_export import csv_response
from community.core.errors import NotFound, rerender_on_domain_error
from community.core.permissions import COMMUNITY_ADMIN, SPECIALIST, has_role, role_required
from community.extensions import db
from community.tickets import operations as ops
from community.tickets import presentation, queries, report
from community.tickets.errors import TicketRuleViolation
from community.tickets.models import PRIORITIES, CannedReply, SlaPolicy, SpecialistLeave, TicketCategory

bp = Blueprint("tickets_admin", __name__, url_prefix="/admin/tickets")
WEEKDAYS = range(7)


def _int(text):
    return int(text) if text and str(text).isdigit() and len(str(text)) < 12 else None


def _community():
    """The community asked for (?community=, or the form's), else the first the caller runs."""
    communities = queries.administered_communities(current_user)
    wanted = _int(request.values.get("community"))
    if wanted is not None:
        match = next((c for c in communities if c.id == wanted), None)
        if match is None:
            raise NotFound()
        return match, communities
    if not communities:
        raise NotFound()
    return communities[0], communities


def _owned(model, ident):
    obj = db.session.get(model, ident)
    if obj is None or not queries.is_admin(current_user, obj.community_id):
        raise NotFound()
    return obj


@bp.route("/")
@role_required(COMMUNITY_ADMIN)
def index():
    community, communities = _community()
    today = local_today(community.timezone)
    return render_template("tickets/admin/index.html", community=community, communities=communities,
                           categories=queries.categories_of(community.id, active_only=False),
                           policies=queries.policies_of(community.id), calendar=queries.calendar_row(community.id),
                           specialists=queries.specialists_of(community.id), coverage=queries.coverage_of(community.id),
                           leaves=queries.leaves_of(community.id, from_day=today),
                           canned=queries.canned_replies_of(community.id),
                           open_counts=queries.open_count_by_assignee(community.id))


# -- categories ---------------------------------------------------------------------------------

def _category_page(community, category, form, error=None, status=200):
    return render_template("tickets/admin/category.html", community=community, category=category, form=form,
                           policies=queries.policies_of(community.id), priorities=PRIORITIES,
                           domain_error=error), status


@bp.route("/categories/new", methods=["GET", "POST"])
@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@role_required(COMMUNITY_ADMIN)
def category(category_id=None):
    existing = _owned(TicketCategory, category_id) if category_id else None
    community = existing.community_id if existing else _community()[0].id
    from community.accounts.models import Community

    community = db.session.get(Community, community)
    if request.method == "GET":
        form = ({"name": existing.name, "description": existing.description,
                 "sla_policy_id": existing.sla_policy_id or "", "default_priority": existing.default_priority,
                 "position": existing.position, "active": "1" if existing.active else ""} if existing
                else {"default_priority": "normal", "active": "1", "position": 0})
        return _category_page(community, existing, form)
    form = request.form
    with rerender_on_domain_error(render=lambda e: _category_page(community, existing, form, e, e.status)):
        ops.save_category(community.id, actor=current_user, name=form.get("name"), description=form.get("description"),
                          sla_policy_id=_int(form.get("sla_policy_id")), default_priority=form.get("default_priority"),
                          position=_int(form.get("position")) or 0, active=form.get("active") == "1",
                          category=existing)
    flash(_("Category saved."), "success")
    return redirect(url_for("tickets_admin.index", community=community.id))


# -- SLA policies -------------------------------------------------------------------------------

def _policy_page(community, policy, form, error=None, status=200):
    return render_template("tickets/admin/policy.html", community=community, policy=policy, form=form,
                           priorities=PRIORITIES, domain_error=error), status


def _targets(form):
    targets = {}
    for priority in PRIORITIES:
        first, resolution = _int(form.get(f"{priority}_first")), _int(form.get(f"{priority}_resolution"))
        if first is None or resolution is None:
            raise TicketRuleViolation(_("Give both targets in minutes for every priority."),
                                      field=f"{priority}_first")
        targets[priority] = (first, resolution)
    return targets


@bp.route("/policies/new", methods=["GET", "POST"])
@bp.route("/policies/<int:policy_id>", methods=["GET", "POST"])
@role_required(COMMUNITY_ADMIN)
def policy(policy_id=None):
    from community.accounts.models import Community
    from community.tickets.rules import DEFAULT_TARGETS

    existing = _owned(SlaPolicy, policy_id) if policy_id else None
    community = db.session.get(Community, existing.community_id) if existing else _community()[0]
    if request.method == "GET":
        form = {"name": existing.name if existing else ""}
        for priority in PRIORITIES:
            target = existing.target_for(priority) if existing else None
            first, resolution = ((target.first_response_minutes, target.resolution_minutes) if target
                                 else DEFAULT_TARGETS[priority])
            form[f"{priority}_first"], form[f"{priority}_resolution"] = first, resolution
        return _policy_page(community, existing, form)
    form = request.form
    with rerender_on_domain_error(render=lambda e: _policy_page(community, existing, form, e, e.status)):
        ops.save_policy(community.id, actor=current_user, name=form.get("name"), targets=_targets(form), policy=existing)
    flash(_("SLA policy saved."), "success")
    return redirect(url_for("tickets_admin.index", community=community.id))


# -- the calendar -------------------------------------------------------------------------------

def _parse_days(text):
    """Lines "2026-10-01 holiday 国庆节" / "2026-09-27 workday 调休"."""
    days = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        parts = line.split(maxsplit=2)
        if not parts:
            continue
        try:
            day = date.fromisoformat(parts[0])
        except ValueError:
            raise TicketRuleViolation(_("Line %(n)d: start with a date like 2026-10-01.", n=number), field="days") from None
        kind = parts[1] if len(parts) > 1 else ""
        if kind not in ("holiday", "workday"):
            raise TicketRuleViolation(_("Line %(n)d: write holiday or workday after the date.", n=number),
                                      field="days")
        days.append((day, kind, parts[2] if len(parts) > 2 else ""))
    return days


def _calendar_page(community, form, error=None, status=200):
    return render_template("tickets/admin/calendar.html", community=community, form=form, weekdays=WEEKDAYS,
                           domain_error=error), status


@bp.route("/calendar", methods=["GET", "POST"])
@role_required(COMMUNITY_ADMIN)
def calendar():
    community, _communities = _community()
    if request.method == "GET":
        row = queries.calendar_row(community.id)
        from community.tickets.business_hours import DEFAULT_HOURS, format_intervals

        weekly = row.weekly_hours if row else {str(d): format_intervals(DEFAULT_HOURS) if d < 5 else "" for d in WEEKDAYS}
        form = {f"hours_{d}": weekly.get(str(d), "") for d in WEEKDAYS}
        form["makeup_hours"] = row.makeup_hours if row else ""
        form["days"] = "\n".join(f"{d.day.isoformat()} {d.kind} {d.name}".strip() for d in (row.days if row else []))
        return _calendar_page(community, form)
    form = request.form
    with rerender_on_domain_error(render=lambda e: _calendar_page(community, form, e, e.status)):
        ops.save_calendar(community.id, actor=current_user,
                          weekly_texts={d: form.get(f"hours_{d}", "") for d in WEEKDAYS},
                          makeup_hours=form.get("makeup_hours", ""), days=_parse_days(form.get("days")))
    flash(_("Working calendar saved. New requests are timed by it."), "success")
    return redirect(url_for("tickets_admin.index", community=community.id))


# -- specialists --------------------------------------------------------------------------------

def _specialist(community, user_id):
    user = db.session.get(User, user_id)
    if user is None or not has_role(user, SPECIALIST, community.id):
        raise NotFound()
    return user


def _specialist_page(community, user, error=None, status=200, form=None):
    return render_template("tickets/admin/specialist.html", community=community, user=user,
                           categories=queries.categories_of(community.id, active_only=False),
                           covered=queries.coverage_of(community.id).get(user.id, set()),
                           leaves=[l for l in queries.leaves_of(community.id) if l.user_id == user.id],
                           domain_error=error, form=form or {}), status


@bp.route("/specialists/<int:user_id>", methods=["GET", "POST"])
@role_required(COMMUNITY_ADMIN)
def specialist(user_id):
    community, _communities = _community()
    user = _specialist(community, user_id)
    if request.method == "GET":
        return _specialist_page(community, user)
    chosen = {i for i in (_int(v) for v in request.form.getlist("category_ids")) if i is not None}
    with rerender_on_domain_error(render=lambda e: _specialist_page(community, user, e, e.status)):
        ops.set_coverage(community.id, user, chosen, actor=current_user)
    flash(_("Categories saved."), "success")
    return redirect(url_for("tickets_admin.specialist", user_id=user.id, community=community.id))


@bp.route("/specialists/<int:user_id>/leave", methods=["POST"])
@role_required(COMMUNITY_ADMIN)
def add_leave(user_id):
    community, _communities = _community()
    user = _specialist(community, user_id)
    form = request.form
    with rerender_on_domain_error(render=lambda e: _specialist_page(community, user, e, e.status, form)):
        try:
            starts_on, ends_on = date.fromisoformat(form.get("starts_on", "")), date.fromisoformat(form.get("ends_on", ""))
        except ValueError:
            raise TicketRuleViolation(_("Give the first and the last day."), field="starts_on") from None
        ops.add_leave(community.id, user, starts_on=starts_on, ends_on=ends_on, note=form.get("note", ""),
                      actor=current_user)
    flash(_("Leave added: no new requests go to %(name)s on those days.", name=user.display_name), "success")
    return redirect(url_for("tickets_admin.specialist", user_id=user.id, community=community.id))


@bp.route("/leaves/<int:leave_id>/remove", methods=["POST"])
@role_required(COMMUNITY_ADMIN)
def remove_leave(leave_id):
    leave = _owned(SpecialistLeave, leave_id)
    ops.remove_leave(leave, actor=current_user)
    flash(_("Leave removed."), "success")
    return redirect(url_for("tickets_admin.specialist", user_id=leave.user_id, community=leave.community_id))


# -- canned replies -----------------------------------------------------------------------------

def _canned_page(community, canned, form, error=None, status=200):
    return render_template("tickets/admin/canned.html", community=community, canned=canned, form=form,
                           domain_error=error), status


@bp.route("/canned/new", methods=["GET", "POST"])
@bp.route("/canned/<int:canned_id>", methods=["GET", "POST"])
@role_required(COMMUNITY_ADMIN)
def canned(canned_id=None):
    from community.accounts.models import Community

    existing = _owned(CannedReply, canned_id) if canned_id else None
    community = db.session.get(Community, existing.community_id) if existing else _community()[0]
    if request.method == "GET":
        return _canned_page(community, existing, {"title": existing.title, "body": existing.body} if existing else {})
    form = request.form
    with rerender_on_domain_error(render=lambda e: _canned_page(community, existing, form, e, e.status)):
        ops.save_canned_reply(community.id, actor=current_user, title=form.get("title"), body=form.get("body"),
                              canned=existing)
    flash(_("Canned reply saved."), "success")
    return redirect(url_for("tickets_admin.index", community=community.id))


@bp.route("/canned/<int:canned_id>/remove", methods=["POST"])
@role_required(COMMUNITY_ADMIN)
def remove_canned(canned_id):
    existing = _owned(CannedReply, canned_id)
    community_id = existing.community_id
    ops.remove_canned_reply(existing, actor=current_user)
    flash(_("Canned reply removed."), "success")
    return redirect(url_for("tickets_admin.index", community=community_id))


# -- the report ---------------------------------------------------------------------------------

def _period(community):
    today = local_today(community.timezone)
    default_start, default_end = report.quarter_of(today)
    try:
        start = date.fromisoformat(request.args["start"]) if request.args.get("start") else default_start
        end = date.fromisoformat(request.args["end"]) if request.args.get("end") else default_end
    except ValueError:
        raise TicketRuleViolation(_("Give dates like 2026-10-01."), field="start") from None
    if end <= start or (end - start).days > 366 or start.year < 2000 or end.year > 2100:
        raise TicketRuleViolation(_("The period runs forward, at most a year."), field="end")
    return start, end


@bp.route("/report", endpoint="report")
@role_required(COMMUNITY_ADMIN)
def report_page():
    community, communities = _community()
    with rerender_on_domain_error(render=lambda e: (render_template(
            "tickets/admin/report.html", community=community, communities=communities, data=None, chart=None,
            start=request.args.get("start", ""), end=request.args.get("end", ""), domain_error=e), e.status)):
        start, end = _period(community)
    data = report.build(community, start, end)
    return render_template("tickets/admin/report.html", community=community, communities=communities, data=data,
                           chart=report.week_chart(data), start=start.isoformat(), end=end.isoformat(),
                           quarters=_quarters(local_today(community.timezone)))


def _quarters(today):
    out, start = [], report.quarter_of(today)[0]
    for _i in range(4):
        q_start, q_end = report.quarter_of(start)
        out.append((q_start, q_end))
        start = (q_start - timedelta(days=1))
    return out


@bp.route("/report.csv")
@role_required(COMMUNITY_ADMIN)
def report_csv():
    community, _communities = _community()
    with rerender_on_domain_error(render=lambda e: (e.message, e.status)):
        start, end = _period(community)
    data = report.build(community, start, end)

    def row(group, name, t):
        return [group, name, t.received, t.answered_in_time, presentation.percent(t.answered_rate),
                t.resolved_in_time, presentation.percent(t.resolved_rate),
                "" if t.median_first_response is None else t.median_first_response,
                "" if t.median_resolution is None else t.median_resolution,
                presentation.percent(t.reopen_rate),
                "" if t.average_rating is None else f"{t.average_rating:.2f}"]

    rows = [row(_("Total"), community.name, data.total)]
    rows += [row(_("Category"), name, t) for name, t in data.by_category]
    rows += [row(_("Specialist"), name or _("Community queue"), t) for name, t in data.by_specialist]
    rows += [row(_("Week"), monday.isoformat(), t) for monday, t in data.by_week]
    return csv_response(f"service-report-{community.id}-{start.isoformat()}-{end.isoformat()}.csv",
                        [_("Group"), _("Name"), _("Received"), _("Answered within target"), _("Answered rate"),
                         _("Resolved within target"), _("Resolved rate"),
                         _("Median first response (business minutes)"), _("Median resolution (business minutes)"),
                         _("Reopen rate"), _("Average rating")], rows)
