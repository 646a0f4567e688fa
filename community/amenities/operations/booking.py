"""The booking life cycle: book (one span or a recurring series), cancel, approve, reject, pay.

The no-overbooking rule: an operation that adds holding bookings first bumps the resource's
lock_version with an UPDATE (the row lock on PostgreSQL, the database write lock on SQLite),
then counts the holding bookings of each slot of the requested range, then inserts. Everything
that does not depend on other bookings is checked before the lock, so the lock is held briefly.

This is the hot path of POST /api/v1/bookings: its statements are built once (lru_cache, bound
parameters) and the reads before and after the lock are one round trip each (docs/amenities.md,
"Query budget"; bench/README.md). The rules themselves are pure functions in amenities.rules.
"""
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community.amenities import notices, queries, rules
from community.amenities.errors import BookingRuleViolation, RecurrenceConflict
from community.amenities.models import (
    ACTIVE, CANCELLED, CONFIRMED, HOLDING_STATUSES, PENDING_APPROVAL, PENDING_PAYMENT, REJECTED, Booking,
    BookingSeries, Closure, Resource, Suspension,
)
from community.amenities.operations.access import is_admin, require_admin
from community.amenities.recurrence import RecurrenceError, expand, parse_rrule, problem_message, problem_params
from community.amenities.rules import MAX_BOOKING_SPAN
from community.core import audit, signals, tokens
from community.core.clock import now
from community.core.db import insert_now as insert_now_, nothing_pending
from community.core.errors import PermissionDenied
from community.core.permissions import RESIDENT, has_role
from community.extensions import db

QR_TOKEN_BYTES = 24  # 32 characters; qr_token is varchar(64), unique


# -- the lock and the reads around it ----------------------------------------------------------

def lock_resource(resource: Resource, *, require_active=True) -> None:
    """Take the resource's row lock (PostgreSQL) or the write lock (SQLite) before counting.

    Concurrent bookers of one resource queue here until the holder commits; in READ COMMITTED
    each later statement then sees what the holder wrote. The status condition re-checks, under
    the lock, that nobody closed the resource meanwhile."""
    result = db.session.execute(_lock_stmt(require_active), {"locked_resource_id": resource.id})
    if result.rowcount != 1:
        raise rules.unavailable(resource)


@lru_cache(maxsize=2)
def _lock_stmt(require_active: bool):
    """lock_resource's UPDATE, built once (bound parameter)."""
    stmt = sa.update(Resource).where(Resource.id == sa.bindparam("locked_resource_id"))
    if require_active:
        stmt = stmt.where(Resource.status == ACTIVE)
    # updated_at is left alone: it tells admins when the settings changed, not the bookings.
    return (stmt.values(lock_version=Resource.lock_version + 1, updated_at=Resource.updated_at)
            .execution_options(synchronize_session=False))


def _holding_rows(user, resource: Resource, spans):
    """After the lock, in ONE query: (start_at, end_at, user_id) of the resource's holding bookings
    overlapping any span, plus the user's own holding bookings in the weeks its quotas count (when
    it has quotas), for the capacity and the quota checks; and whether a closure now overlaps a
    span. Closures were read before the lock too (to refuse early, without waiting), but one added
    while this request waited for the lock is only seen here: add_closure takes the same lock."""
    window = rules.quota_window(resource, spans)
    params = {"resource_id": resource.id}
    for n, (start, end) in enumerate(spans):
        params.update({f"earliest{n}": start - MAX_BOOKING_SPAN, f"start{n}": start, f"end{n}": end})
    if window is not None:
        params.update(user_id=user.id, window_from=window[0], window_to=window[1])
    rows = db.session.execute(_holding_rows_stmt(len(spans), window is not None), params).all()
    return [row for row in rows if not row.closure], any(row.closure for row in rows)


