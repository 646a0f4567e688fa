"""Residents' request pages (file, my requests, one request) and the staff's queue and ticket
page. Thin: parse, check access, call one operation, render. A resident's page is drawn from
queries that leave internal notes out; only the staff page asks for them."""
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.accounts.models import User
from community.core.clock import local_today, now
from community.core.errors import NotFound, rerender_on_domain_error
from community.core.pagination import paginate, paginate_rows
from community.core.permissions import COMMUNITY_ADMIN, PLATFORM_ADMIN, RESIDENT, SPECIALIST, role_required
from community.extensions import db
from community.tickets import operations as ops
from community.tickets.errors import TicketRuleViolation
from community.tickets import presentation, queries, rules
from community.tickets.models import PRIORITIES, STATUSES, Ticket

bp = Blueprint("tickets", __name__, url_prefix="/tickets")
STAFF = (SPECIALIST, COMMUNITY_ADMIN, PLATFORM_ADMIN)


def register_template_globals(app):
    for helper in presentation.HELPERS:
        app.add_template_global(helper)


def _int(text):
    return int(text) if text and text.isdigit() and len(text) < 12 else None


# -- residents ----------------------------------------------------------------------------------

@bp.route("/")
@role_required(RESIDENT)
def index():
    status = request.args.get("status", "")
    status = status if status in ("open", *STATUSES) else ""
    pagination = paginate(queries.resident_tickets(current_user, status=status), per_page=20)
    return render_template("tickets/index.html", pagination=pagination, status=status)


def _filing_context(form=None):
    community_id = current_user.community_id
    categories = [c for c in queries.categories_for(current_user)
                  if c.community_id == community_id or community_id is None]
    buildings = queries.buildings_of(categories[0].community_id) if categories else []
    return {"categories": categories, "buildings": buildings, "form": form or {}, "max_photos": rules.MAX_PHOTOS}


@bp.route("/new", methods=["GET", "POST"])
@role_required(RESIDENT)
def new():
    if request.method == "GET":
        return render_template("tickets/new.html", **_filing_context())
    form = request.form
    with rerender_on_domain_error(render=lambda error: (render_template(
            "tickets/new.html", domain_error=error, **_filing_context(form)), error.status)):
        category_id = _int(form.get("category_id"))
        if category_id is None:
            raise ops_error("category_id")
        category = queries.category_for_filing(current_user, category_id)
        location = form.get("location", "public")
        building_id = _int(location.removeprefix("building:")) if location.startswith("building:") else None
        ticket = ops.file_ticket(current_user, category, title=form.get("title"), description=form.get("description"),
                                 location_kind="building" if building_id else "public", building_id=building_id,
                                 location_detail=form.get("location_detail", ""),
                                 contact_time=form.get("contact_time", ""),
                                 photos=request.files.getlist("photos"))
    flash(_("Request %(reference)s received. We will answer you here.", reference=ticket.reference), "success")
    return redirect(url_for("tickets.detail", ticket_id=ticket.id))


def ops_error(field):
    from community.tickets.errors import TicketRuleViolation

    return TicketRuleViolation(_("Choose a category."), field=field)


def _resident_ticket(ticket_id) -> Ticket:
    ticket = queries.ticket_for(current_user, ticket_id)
    if ticket.resident_id != current_user.id:
        raise NotFound()
    return ticket


def _resident_page(ticket, *, status=200, error=None, form=None):
    return render_template("tickets/detail.html", ticket=ticket, domain_error=error, form=form or {},
                           items=(items := queries.timeline(ticket, include_internal=False)),
                           files=queries.files_of_replies([r for kind, r in items if kind == "reply"]),
                           photos=queries.photos_of(ticket), at=now(),
                           may_confirm=ticket.status == "resolved" and rules.within_reopen_window(ticket.resolved_at, now()),
                           ), status


@bp.route("/<int:ticket_id>")
@role_required(RESIDENT, *STAFF)
def detail(ticket_id):
    ticket = queries.ticket_for(current_user, ticket_id)
    if ticket.resident_id != current_user.id:
        return redirect(url_for("tickets.staff_detail", ticket_id=ticket.id))
    return _resident_page(ticket)


