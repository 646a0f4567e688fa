"""Operators' amenity pages: resources (create, edit, close, reopen, archive), closures, and the
bookings waiting for approval. Community admins see their own communities; platform admins all."""
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from community.accounts.models import Community
from community.amenities import operations as ops
from community.amenities import queries
from community.amenities.errors import BookingsAffected
from community.amenities.forms import CancelForm, ClosureForm, RejectForm, ResourceForm
from community.amenities.models import ACTIVE, ARCHIVED, CLOSED, Booking, Closure, Resource
from community.amenities.presentation import amenity_span
from community.core.errors import rerender_on_domain_error
from community.core.forms import choices
from community.core.pagination import paginate
from community.core.permissions import (
    COMMUNITY_ADMIN, PLATFORM_ADMIN, community_ids_with_role, ensure_role, get_or_404, role_required,
)
from community.extensions import db

bp = Blueprint("amenities_admin", __name__, url_prefix="/admin/amenities")
STATUS_ACTIONS = {"close": CLOSED, "reopen": ACTIVE, "archive": ARCHIVED}


@bp.before_request
@role_required(COMMUNITY_ADMIN, PLATFORM_ADMIN)
def only_operators():
    return None


# A resource or booking of a community the admin does not run answers 404, like the API (see
# docs/architecture.md, "Roles and permissions"); people without an admin role get 403 above.

def managed_resource_or_404(resource_id) -> Resource:
    return queries.managed_resource(current_user, resource_id)


def managed_booking_or_404(booking_id) -> Booking:
    return queries.managed_booking(current_user, booking_id)


# -- resources ------------------------------------------------------------------------------------

@bp.route("/")
def index():
    show_archived = request.args.get("archived") == "1"
    stmt = queries.resources_for(current_user, include_archived=show_archived)
    admin_ids = community_ids_with_role(current_user, COMMUNITY_ADMIN)  # None: a platform admin, everywhere
    if admin_ids is not None:
        stmt = stmt.where(Resource.community_id.in_(admin_ids))  # not those they only live in
    pagination = paginate(stmt.options(joinedload(Resource.community)))
    pending = db.session.scalar(sa.select(sa.func.count()).select_from(queries.pending_for_admin(current_user)
                                                                        .order_by(None).subquery()))
    return render_template("amenities/admin/index.html", pagination=pagination, pending=pending,
                           show_archived=show_archived)


def resource_form(resource=None) -> ResourceForm:
    form = ResourceForm(obj=resource)
    communities = queries.managed_communities(current_user)
    form.community_id.choices = choices((c.id, c.name) for c in communities)
    form.photo.label.text = _("Replace the photo") if resource is not None and resource.photo_path else _("Choose a photo")
    if resource is not None:
        form.community_id.choices = choices([(resource.community_id, resource.community.name)])
        if not form.is_submitted():
            form.fill_from(resource)
    elif not form.is_submitted() and communities:
        form.community_id.data = communities[0].id
    return form


def save_photo(resource, form):
    """A new file replaces the photo; "remove" without a new file takes it away."""
    if form.photo.data:
        ops.set_resource_photo(resource, form.photo.data, actor=current_user)
    elif form.remove_photo.data:
        ops.remove_resource_photo(resource, actor=current_user)


@bp.route("/new", methods=["GET", "POST"])
def create():
    form = resource_form()
    if not form.validate_on_submit():
        return render_template("amenities/admin/form.html", form=form, resource=None), 422 if form.is_submitted() else 200
    community = get_or_404(Community, form.community_id.data)
    ensure_role(COMMUNITY_ADMIN, community.id)
    with rerender_on_domain_error("amenities/admin/form.html", form=form, resource=None):
        resource = ops.create_resource(community, actor=current_user, **form.resource_fields())
        save_photo(resource, form)
    flash(_("%(name)s has been created. Residents can book it now.", name=resource.name), "success")
    return redirect(url_for("amenities_admin.index"))


@bp.route("/<int:resource_id>/edit", methods=["GET", "POST"])
def edit(resource_id):
    resource = managed_resource_or_404(resource_id)
    form = resource_form(resource)
    decision = change_decision()
    if not form.validate_on_submit() or decision.back:
        status = 422 if form.is_submitted() and not decision.back else 200
        return render_template("amenities/admin/form.html", form=form, resource=resource), status

    def refused(error):
        if isinstance(error, BookingsAffected):
            return render_affected(resource, error, decision, photo_dropped=bool(form.photo.data))
        return render_template("amenities/admin/form.html", form=form, resource=resource, domain_error=error)

    with rerender_on_domain_error(render=refused):
        ops.update_resource(resource, actor=current_user, **decision.operation_args(), **form.resource_fields())
        save_photo(resource, form)
    flash(saved_message(resource.name, decision.cancelled), "success")
    return redirect(url_for("amenities_admin.index"))