@lru_cache(maxsize=32)
def _holding_rows_stmt(span_count: int, with_quota_window: bool):
    """_holding_rows' statement for that many spans, built once (bound parameters): the bookings,
    and the overlapping closures as rows marked ``closure`` (rare: usually none)."""
    conditions = [sa.and_(Booking.start_at > sa.bindparam(f"earliest{n}"), Booking.start_at < sa.bindparam(f"end{n}"),
                          Booking.end_at > sa.bindparam(f"start{n}"))
                  for n in range(span_count)]
    if with_quota_window:
        conditions.append(sa.and_(Booking.user_id == sa.bindparam("user_id"),
                                  Booking.start_at >= sa.bindparam("window_from"),
                                  Booking.start_at < sa.bindparam("window_to")))
    bookings = sa.select(Booking.start_at, Booking.end_at, Booking.user_id, sa.literal(0).label("closure")).where(
        Booking.resource_id == sa.bindparam("resource_id"), Booking.status.in_(HOLDING_STATUSES), sa.or_(*conditions))
    closed = sa.select(Closure.starts_at, Closure.ends_at, sa.cast(sa.null(), sa.Integer), sa.literal(1)).where(
        Closure.resource_id == sa.bindparam("resource_id"),
        sa.or_(*[sa.and_(Closure.starts_at < sa.bindparam(f"end{n}"), Closure.ends_at > sa.bindparam(f"start{n}"))
                 for n in range(span_count)]))
    return sa.union_all(bookings, closed)


def _closure_problems(resource: Resource, spans, at: datetime) -> dict:
    """{span start: the closure's refusal} for spans a closure added meanwhile now covers."""
    closures = queries.closures_overlapping(resource.id, spans[0][0], spans[-1][1])
    return {s: p for s, e in spans if (p := rules.time_problem(resource, s, e, at, closures)) is not None}


@lru_cache(maxsize=1)
def _suspension_end_and_closure_stmt():
    """Built once (bound parameters): building a statement costs about as much as running it."""
    suspended_until = (sa.select(Suspension.ends_at).where(
        Suspension.user_id == sa.bindparam("user_id"), Suspension.community_id == sa.bindparam("community_id"),
        Suspension.starts_at <= sa.bindparam("at"), Suspension.ends_at > sa.bindparam("at"),
    ).order_by(Suspension.ends_at.desc()).limit(1).scalar_subquery())
    closed = sa.exists().where(Closure.resource_id == sa.bindparam("resource_id"),
                               Closure.starts_at < sa.bindparam("end"), Closure.ends_at > sa.bindparam("start"))
    return sa.select(suspended_until, closed)


def _suspension_end_and_closures(user, resource: Resource, at: datetime, start: datetime, end: datetime):
    """(end of the suspension running at ``at`` or None, closures overlapping [start, end)): the two
    reads before the lock in ONE round trip. Closures are rare, so the query only asks whether one
    overlaps; they are loaded (a second query) only then, to name them in the error."""
    until, any_closure = db.session.execute(_suspension_end_and_closure_stmt(), {
        "user_id": user.id, "community_id": resource.community_id, "at": at,
        "resource_id": resource.id, "start": start, "end": end}).one()
    return until, (queries.closures_overlapping(resource.id, start, end) if any_closure else [])


def _check_may_book(user, resource: Resource, at: datetime, attendees: int | None,
                    suspended_until: datetime | None) -> None:
    """Rules about the person and the resource, independent of the requested times;
    ``suspended_until``: the end of the suspension running at ``at``, or None."""
    community_id = resource.community_id
    if not (has_role(user, RESIDENT, community_id) or is_admin(user, community_id)):
        raise PermissionDenied(_l("Only residents of this community can book its amenities."), code="not_member")
    problem = queries.booking_refusal(user, resource, at=at, suspended_until=suspended_until, attendees=attendees)
    if problem is not None:
        raise problem


# -- booking -----------------------------------------------------------------------------------