@bp.route("/<int:ticket_id>/reply", methods=["POST"])
@role_required(RESIDENT)
def reply(ticket_id):
    ticket = _resident_ticket(ticket_id)
    with rerender_on_domain_error(render=lambda e: _resident_page(ticket, status=e.status, error=e, form=request.form)):
        ops.add_reply(ticket, current_user, request.form.get("body", ""), files=request.files.getlist("files"))
    flash(_("Your reply was sent."), "success")
    return redirect(url_for("tickets.detail", ticket_id=ticket.id))


@bp.route("/<int:ticket_id>/status", methods=["POST"])
@role_required(RESIDENT)
def status(ticket_id):
    ticket = _resident_ticket(ticket_id)
    with rerender_on_domain_error(render=lambda e: _resident_page(ticket, status=e.status, error=e)):
        ops.change_status(ticket, current_user, request.form.get("status", ""))
    flash(_("Thank you: the request is closed. You can rate the service below.") if ticket.status == "closed"
          else _("The request is reopened; the specialist follows it up."), "success")
    return redirect(url_for("tickets.detail", ticket_id=ticket.id))


@bp.route("/<int:ticket_id>/rate", methods=["POST"])
@role_required(RESIDENT)
def rate(ticket_id):
    ticket = _resident_ticket(ticket_id)
    score = _int(request.form.get("score"))
    with rerender_on_domain_error(render=lambda e: _resident_page(ticket, status=e.status, error=e, form=request.form)):
        ops.rate(ticket, current_user, score, request.form.get("comment", ""))
    flash(_("Thank you for rating the service."), "success")
    return redirect(url_for("tickets.detail", ticket_id=ticket.id))


class QueueRow:
    """What a queue row shows, as plain values: attributes (not dict keys), so each of the
    template's lookups is one getattr."""

    __slots__ = ("id", "title", "reference", "status", "status_label", "badge", "category", "priority", "assignee",
                 "breached", "due", "url")

    def __init__(self, **values):
        for name, value in values.items():
            setattr(self, name, value)


def _queue_rows(tickets, zones, statuses, priorities):
    """The rows of the page from plain rows (queries.queue_page): each label translated once a
    page, each due instant formatted with the page's one set of locale patterns, the detail URL
    built once."""
    times = presentation.LocalTimes()
    due_text = _("due %(when)s", when="\x00")
    unassigned = _("unassigned")
    link = url_for("tickets.staff_detail", ticket_id=987654321)
    showing_due = {"new", "assigned", "in_progress", "reopened"}
    rows = []
    for t in tickets:
        due_at = t.first_response_due_at if t.first_response_at is None else t.resolution_due_at
        rows.append(QueueRow(
            id=t.id, title=t.title, reference=t.reference, status=t.status,
            status_label=statuses.get(t.status, t.status), badge=presentation.status_badge(t.status),
            category=t.category, priority=priorities.get(t.priority, t.priority),
            assignee=t.assignee if t.assignee is not None else unassigned,
            breached=bool(t.first_response_breached_at or t.resolution_breached_at),
            due=due_text.replace("\x00", times(due_at, zones.get(t.community_id) or "Asia/Shanghai"))
            if due_at is not None and t.status in showing_due else "",
            url=link.replace("987654321", str(t.id))))
    return rows


# -- staff --------------------------------------------------------------------------------------

QUEUE_SCOPES = ("mine", "unassigned", "all")