def saved_message(name, cancelled):
    if cancelled:
        return ngettext("Changes to %(name)s saved; %(num)d booking cancelled and its resident told.",
                        "Changes to %(name)s saved; %(num)d bookings cancelled and their residents told.", cancelled,
                        name=name)
    return _("Changes to %(name)s saved.", name=name)


@bp.route("/<int:resource_id>/status", methods=["POST"])
def set_status(resource_id):
    resource = managed_resource_or_404(resource_id)
    action = request.form.get("action")
    if action not in STATUS_ACTIONS:
        abort(400)
    decision = change_decision()
    if decision.back:
        return redirect(url_for("amenities_admin.index"))
    with rerender_on_domain_error(render=lambda error: render_status_refusal(resource, error, decision)):
        ops.set_resource_status(resource, STATUS_ACTIONS[action], actor=current_user, **decision.operation_args(),
                                keep_bookings=decision.keep and action == "close")
    flash(status_message(action, resource.name, cancelled=decision.cancelled, kept=decision.keep), "success")
    return redirect(url_for("amenities_admin.index"))


def render_status_refusal(resource, error, decision):
    if isinstance(error, BookingsAffected):
        return render_affected(resource, error, decision, keep_option=request.form.get("action") == "close")
    return render_template("errors/error.html", status=error.status, title=_("Not changed"), detail=error.message)


def status_message(action, name, *, cancelled=0, kept=False):
    if action == "close" and cancelled:
        return ngettext("%(name)s is closed for booking; %(num)d booking cancelled and its resident told.",
                        "%(name)s is closed for booking; %(num)d bookings cancelled and their residents told.",
                        cancelled, name=name)
    if action == "close" and kept:
        return _("%(name)s is closed for new bookings. The bookings already made stay.", name=name)
    if action == "close":
        return _("%(name)s is closed for booking. It had no bookings still to come.", name=name)
    if action == "reopen":
        return _("%(name)s is open for booking again.", name=name)
    if cancelled:
        return ngettext("%(name)s has been archived and is hidden from residents; %(num)d booking cancelled and "
                        "its resident told.", "%(name)s has been archived and is hidden from residents; %(num)d "
                        "bookings cancelled and their residents told.", cancelled, name=name)
    return _("%(name)s has been archived and is hidden from residents.", name=name)


# -- the confirm step of a change that hits bookings ----------------------------------------------
# The operation refuses with BookingsAffected; the page lists them with the choice to cancel them
# (with a reason) and apply, or go back. The form posts everything the admin submitted again, with
# the ids it listed: the operation re-reads the set under the resource lock and refuses if it
# changed, so a booking made in between is never cancelled unseen.

CONTROL_FIELDS = ("csrf_token", "confirm", "affected", "cancel_reason")


class ChangeDecision(NamedTuple):
    choice: str | None  # None: the first submit; "cancel", "keep" or "back" on the confirm page
    expected_ids: list[int]
    reason: str

    @property
    def back(self) -> bool:
        return self.choice == "back"

    @property
    def keep(self) -> bool:
        return self.choice == "keep"

    @property
    def cancelled(self) -> int:
        """How many were cancelled when the change went through (the operation checked the ids)."""
        return len(self.expected_ids) if self.choice == "cancel" else 0

    def operation_args(self) -> dict:
        if self.choice != "cancel":
            return {"cancel_affected": False}
        return {"cancel_affected": True, "expected_ids": self.expected_ids, "reason": self.reason}


def change_decision() -> ChangeDecision:
    choice = request.form.get("confirm")
    ids = [int(v) for v in request.form.getlist("affected") if v.isdigit() and len(v) <= 18]
    return ChangeDecision(choice if choice in ("cancel", "keep", "back") else None, ids,
                          (request.form.get("cancel_reason") or "").strip()[:255])


def render_affected(resource, error: BookingsAffected, decision: ChangeDecision, *, keep_option=False,
                    photo_dropped=False, closure_span=None):
    """The confirm page: what the change hits, and the choice. Drawn after the rollback, so the
    bookings are read as stored."""
    carried = [(name, value) for name, value in request.form.items(multi=True) if name not in CONTROL_FIELDS]
    return render_template("amenities/admin/affected.html", resource=resource, error=error, bookings=error.bookings,
                           carried=carried, cause=error.cause, keep_option=keep_option, photo_dropped=photo_dropped,
                           reason=decision.reason, action=request.form.get("action"), closure_span=closure_span,
                           closure_reason=request.form.get("reason", "").strip() if closure_span else None)


# -- closures -------------------------------------------------------------------------------------

def as_instant(local_naive: datetime, resource) -> datetime:
    """What the admin typed is wall-clock time in the resource's community."""
    return local_naive.replace(tzinfo=resource.tz)


def render_closures(resource, form, status=200, **extra):
    return render_template("amenities/admin/closures.html", resource=resource, form=form,
                           closures=queries.upcoming_closures(resource), past=queries.past_closures(resource),
                           **extra), status