def _new_booking(user, resource: Resource, start: datetime, end: datetime, attendees, series=None, *,
                 insert_now=False) -> Booking:
    """The booking, added to the session; ``insert_now``: INSERTed at once through Core instead
    (core.db.insert_now), for book(), whose only other rows (the audit entry, the notice) follow it."""
    fee = rules.booking_fee(resource, start, end)
    booking = Booking(
        resource=resource, resource_id=resource.id, user_id=user.id, community_id=resource.community_id,
        start_at=start, end_at=end, status=rules.initial_status(resource), attendees=attendees, series=series,
        qr_token=tokens.generate(QR_TOKEN_BYTES), fee_fen=fee.fen, currency=fee.currency,
    )
    if insert_now and nothing_pending(db.session):
        insert_now_(db.session, booking)
    else:
        db.session.add(booking)
    return booking


def book(user, resource: Resource, start_at: datetime, end_at: datetime, *, attendees: int | None = None) -> Booking:
    """Book one or more consecutive slots. Raises BookingRuleViolation (422), SlotFull or
    AlreadyBooked (409), PermissionDenied (403). Sends booking_created."""
    rules.require_aware(start_at, "start")
    rules.require_aware(end_at, "end")
    at = now()
    suspended_until, closures = _suspension_end_and_closures(user, resource, at, start_at, end_at)
    _check_may_book(user, resource, at, attendees, suspended_until)
    problem = rules.time_problem(resource, start_at, end_at, at, closures)
    if problem is not None:
        raise problem
    lock_resource(resource)
    rows, closed_meanwhile = _holding_rows(user, resource, [(start_at, end_at)])
    if closed_meanwhile:
        raise _closure_problems(resource, [(start_at, end_at)], at)[start_at]
    problem = rules.capacity_problem(user.id, resource, start_at, end_at, rows)
    problem = problem or rules.quota_problems(user.id, resource, [(start_at, end_at)], rows).get(start_at)
    if problem is not None:
        raise problem
    booking = _new_booking(user, resource, start_at, end_at, attendees, insert_now=True)
    db.session.flush()  # nothing to write when the booking went in at once; else the booking
    audit.record(user, "amenity.booked", booking, resource_id=resource.id, start=start_at, end=end_at,
                 status=booking.status)
    signals.booking_created.send(booking, series=None)
    if booking.status == CONFIRMED:
        notices.booking_confirmed(booking, email=False)  # the resident is looking at the confirmation
    return booking


def _expand_recurrence(resource: Resource, start_at: datetime, end_at: datetime, rrule_text: str):
    """The rule and its (start, end) spans. A broken rule is one translated sentence saying what
    to change (recurrence.problem_message), never the parser's text; ``recurrence_error`` names
    the reason for programs."""
    if end_at <= start_at:
        raise BookingRuleViolation(_l("The end must be after the start."), code="not_aligned")
    try:
        rule = parse_rrule(rrule_text or "")
        return rule, expand(start_at, end_at - start_at, rule, resource.tz)
    except RecurrenceError as exc:
        raise BookingRuleViolation(problem_message(exc), code="invalid_recurrence", recurrence_error=exc.reason,
                                   **problem_params(exc)) from None


def _conflict_entry(start: datetime, end: datetime, error, tz: ZoneInfo) -> dict:
    return {"start": start.astimezone(tz).isoformat(), "end": end.astimezone(tz).isoformat(),
            "code": error.code, "reason": str(error.message)}


