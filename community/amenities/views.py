"""Residents' amenity pages: browse, week and day availability, book, my bookings, QR, check-in,
and the private calendar feed. Thin: parse, check access, call one operation, render."""
import os
from datetime import date, datetime, timedelta

from flask import (
    Blueprint, Response, abort, current_app, flash, make_response, redirect, render_template, request, send_file,
    session, url_for,
)
from flask_babel import force_locale, gettext as _
from flask_login import current_user

from community.accounts.models import Community
from community.amenities import operations as ops
from community.amenities import presentation, queries
from community.amenities.forms import BookingForm, CheckinForm
from community.amenities.labels import KIND_LABELS
from community.amenities.models import CONFIRMED, PENDING_APPROVAL, PENDING_PAYMENT, Booking, Resource
from community.amenities.presentation import amenity_hm, amenity_span, conflict_rows, qr_svg_inline
from community.amenities.recurrence import weekly
from community.amenities.rules import CANCELLABLE_STATUSES, MAX_SLOTS_PER_BOOKING, last_bookable_day
from community.core import clock, conditional, uploads
from community.core.conditional import templates_version
from community.core.errors import NotFound, rerender_on_domain_error
from community.core.forms import choices
from community.core.pagination import paginate
from community.core.permissions import (
    COMMUNITY_ADMIN, PLATFORM_ADMIN, RESIDENT, role_required,
)
from community.core.urls import external_url
from community.extensions import db
from community.notifications.queries import unread_count_for_page

bp = Blueprint("amenities", __name__, url_prefix="/amenities")
BOOKER_ROLES = (RESIDENT, COMMUNITY_ADMIN, PLATFORM_ADMIN)

presentation.register_template_globals(bp)  # amenity_span, amenity_photo_url... for every template


# -- access ---------------------------------------------------------------------------------------
# One rule (docs/architecture.md, "Roles and permissions"): a thing that exists but is not the
# caller's to see answers 404, as in the API, so ids reveal nothing; a page the caller's role may
# not use answers 403 (role_required).

def visible_resource_or_404(resource_id) -> Resource:
    """The resource when the caller may see it (their community, active, tier allows it)."""
    return queries.resource_for(current_user, resource_id)


def own_booking_or_404(booking_id) -> Booking:
    """The caller's own booking, or one of a community they administer."""
    return queries.booking_for(current_user, booking_id)


def day_view_community(requested_id, communities) -> Community | None:
    """The community asked for (404 when not one of the caller's), else the caller's own, else
    the first that has something to book; None when there is no community at all."""
    by_id = {c.id: c for c in communities}
    if requested_id is not None:
        if requested_id not in by_id:
            raise NotFound()
        return by_id[requested_id]
    if current_user.community_id in by_id:
        return by_id[current_user.community_id]
    with_resources = queries.communities_with_resources(by_id)
    return next((c for c in communities if c.id in with_resources), communities[0] if communities else None)


# -- parsing --------------------------------------------------------------------------------------