@bp.route("/queue")
@role_required(SPECIALIST, COMMUNITY_ADMIN)
def queue():
    """The specialist's home: their queue, the community queue, filters, search, sort by due.
    Drawn from plain rows: the page is one statement (with its total), the communities and the
    categories one each, labels translated once a page."""
    args = request.args
    user = current_user._get_current_object()
    communities, categories = queries.queue_filter_rows(user)
    community_id = _int(args.get("community"))
    if community_id is not None and community_id not in {c.id for c in communities}:
        raise NotFound()
    admin_ids = queries.admin_community_ids(user)
    is_admin = admin_ids is None or bool(admin_ids)
    is_specialist = queries.specialists_of_any(user)
    scope = args.get("scope") or ("mine" if is_specialist else "all")
    community_ids = [c.id for c in communities]
    specialists = queries.specialists_of_communities(community_ids) if is_admin else []
    if scope not in QUEUE_SCOPES and not (is_admin and scope.isdigit()):
        scope = "mine"
    status = args.get("status", "") if args.get("status", "") in ("", "open", "any", *STATUSES) else ""
    priority = args.get("priority", "") if args.get("priority", "") in PRIORITIES else ""
    due = args.get("due", "") if args.get("due", "") in ("soon", "breached") else ""
    sort = "new" if args.get("sort") == "new" else "due"
    search = (args.get("q") or "").strip()[:100]
    at = now()
    category = _int(args.get("category"))
    stmt = queries.queue_page(user, scope=scope, community_id=community_id, status=status, category_id=category,
                              priority=priority, due=due, search=search, at=at, sort=sort)
    pagination = paginate_rows(stmt, per_page=25)
    statuses = {code: str(label) for code, label in presentation.STATUS_LABELS.items()}
    priorities = {code: str(label) for code, label in presentation.PRIORITY_LABELS.items()}
    rows = _queue_rows(pagination.items, {c.id: c.timezone for c in communities}, statuses, priorities)
    return render_template("tickets/queue.html", pagination=pagination, rows=rows,
                           scope=scope, status=status, priority=priority,
                           due=due, sort=sort, search=search, category=category,
                           categories=categories, communities=communities,
                           community_id=community_id, specialists=specialists, is_admin=is_admin, at=at,
                           is_specialist=is_specialist,
                           priority_options=[(p, priorities.get(p, p)) for p in PRIORITIES],
                           status_options=[(s, statuses.get(s, s)) for s in STATUSES])


def _staff_page(ticket, *, status=200, error=None, form=None):
    at = now()
    calendar = queries.calendar_for(ticket.community)
    return render_template("tickets/staff_detail.html", ticket=ticket, domain_error=error, form=form or {},
                           items=(items := queries.timeline(ticket, include_internal=True)),
                           files=queries.files_of_replies([r for kind, r in items if kind == "reply"]),
                           photos=queries.photos_of(ticket),
                           left=ops.remaining_minutes(ticket, calendar, at), at=at,
                           specialists=queries.specialists_of(ticket.community_id),
                           canned=queries.canned_replies_of(ticket.community_id),
                           transitions=sorted(rules.STAFF_TRANSITIONS.get(ticket.status, ())),
                           priorities=PRIORITIES, is_admin=queries.is_admin(current_user, ticket.community_id)), status


@bp.route("/staff/<int:ticket_id>")
@role_required(*STAFF)
def staff_detail(ticket_id):
    return _staff_page(queries.staff_ticket_for(current_user, ticket_id))


@bp.route("/staff/<int:ticket_id>/reply", methods=["POST"])
@role_required(*STAFF)
def staff_reply(ticket_id):
    ticket = queries.staff_ticket_for(current_user, ticket_id)
    internal = request.form.get("internal") == "1"
    with rerender_on_domain_error(render=lambda e: _staff_page(ticket, status=e.status, error=e, form=request.form)):
        ops.add_reply(ticket, current_user, request.form.get("body", ""), internal=internal,
                      files=request.files.getlist("files"))
    flash(_("Internal note saved (staff only).") if internal else _("Reply sent to the resident."), "success")
    return redirect(url_for("tickets.staff_detail", ticket_id=ticket.id))


@bp.route("/staff/<int:ticket_id>/status", methods=["POST"])
@role_required(*STAFF)
def staff_status(ticket_id):
    ticket = queries.staff_ticket_for(current_user, ticket_id)
    with rerender_on_domain_error(render=lambda e: _staff_page(ticket, status=e.status, error=e, form=request.form)):
        ops.change_status(ticket, current_user, request.form.get("status", ""), reason=request.form.get("reason", ""))
    flash(_("Status changed."), "success")
    return redirect(url_for("tickets.staff_detail", ticket_id=ticket.id))