def book_recurring(user, resource: Resource, start_at: datetime, end_at: datetime, rrule_text: str, *,
                   attendees: int | None = None) -> list[Booking]:
    """Book every occurrence of a (subset) RRULE, or none: any failure raises RecurrenceConflict
    whose ``conflicts`` lists every failing date with its code and reason. Sends booking_created
    for each booking, then booking_series_created."""
    rules.require_aware(start_at, "start")
    rules.require_aware(end_at, "end")
    at = now()
    _check_may_book(user, resource, at, attendees, queries.suspension_end(user, resource.community_id, at))
    rule, spans = _expand_recurrence(resource, start_at, end_at, rrule_text)
    closures = queries.closures_overlapping(resource.id, spans[0][0], spans[-1][1])
    problems = {s: p for s, e in spans if (p := rules.time_problem(resource, s, e, at, closures)) is not None}
    lock_resource(resource)
    rows, closed_meanwhile = _holding_rows(user, resource, spans)
    if closed_meanwhile:
        problems = {**_closure_problems(resource, spans, at), **problems}
    for s, e in spans:
        if s not in problems and (p := rules.capacity_problem(user.id, resource, s, e, rows)) is not None:
            problems[s] = p
    free = [span for span in spans if span[0] not in problems]
    for s, p in rules.quota_problems(user.id, resource, free, rows).items():
        problems.setdefault(s, p)
    if problems:
        conflicts = [_conflict_entry(s, e, problems[s], resource.tz) for s, e in spans if s in problems]
        raise RecurrenceConflict(
            _l("%(n)d of %(total)d dates cannot be booked; nothing was booked.", n=len(conflicts), total=len(spans)),
            conflicts=conflicts)
    series = BookingSeries(resource_id=resource.id, user_id=user.id, rrule=rule.to_text())
    db.session.add(series)
    bookings = [_new_booking(user, resource, s, e, attendees, series) for s, e in spans]
    db.session.flush()
    audit.record(user, "amenity.booked_series", series, community_id=resource.community_id,
                 resource_id=resource.id, rrule=series.rrule, count=len(bookings),
                 booking_ids=[b.id for b in bookings])
    for booking in bookings:
        signals.booking_created.send(booking, series=series)
    signals.booking_series_created.send(series, bookings=bookings)
    if bookings[0].status == CONFIRMED:
        notices.series_confirmed(bookings, email=False)
    return bookings


def place_booking(user, resource: Resource, start_at: datetime, *, end_at: datetime | None = None,
                  slots: int | None = None, rrule: str | None = None, attendees: int | None = None) -> list[Booking]:
    """What the booking page and POST /api/v1/bookings both call: the end is ``end_at``, or the
    end of ``slots`` whole slots from the start (rules.booking_end); with ``rrule`` every
    occurrence is booked (book_recurring), else the one span (book). Returns the bookings made."""
    if end_at is None:
        if slots is None:
            raise TypeError("give end_at or slots")
        end_at = rules.booking_end(resource, start_at, slots)
    if rrule:
        return book_recurring(user, resource, start_at, end_at, rrule, attendees=attendees)
    return [book(user, resource, start_at, end_at, attendees=attendees)]


# -- cancel, approve, pay ------------------------------------------------------------------------

def cancel_booking(booking: Booking, *, actor, reason: str = "") -> Booking:
    """Owners cancel until the start; after the cut-off it is recorded as a late cancellation.
    Admins of the community cancel any time; cancelling someone else's booking needs a reason,
    which the resident sees in My bookings and in an e-mail. The slot is free again at once.
    Sends booking_cancelled."""
    at = now()
    how = _cancel_checks(booking, actor, at, reason)
    _mark_cancelled(booking, actor, at, how)
    db.session.flush()
    _after_cancel(booking, actor, how)
    return booking