@bp.route("/<int:resource_id>/closures", methods=["GET", "POST"])
def closures(resource_id):
    resource = managed_resource_or_404(resource_id)
    form = ClosureForm()
    decision = change_decision()
    if not form.validate_on_submit() or decision.back:
        return render_closures(resource, form, 422 if form.is_submitted() and not decision.back else 200)

    span = as_instant(form.starts_at.data, resource), as_instant(form.ends_at.data, resource)

    def refused(error):
        if isinstance(error, BookingsAffected):
            return render_affected(resource, error, decision, closure_span=span)
        return render_closures(resource, form, domain_error=error)[0]

    with rerender_on_domain_error(render=refused):
        ops.add_closure(resource, starts_at=span[0], ends_at=span[1], reason=form.reason.data, actor=current_user,
                        **{k: v for k, v in decision.operation_args().items() if k != "reason"})
    if decision.cancelled:
        flash(ngettext("Closure added; %(num)d booking cancelled with its reason and its resident told.",
                       "Closure added; %(num)d bookings cancelled with its reason and their residents told.",
                       decision.cancelled), "success")
    else:
        flash(_("Closure added. Residents see the reason on the booking page."), "success")
    return redirect(url_for("amenities_admin.closures", resource_id=resource.id))


@bp.route("/closures/<int:closure_id>/delete", methods=["POST"])
def delete_closure(closure_id):
    closure = get_or_404(Closure, closure_id)
    resource = managed_resource_or_404(closure.resource_id)  # another community's closure: 404 too
    ops.remove_closure(closure, actor=current_user)
    flash(_("Closure removed."), "success")
    return redirect(url_for("amenities_admin.closures", resource_id=resource.id))


# -- approvals ------------------------------------------------------------------------------------

def render_approvals(reject_forms=None, status=200):
    pagination = paginate(queries.pending_for_admin(current_user))
    reject_forms = reject_forms or {}
    forms = {b.id: reject_forms.get(b.id) or RejectForm(formdata=None, prefix=f"b{b.id}") for b in pagination.items}
    return render_template("amenities/admin/approvals.html", pagination=pagination, forms=forms), status


@bp.route("/approvals")
def approvals():
    return render_approvals()


@bp.route("/bookings/<int:booking_id>/approve", methods=["POST"])
def approve(booking_id):
    booking = managed_booking_or_404(booking_id)
    with rerender_on_domain_error(render=lambda error: render_approvals()):
        ops.approve_booking(booking, actor=current_user)
    flash(_("Approved: %(name)s, %(resource)s.", name=booking.user.display_name, resource=booking.resource.name),
          "success")
    return redirect(url_for("amenities_admin.approvals"))


@bp.route("/bookings/<int:booking_id>/reject", methods=["POST"])
def reject(booking_id):
    booking = managed_booking_or_404(booking_id)
    form = RejectForm(prefix=f"b{booking.id}")
    if not form.validate_on_submit():
        flash(_("Write a reason for the resident before rejecting."), "danger")
        return render_approvals({booking.id: form}, status=422)
    with rerender_on_domain_error(render=lambda error: render_approvals({booking.id: form})):
        ops.reject_booking(booking, actor=current_user, reason=form.reason.data)
    flash(_("Rejected: %(name)s, %(resource)s. The resident sees your reason.", name=booking.user.display_name,
            resource=booking.resource.name), "success")
    return redirect(url_for("amenities_admin.approvals"))


# -- bookings of a resource: an admin cancels one, with a reason the resident sees ---------------

def render_resource_bookings(resource, cancel_forms=None, status=200):
    pagination = paginate(queries.upcoming_for_resource(resource))
    cancel_forms = cancel_forms or {}
    forms = {b.id: cancel_forms.get(b.id) or CancelForm(formdata=None, prefix=f"b{b.id}") for b in pagination.items}
    return render_template("amenities/admin/bookings.html", resource=resource, pagination=pagination,
                           forms=forms), status


@bp.route("/<int:resource_id>/bookings")
def resource_bookings(resource_id):
    return render_resource_bookings(managed_resource_or_404(resource_id))


@bp.route("/bookings/<int:booking_id>/cancel", methods=["POST"])
def cancel(booking_id):
    booking = managed_booking_or_404(booking_id)
    form = CancelForm(prefix=f"b{booking.id}")
    if not form.validate_on_submit():
        flash(_("Write a reason for the resident before cancelling."), "danger")
        return render_resource_bookings(booking.resource, {booking.id: form}, status=422)
    with rerender_on_domain_error(render=lambda error: render_resource_bookings(booking.resource, {booking.id: form})):
        ops.cancel_booking(booking, actor=current_user, reason=form.reason.data)
    flash(_("Cancelled: %(name)s, %(when)s. The resident sees your reason.", name=booking.user.display_name,
            when=amenity_span(booking.start_at, booking.end_at, booking.resource.tz)), "success")
    return redirect(url_for("amenities_admin.resource_bookings", resource_id=booking.resource_id))