@bp.route("/staff/<int:ticket_id>/assign", methods=["POST"])
@role_required(*STAFF)
def assign(ticket_id):
    ticket = queries.staff_ticket_for(current_user, ticket_id)
    user_id = _int(request.form.get("assignee_id"))
    with rerender_on_domain_error(render=lambda e: _staff_page(ticket, status=e.status, error=e, form=request.form)):
        ops.reassign(ticket, db.session.get(User, user_id) if user_id else None, actor=current_user,
                     reason=request.form.get("reason", ""))
    flash(_("Assigned to %(name)s.", name=ticket.assignee.display_name), "success")
    return redirect(url_for("tickets.staff_detail", ticket_id=ticket.id))


@bp.route("/staff/<int:ticket_id>/priority", methods=["POST"])
@role_required(*STAFF)
def priority(ticket_id):
    ticket = queries.staff_ticket_for(current_user, ticket_id)
    with rerender_on_domain_error(render=lambda e: _staff_page(ticket, status=e.status, error=e)):
        ops.set_priority(ticket, current_user, request.form.get("priority", ""))
    flash(_("Priority changed; the targets follow."), "success")
    return redirect(url_for("tickets.staff_detail", ticket_id=ticket.id))


# -- a specialist's own leave ---------------------------------------------------------------------

def _leave_page(error=None, status=200, form=None):
    communities = queries.specialist_communities(current_user)
    today = local_today(communities[0].timezone if communities else None)
    return render_template("tickets/leave.html", leaves=queries.own_leaves(current_user, from_day=today),
                           communities=communities, today=today,
                           domain_error=error, form=form or {}), status


@bp.route("/leave", methods=["GET", "POST"])
@role_required(SPECIALIST)
def my_leave():
    """A specialist records their own leave: no new request goes to them on those days."""
    if request.method == "GET":
        return _leave_page()
    form = request.form
    communities = {c.id: c for c in queries.specialist_communities(current_user)}
    with rerender_on_domain_error(render=lambda e: _leave_page(e, e.status, form)):
        community_id = _int(form.get("community")) or (next(iter(communities)) if len(communities) == 1 else None)
        if community_id not in communities:
            raise TicketRuleViolation(_("Choose a community."), field="community")
        try:
            starts_on, ends_on = date.fromisoformat(form.get("starts_on", "")), date.fromisoformat(form.get("ends_on", ""))
        except ValueError:
            raise TicketRuleViolation(_("Give the first and the last day."), field="starts_on") from None
        if ends_on < local_today(communities[community_id].timezone):
            raise TicketRuleViolation(_("That leave is already over."), field="ends_on")
        ops.add_leave(community_id, current_user, starts_on=starts_on, ends_on=ends_on, note=form.get("note", ""),
                      actor=current_user)
    flash(_("Leave recorded: no new requests go to you on those days."), "success")
    return redirect(url_for("tickets.my_leave"))


@bp.route("/leave/<int:leave_id>/remove", methods=["POST"])
@role_required(SPECIALIST)
def remove_my_leave(leave_id):
    ops.remove_leave(queries.own_leave(current_user, leave_id), actor=current_user)
    flash(_("Leave removed."), "success")
    return redirect(url_for("tickets.my_leave"))


@bp.route("/queue/reassign", methods=["POST"])
@role_required(COMMUNITY_ADMIN)
def bulk_reassign():
    """An admin moves the ticked tickets to one specialist, with one reason."""
    ids = [i for i in (_int(v) for v in request.form.getlist("ticket_ids")) if i is not None][:100]
    tickets = [queries.staff_ticket_for(current_user, i) for i in ids]
    user_id = _int(request.form.get("assignee_id"))
    if not tickets:
        flash(_("Tick the requests to reassign first."), "warning")
        return redirect(url_for("tickets.queue", scope="all"))
    with rerender_on_domain_error(render=lambda e: (render_template("tickets/bulk_error.html", domain_error=e),
                                                    e.status)):
        moved = ops.bulk_reassign(tickets, db.session.get(User, user_id) if user_id else None, actor=current_user,
                                  reason=request.form.get("reason", ""))
    flash(_("%(n)d requests reassigned.", n=moved), "success")
    return redirect(url_for("tickets.queue", scope="all"))