def cancel_series(booking: Booking, *, actor, from_this: bool = True, reason: str = "") -> list[Booking]:
    """Cancel a recurring booking from ``booking`` onwards (``from_this``) or as a whole: every
    date of its series still to come, each by cancel_booking's rules (its own cut-off decides
    whether it is late). All or nothing: a date that may not be cancelled refuses the lot. Dates
    already started, over or cancelled are left as they are; ``booking`` itself must be
    cancellable when cancelling from it. Returns the bookings cancelled, soonest first. A booking
    without a series is cancelled alone."""
    if booking.series_id is None:
        return [cancel_booking(booking, actor=actor, reason=reason)]
    at = now()
    _cancel_checks(booking, actor, at, reason, only_access=not from_this)  # may the actor at all
    chosen = _series_to_cancel(booking, at, from_this)
    if not chosen:
        raise BookingRuleViolation(_l("No date of this series can be cancelled any more."), code="not_cancellable",
                                   booking_status=booking.status)
    checked = [(b, _cancel_checks(b, actor, at, reason)) for b in chosen]  # every one, before any change
    for b, b_how in checked:
        _mark_cancelled(b, actor, at, b_how)
    db.session.flush()
    for b, b_how in checked:
        _after_cancel(b, actor, b_how)
    return chosen


CANCEL_SCOPES = ("this", "following", "series")


def cancel_in_scope(booking: Booking, scope: str, *, actor, reason: str = "") -> list[Booking]:
    """What "cancel" means on My bookings and POST /bookings/<id>/cancel: ``scope`` "this" (the one
    booking), "following" (it and the later dates of its series) or "series" (every date still to
    come). Returns the bookings cancelled."""
    if scope not in CANCEL_SCOPES:
        raise ValueError(f"unknown cancel scope {scope!r}")
    if scope == "this":
        return [cancel_booking(booking, actor=actor, reason=reason)]
    return cancel_series(booking, actor=actor, from_this=scope == "following", reason=reason)


def _series_to_cancel(booking: Booking, at: datetime, from_this: bool) -> list[Booking]:
    """The series' bookings still holding a place and not started (from ``booking`` on, or all),
    soonest first; ``booking`` itself is always among them when cancelling from it."""
    stmt = sa.select(Booking).where(Booking.series_id == booking.series_id,
                                    Booking.status.in_(rules.CANCELLABLE_STATUSES), Booking.start_at > at)
    if from_this:
        stmt = stmt.where(Booking.start_at > booking.start_at)
    later = list(db.session.scalars(stmt.order_by(Booking.start_at, Booking.id)))
    return [booking] + later if from_this else later


class _How:
    """Who cancels and how, as _cancel_checks found it."""

    def __init__(self, by_admin: bool, on_behalf: bool, reason: str):
        self.by_admin, self.on_behalf, self.reason = by_admin, on_behalf, reason


def _cancel_checks(booking: Booking, actor, at: datetime, reason: str, *, only_access: bool = False) -> _How:
    """Whether ``actor`` may cancel ``booking`` at ``at`` (raises the refusal); ``only_access``:
    who the actor is to it, not whether this booking can still be cancelled."""
    by_admin = is_admin(actor, booking.community_id)
    is_owner = booking.user_id == getattr(actor, "id", None)
    if not by_admin and not is_owner:
        raise PermissionDenied(_l("You can only cancel your own bookings."), code="not_owner")
    if not only_access and booking.status not in rules.CANCELLABLE_STATUSES:
        raise BookingRuleViolation(_l("This booking cannot be cancelled any more."), code="not_cancellable",
                                   booking_status=booking.status)
    reason = (reason or "").strip()[:255]
    on_behalf = by_admin and not is_owner
    if on_behalf and not reason:
        raise BookingRuleViolation(_l("Tell the resident why their booking is cancelled."), code="reason_required")
    if not only_access and not by_admin and at >= booking.start_at:
        raise BookingRuleViolation(_l("This booking has already started and cannot be cancelled."),
                                   code="cancel_too_late")
    return _How(by_admin, on_behalf, reason)


def _mark_cancelled(booking: Booking, actor, at: datetime, how: _How) -> None:
    if not how.by_admin:
        booking.late_cancel = rules.is_late_cancellation(booking, at)
    booking.status = CANCELLED
    booking.cancelled_at = at
    if how.on_behalf:
        booking.decision_reason = how.reason
        booking.decided_by_id = actor.id