def parse_day(text, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        abort(400)


def parse_id(text) -> int | None:
    if not text:
        return None
    if not text.isdigit():
        abort(400)
    return int(text)


def parse_instant(text) -> datetime:
    try:
        instant = datetime.fromisoformat(text or "")
    except ValueError:
        abort(400)
    if instant.tzinfo is None:
        abort(400)
    return instant.astimezone(clock.now().tzinfo)


# -- browse ---------------------------------------------------------------------------------------

@bp.route("/")
@role_required(*BOOKER_ROLES)
def index():
    kind = request.args.get("kind") if request.args.get("kind") in KIND_LABELS else None
    resources = db.session.scalars(queries.resources_for(current_user)).all()
    kinds = [k for k in KIND_LABELS if any(r.kind == k for r in resources)]
    shown = [r for r in resources if kind in (None, r.kind)]
    groups = [(k, [r for r in shown if r.kind == k]) for k in kinds if any(r.kind == k for r in shown)]
    return render_template("amenities/index.html", groups=groups, kinds=kinds, kind=kind,
                           today=clock.local_today(current_user.timezone))


@bp.route("/<int:resource_id>")
@role_required(*BOOKER_ROLES)
def resource(resource_id):
    """The week view: seven days from ``start`` (today by default), no further than the booking
    window reaches; a start past it is sent to the last week that has a bookable day."""
    resource = visible_resource_or_404(resource_id)
    at = clock.now()
    today = clock.local_today(resource.community.timezone)
    last_day = last_bookable_day(resource, at)
    start = max(parse_day(request.args.get("start"), today), today - timedelta(days=28))
    if start > last_day:
        return redirect(url_for("amenities.resource", resource_id=resource.id,
                                start=presentation.last_week_start(today, last_day).isoformat()))
    days = queries.availability(resource, start, 7, at=at, user=current_user)
    selected = parse_day(request.args.get("day"), start if start > today else today)
    prev_start = max(start - timedelta(days=7), today) if start > today else None
    next_start = start + timedelta(days=7)
    return render_template("amenities/resource.html", resource=resource, days=days, today=today,
                           prev_start=prev_start, next_start=next_start if next_start <= last_day else None,
                           last_day=last_day, opens={d.day: presentation.booking_opens_on(resource, d.day)
                                                     for d in days if d.day > last_day},
                           columns=presentation.aligned_columns(days, resource.tz),
                           mine_days={d.day for d in days if any(s.mine for s in d.slots)},
                           selected=selected, closures=queries.upcoming_closures(resource, limit=5),
                           suspension=current_suspension(resource.community_id))


@bp.route("/<int:resource_id>/photo/<name>")
@role_required(*BOOKER_ROLES)
def photo(resource_id, name):
    """The resource's photo, for those who may see the resource (its residents, its admins)."""
    resource = visible_resource_or_404(resource_id)
    if not resource.photo_path or os.path.basename(resource.photo_path) != name:
        raise NotFound()
    path = uploads.absolute_path(resource.photo_path)
    if not os.path.isfile(path):
        raise NotFound()
    response = send_file(path, mimetype=uploads.mimetype_of(path), conditional=True, max_age=7 * 24 * 3600)
    response.cache_control.public = False  # behind a login: never in a shared cache
    response.cache_control.private = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def current_suspension(community_id):
    if community_id is None:
        return None
    return queries.active_suspension(current_user, community_id, clock.now())


@bp.route("/day")
@role_required(*BOOKER_ROLES)
def day():
    """Every resource of a kind on one day. Navigation stops where the furthest booking window
    ends; a date past every window is sent to that last bookable day."""
    communities = queries.day_view_communities(current_user)
    community = day_view_community(parse_id(request.args.get("community")), communities)
    tz_name = community.timezone if community else current_user.timezone
    at = clock.now()
    today = clock.local_today(tz_name)
    kind = request.args.get("kind") if request.args.get("kind") in KIND_LABELS else "gym"
    day = parse_day(request.args.get("date"), today)
    resources = queries.day_view_resources(community.id, kind, user=current_user) if community else []
    last_day = max((last_bookable_day(resource, at) for resource in resources), default=None)
    where = {"community": community.id} if len(communities) > 1 else {}
    if last_day is not None and day > last_day:
        return redirect(url_for("amenities.day", kind=kind, date=last_day.isoformat(), **where))
    read = queries.read_availability(resources, day, 1, at=at, user=current_user)
    tag = day_view_tag(read, kind, community, communities)
    unchanged = conditional.not_modified(tag) if tag else None
    if unchanged is not None:
        return unchanged
    rows = queries.day_view_rows(read)
    next_day = day + timedelta(days=1)
    page = render_template("amenities/day.html", rows=rows, kind=kind, day=day, kind_labels=KIND_LABELS,
                           today=today, prev_day=day - timedelta(days=1), last_day=last_day,
                           next_day=next_day if last_day is not None and next_day <= last_day else None,
                           opens={resource.id: presentation.booking_opens_on(resource, day) for resource, _slots in rows
                                  if day > last_bookable_day(resource, at)},
                           community=community, communities=communities if len(communities) > 1 else [])
    return conditional.tagged(make_response(page), tag) if tag else page


def day_view_tag(read, kind, community, communities) -> str | None:
    """The day page's ETag: its availability (queries.AvailabilityRead.tag) and everything else the
    page shows, the header's unread count, the language, the community picker, the templates.
    None (no tag, no 304) while a flashed message waits: the page must show it."""
    if session.get("_flashes"):
        return None
    return read.tag("day", kind, community.id if community else None, [c.id for c in communities],
                    conditional.locale_part(), unread_count_for_page(current_user), current_user.display_name,
                    sorted((g.role, g.community_id or 0, g.merchant_id or 0) for g in current_user.role_grants),
                    templates_version("amenities/day.html", "amenities/_macros.html", "base.html",
                                      "notifications/_badge.html"))


# -- booking --------------------------------------------------------------------------------------

def consecutive_slots(resource, start) -> list:
    """The bookable slots that follow ``start`` without a gap: the choices for "how long"."""
    local_day = start.astimezone(resource.tz).date()
    (day,) = queries.availability(resource, local_day, 1, at=clock.now())
    run = []
    for slot in day.slots:
        if run and (slot.start != run[-1].end or not slot.bookable):
            break
        if run or (slot.start == start and slot.bookable):
            run.append(slot)
        if len(run) == MAX_SLOTS_PER_BOOKING:
            break
    return run


def length_choices(resource, run):
    return choices((n, _("%(minutes)d min, until %(end)s", minutes=n * resource.slot_minutes,
                         end=amenity_hm(slot.end, resource.tz)))
                   for n, slot in enumerate(run, start=1))


def booking_form_for(resource, start):
    run = consecutive_slots(resource, start)
    form = BookingForm(resource=resource)
    form.slots.choices = length_choices(resource, run) or choices([(1, _("%(minutes)d min", minutes=resource.slot_minutes))])
    if not form.is_submitted():
        form.start.data = start.isoformat()
    return form, run


def recurrence_text(form) -> str | None:
    if form.repeat.data == "weeks":
        return weekly(count=form.weeks.data).to_text()
    if form.repeat.data == "until":
        return weekly(until=form.until.data).to_text()
    return None


def shows_attendees(resource) -> bool:
    return resource.max_attendees is not None or resource.kind in ("meeting_room", "activity_room")


def booked_message(bookings):
    first = bookings[0]
    if first.status == PENDING_APPROVAL:
        return _("Request sent. The community office will approve or decline it; you will see the answer "
                 "in My bookings.")
    if first.status == PENDING_PAYMENT:
        return _("Booked. Please pay %(fee)s to confirm it.", fee=first.fee.display())
    if len(bookings) > 1:
        return _("Booked %(count)d times. See you there!", count=len(bookings))
    return _("Booked. See you there!")


@bp.route("/<int:resource_id>/book", methods=["GET", "POST"])
@role_required(*BOOKER_ROLES)
def book(resource_id):
    """The same lookup and the same operation as POST /api/v1/bookings, so a closed, archived or
    tier-restricted resource is refused here by the same rule, code and status as there."""
    resource = queries.bookable_resource(current_user, resource_id)
    start = parse_instant(request.values.get("start"))
    form, run = booking_form_for(resource, start)
    suspension = current_suspension(resource.community_id)
    context = dict(resource=resource, form=form, start=start, run=run, attendees=shows_attendees(resource),
                   suspension=suspension)
    if not form.is_submitted():
        # Say at once what the booking would be refused for whatever the time, instead of a form.
        refusal = queries.booking_refusal(current_user, resource, at=clock.now(),
                                          suspended_until=suspension.ends_at if suspension else None)
        return render_template("amenities/book.html", refusal=refusal, **context), refusal.status if refusal else 200
    if not form.validate():
        return render_template("amenities/book.html", **context), 422

    def rerender(error):
        return render_template("amenities/book.html", conflicts=conflict_rows(error.extra.get("conflicts"), resource.tz),
                               **context)

    with rerender_on_domain_error(render=rerender):
        bookings = ops.place_booking(current_user, resource, start, slots=form.slots.data, rrule=recurrence_text(form),
                                     attendees=form.attendees.data if shows_attendees(resource) else None)
    flash(booked_message(bookings), "success")
    return redirect(url_for("amenities.my_bookings"))


# -- my bookings ----------------------------------------------------------------------------------

def render_bookings(tab="upcoming"):
    pagination = paginate(queries.bookings_for(current_user, upcoming=tab == "upcoming"))
    at = clock.now()
    qr = {b.id: qr_svg_inline(b) for b in pagination.items if b.status == CONFIRMED and b.end_at > at}
    return render_template("amenities/bookings.html", pagination=pagination, tab=tab, at=at, qr=qr,
                           checkin_open=presentation.checkin_open, feed_url=feed_url(),
                           series=series_choices(pagination.items, at),
                           suspension=current_suspension(current_user.community_id))


def series_choices(bookings, at) -> dict:
    """{booking id: SeriesChoice} for the cancellable bookings of a series on the page: how many
    dates "this and later" and "the whole series" would cancel (one query for all of them)."""
    cancellable = [b for b in bookings if b.series_id and b.status in CANCELLABLE_STATUSES and b.start_at > at]
    starts = queries.series_dates_to_come(current_user, {b.series_id for b in cancellable}, at=at)
    return {b.id: presentation.SeriesChoice(following=sum(1 for s in starts[b.series_id] if s >= b.start_at),
                                            whole=len(starts[b.series_id]))
            for b in cancellable if starts.get(b.series_id)}


def feed_url():
    """The live feed URL, or None until the resident asks for one (GET never creates it)."""
    token = queries.active_feed_token(current_user)
    return external_url("amenities.calendar_feed", token=token) if token else None


@bp.route("/bookings")
@role_required(*BOOKER_ROLES)
def my_bookings():
    return render_bookings("past" if request.args.get("tab") == "past" else "upcoming")


@bp.route("/bookings/<int:booking_id>/cancel", methods=["POST"])
@role_required(*BOOKER_ROLES)
def cancel(booking_id):
    """Cancel one booking, or a series from this date on ("following") or whole ("series")."""
    booking = own_booking_or_404(booking_id)
    scope = request.form.get("scope") or "this"
    if scope not in ops.CANCEL_SCOPES:
        abort(400)
    with rerender_on_domain_error(render=rerender_bookings):
        cancelled = ops.cancel_in_scope(booking, scope, actor=current_user)
    flash(*cancelled_message(cancelled))
    return redirect(url_for("amenities.my_bookings"))


def cancelled_message(cancelled) -> tuple[str, str]:
    """(message, category): what was cancelled, and whether any of it counts as late."""
    late = sum(1 for b in cancelled if b.late_cancel)
    if len(cancelled) > 1:
        message = _("Cancelled %(n)d dates of this series. The slots are free again for others.", n=len(cancelled))
        if late:
            return message + " " + _("%(n)d of them were after the free cancellation time and are recorded as "
                                     "late cancellations.", n=late), "warning"
        return message, "success"
    if late:
        return _("Cancelled. This was after the free cancellation time, so it is recorded as a late "
                 "cancellation."), "warning"
    return _("Cancelled. The slot is free again for others."), "success"


def rerender_bookings(error):
    """An action button on My bookings failed: the list again (the reason is flashed)."""
    return render_bookings()


@bp.route("/bookings/<int:booking_id>/checkin", methods=["POST"])
@role_required(*BOOKER_ROLES)
def self_checkin(booking_id):
    booking = own_booking_or_404(booking_id)
    with rerender_on_domain_error(render=rerender_bookings):
        ops.check_in(booking, actor=current_user, via="self")
    flash(_("You are checked in to %(name)s. Enjoy!", name=booking.resource.name), "success")
    return redirect(url_for("amenities.my_bookings"))


@bp.route("/bookings/<int:booking_id>/qr.svg")
@role_required(*BOOKER_ROLES)
def booking_qr(booking_id):
    booking = own_booking_or_404(booking_id)
    return Response(presentation.qr_svg_document(booking), mimetype="image/svg+xml", headers={"Cache-Control": "private, no-store"})


# -- calendar feed (no login: the token in the URL is the key) ----------------------------------

# The redirect scrolls to the calendar card (#calendar), so the message is shown in that card: at
# the top of the page it would be off a phone's screen (amenities/_macros.html placed_flashes).
CALENDAR_FLASH = "success:calendar"


@bp.route("/bookings/feed/rotate", methods=["POST"])
@role_required(*BOOKER_ROLES)
def rotate_feed():
    ops.feed_token(current_user, rotate=True)
    flash(_("Your calendar link has been replaced. The old link no longer works; subscribe again with the "
            "new one."), CALENDAR_FLASH)
    return redirect(url_for("amenities.my_bookings", _anchor="calendar"))


@bp.route("/bookings/feed", methods=["POST"])
@role_required(*BOOKER_ROLES)
def create_feed():
    ops.feed_token(current_user)
    flash(_("Your private calendar link is ready. Add it to your phone's calendar as a subscription."), CALENDAR_FLASH)
    return redirect(url_for("amenities.my_bookings", _anchor="calendar"))


@bp.route("/bookings/feed/revoke", methods=["POST"])
@role_required(*BOOKER_ROLES)
def revoke_feed():
    ops.revoke_feed(current_user)
    flash(_("Your calendar link has been switched off. Calendars subscribed to it stop updating."), CALENDAR_FLASH)
    return redirect(url_for("amenities.my_bookings", _anchor="calendar"))


@bp.route("/calendar/<token>.ics")
def calendar_feed(token):
    user = queries.user_for_feed_token(token)
    if user is None:
        raise NotFound()
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        body = queries.calendar_for(user)
    return Response(body, mimetype="text/calendar",
                    headers={"Cache-Control": "private, max-age=300",
                             "Content-Disposition": 'inline; filename="bookings.ics"'})


# -- kiosk / staff check-in -------------------------------------------------------------------------

@bp.route("/checkin", methods=["GET", "POST"])
@role_required(COMMUNITY_ADMIN, PLATFORM_ADMIN)
def checkin():
    form = CheckinForm()
    if not form.is_submitted() and request.args.get("token"):
        form.token.data = request.args["token"]  # opened from a phone camera: confirm with one tap
    if not form.validate_on_submit():
        return render_template("amenities/checkin.html", form=form), 422 if form.is_submitted() else 200
    with rerender_on_domain_error("amenities/checkin.html", form=form):
        booking = ops.check_in_by_qr(presentation.token_from_scan(form.token.data), actor=current_user)
    resource = booking.resource
    flash(_("Checked in: %(name)s · %(resource)s · %(when)s", name=booking.user.display_name,
            resource=resource.name, when=amenity_span(booking.start_at, booking.end_at, resource.tz)), "success")
    return redirect(url_for("amenities.checkin"))
