"""Operators' amenity pages: resources (create, edit, close, reopen, archive), closures, and the
bookings waiting for approval. Community admins see their own communities; platform admins all."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.accounts.models import Community
from community.amenities import operations as ops
from community.amenities import queries
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
    if not form.validate_on_submit():
        return render_template("amenities/admin/form.html", form=form, resource=resource), 422 if form.is_submitted() else 200
    with rerender_on_domain_error("amenities/admin/form.html", form=form, resource=resource):
        ops.update_resource(resource, actor=current_user, **form.resource_fields())
        save_photo(resource, form)
    flash(_("Changes to %(name)s saved.", name=resource.name), "success")
    return redirect(url_for("amenities_admin.index"))


@bp.route("/<int:resource_id>/status", methods=["POST"])
def set_status(resource_id):
    resource = managed_resource_or_404(resource_id)
    action = request.form.get("action")
    if action not in STATUS_ACTIONS:
        abort(400)
    ops.set_resource_status(resource, STATUS_ACTIONS[action], actor=current_user)
    flash(status_message(action, resource.name), "success")
    return redirect(url_for("amenities_admin.index"))


def status_message(action, name):
    if action == "close":
        return _("%(name)s is closed for booking. Existing bookings stay; cancel them if needed.", name=name)
    if action == "reopen":
        return _("%(name)s is open for booking again.", name=name)
    return _("%(name)s has been archived and is hidden from residents.", name=name)


# -- closures -------------------------------------------------------------------------------------

def as_instant(local_naive: datetime, resource) -> datetime:
    """What the admin typed is wall-clock time in the resource's community."""
    return local_naive.replace(tzinfo=resource.tz)


@bp.route("/<int:resource_id>/closures", methods=["GET", "POST"])
def closures(resource_id):
    resource = managed_resource_or_404(resource_id)
    form = ClosureForm()
    context = dict(resource=resource, form=form, closures=queries.upcoming_closures(resource))
    if not form.validate_on_submit():
        return render_template("amenities/admin/closures.html", **context), 422 if form.is_submitted() else 200
    with rerender_on_domain_error("amenities/admin/closures.html", **context):
        ops.add_closure(resource, starts_at=as_instant(form.starts_at.data, resource),
                        ends_at=as_instant(form.ends_at.data, resource), reason=form.reason.data, actor=current_user)
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


@bp.route("/bookings/<int:booking_id>/paid", methods=["POST"])
def record_payment(booking_id):
    """The office took the fee at the counter (cash, card terminal): the booking is confirmed."""
    booking = managed_booking_or_404(booking_id)
    with rerender_on_domain_error(render=lambda error: render_resource_bookings(booking.resource)):
        ops.mark_paid(booking, actor=current_user)
    flash(_("Payment recorded: %(name)s, %(when)s.", name=booking.user.display_name,
            when=amenity_span(booking.start_at, booking.end_at, booking.resource.tz)), "success")
    return redirect(url_for("amenities_admin.resource_bookings", resource_id=booking.resource_id))


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