def _after_cancel(booking: Booking, actor, how: _How) -> None:
    """After the flush: the audit entry, the resident's notice when the office cancelled, the signal."""
    audit.record(actor, "amenity.cancelled", booking, late=booking.late_cancel, by_admin=how.by_admin,
                 **({"reason": how.reason, "resident_id": booking.user_id} if how.on_behalf else {}))
    if how.on_behalf:
        notices.booking_cancelled_by_office(booking)
    signals.booking_cancelled.send(booking, actor=actor, by_office=how.on_behalf, late=bool(booking.late_cancel))


def approve_booking(booking: Booking, *, actor) -> Booking:
    """A pending booking already holds its place, so approval needs no new capacity check."""
    require_admin(actor, booking.community_id)
    if booking.status != PENDING_APPROVAL:
        raise BookingRuleViolation(_l("Only bookings waiting for approval can be approved."),
                                   code="not_pending", booking_status=booking.status)
    if booking.start_at <= now():
        raise BookingRuleViolation(_l("This booking has already started."), code="in_the_past")
    booking.status = rules.status_after_approval(booking)
    booking.decided_by_id = actor.id
    db.session.flush()
    audit.record(actor, "amenity.approved", booking, status=booking.status)
    signals.booking_status_changed.send(booking, previous=PENDING_APPROVAL, actor=actor)
    notices.booking_approved(booking)
    return booking


def reject_booking(booking: Booking, *, actor, reason: str) -> Booking:
    require_admin(actor, booking.community_id)
    if booking.status != PENDING_APPROVAL:
        raise BookingRuleViolation(_l("Only bookings waiting for approval can be rejected."),
                                   code="not_pending", booking_status=booking.status)
    reason = (reason or "").strip()
    if not reason:
        raise BookingRuleViolation(_l("Give the resident a reason for the rejection."), code="reason_required")
    booking.status = REJECTED
    booking.decision_reason = reason[:255]
    booking.decided_by_id = actor.id
    db.session.flush()
    audit.record(actor, "amenity.rejected", booking, reason=booking.decision_reason)
    signals.booking_status_changed.send(booking, previous=PENDING_APPROVAL, actor=actor)
    notices.booking_rejected(booking)
    return booking


def mark_paid(booking: Booking, *, actor=None) -> Booking:
    """The payments hook: pending_payment -> confirmed. Paying twice is harmless (no signal).

    ``actor=None`` is the payment provider's webhook; a person (the office recording money paid at
    the counter) must administer the booking's community."""
    if actor is not None:
        require_admin(actor, booking.community_id)
    if booking.status == CONFIRMED and booking.paid_at is not None:
        return booking
    if booking.status != PENDING_PAYMENT:
        raise BookingRuleViolation(_l("This booking is not waiting for payment."), code="not_pending_payment",
                                   booking_status=booking.status)
    booking.status = CONFIRMED
    booking.paid_at = now()
    db.session.flush()
    audit.record(actor, "amenity.paid", booking, fee=booking.fee_fen, currency=booking.currency)
    signals.booking_status_changed.send(booking, previous=PENDING_PAYMENT, actor=actor)
    notices.booking_confirmed(booking)
    return booking


def mark_unpaid(booking: Booking, *, actor) -> Booking:
    """The payments hook when the office reverses an offline payment recorded by mistake: a paid
    booking that has not started waits for its payment again (confirmed -> pending_payment)."""
    require_admin(actor, booking.community_id)
    if booking.status != CONFIRMED or booking.paid_at is None or booking.start_at <= now():
        raise BookingRuleViolation(_l("Only a paid booking that has not started can wait for payment again."),
                                   code="not_reversible", booking_status=booking.status)
    booking.status = PENDING_PAYMENT
    booking.paid_at = None
    db.session.flush()
    audit.record(actor, "amenity.unpaid", booking, fee=booking.fee_fen, currency=booking.currency)
    signals.booking_status_changed.send(booking, previous=CONFIRMED, actor=actor)
    return booking
