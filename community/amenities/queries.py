"""Reads of the amenities domain, scoped to what the viewer may see before anything paginates.

Availability is computed from ONE query for the holding bookings and the closures of the whole
range, never per slot: a 31-day view of every gym of a community stays one query.
"""
import hashlib
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from community.accounts.models import Community
from community.amenities import rules
from community.amenities.ical import CalendarEvent, render_calendar
from community.amenities.models import (
    ACTIVE, ARCHIVED, CANCELLED, CONFIRMED, CHECKED_IN, HOLDING_STATUSES, NO_SHOW, PENDING_APPROVAL,
    REJECTED, Booking, CalendarFeed, Closure, Resource, Suspension,
)
from community.amenities.rules import MAX_BOOKING_SPAN, last_bookable_day
from community.amenities.schedule import Slot, local_day_bounds, slots_between
from community.core import tokens
from community.core.clock import now, zone
from community.core.errors import NotFound
from community.core.permissions import COMMUNITY_ADMIN, RESIDENT, community_ids_with_role, has_role
from community.extensions import db

STATES = ("free", "partial", "full", "closed", "past")
MAX_AVAILABILITY_DAYS = 31


# -- resources ---------------------------------------------------------------------------------

def _current_tier(user) -> str | None:
    talent = getattr(user, "talent", None)
    if talent is None or talent.tier is None:
        return None
    today = now().astimezone(zone(user.timezone)).date()
    return talent.tier if talent.is_current(today) else None


def _tier_visible(tier: str | None):
    """visible_tiers is a JSON list of known codes; match on its text so SQLite and PostgreSQL
    (and rows written by COPY) behave alike. No quote in the text means an empty list."""
    as_text = sa.cast(Resource.visible_tiers, sa.String)
    everyone = as_text.not_like('%"%')
    return sa.or_(everyone, as_text.like(f'%"{tier}"%')) if tier else everyone


def resources_for(user, *, kind: str | None = None, include_archived: bool = False) -> sa.Select:
    """Residents: active, tier-visible resources of their communities. Admins: every resource of
    the communities they administer, closed ones included (archived only when asked)."""
    admin_ids = community_ids_with_role(user, COMMUNITY_ADMIN)  # None: platform admin, everywhere
    not_archived = sa.true() if include_archived else Resource.status != ARCHIVED
    if admin_ids is None:
        scope = not_archived
    else:
        resident_ids = {g.community_id for g in user.role_grants if g.role == RESIDENT}
        as_resident = sa.and_(Resource.community_id.in_(resident_ids), Resource.status == ACTIVE,
                              _tier_visible(_current_tier(user)))
        scope = sa.or_(sa.and_(Resource.community_id.in_(admin_ids), not_archived), as_resident)
    stmt = sa.select(Resource).where(scope).order_by(Resource.kind, Resource.name, Resource.id)
    if kind:
        stmt = stmt.where(Resource.kind == kind)
    return stmt


def resource_for(user, resource_id: int) -> Resource:
    """One resource the user may see (as resources_for), else NotFound."""
    resource = db.session.scalar(resources_for(user, include_archived=True)
                                 .where(Resource.id == resource_id).options(joinedload(Resource.community)))
    if resource is None or (resource.status == ARCHIVED and not _is_admin(user, resource.community_id)):
        raise NotFound(_l("This resource does not exist or is not available to you."), code="resource_not_found")
    return resource


def bookable_resource(user, resource_id: int) -> Resource:
    """The resource to book, loaded with its community in one query, when it belongs to one of
    the user's communities: the one lookup of the booking page and POST /api/v1/bookings. Tier,
    status and every other rule are the operation's to judge, so a closed, archived or
    tier-restricted resource is refused by name (resource_unavailable, not_eligible), alike on
    both, and only another community's resource (or an unknown id) is NotFound."""
    resource = db.session.scalar(_resource_with_community_stmt(), {"wanted_resource_id": resource_id})
    if resource is None or not (has_role(user, RESIDENT, resource.community_id) or _is_admin(user, resource.community_id)):
        raise NotFound(_l("This resource does not exist or is not available to you."), code="resource_not_found")
    return resource


@lru_cache(maxsize=1)
def _resource_with_community_stmt():
    """bookable_resource's query, built once (bound parameter): on the booking path, building it
    and its loader option cost about as much CPU as running it."""
    return (sa.select(Resource).where(Resource.id == sa.bindparam("wanted_resource_id"))
            .options(joinedload(Resource.community)))


def managed_resource(user, resource_id: int) -> Resource:
    """A resource of a community the user administers (archived ones too), else NotFound."""
    resource = db.session.get(Resource, resource_id, options=[joinedload(Resource.community)])
    if resource is None or not _is_admin(user, resource.community_id):
        raise NotFound(_l("This resource does not exist or is not available to you."), code="resource_not_found")
    return resource


def _is_admin(user, community_id) -> bool:
    return has_role(user, COMMUNITY_ADMIN, community_id)


# -- who may book -------------------------------------------------------------------------------

def tier_allows(user, resource: Resource, today: date) -> bool:
    """Whether the resource's tier list lets the user book it (rules.tier_allows with the user's
    talent profile; admins of its community always pass)."""
    if not resource.visible_tiers:  # the usual case: no need to load the talent profile
        return True
    return rules.tier_allows(resource, user.talent, today, is_admin=_is_admin(user, resource.community_id))


def booking_refusal(user, resource: Resource, *, at: datetime, suspended_until: datetime | None,
                    attendees: int | None = None):
    """The rule about the resource and the person, whatever the times, that refuses them a
    booking (resource_unavailable, not_eligible, too_many_attendees, suspended), or None. The
    booking operations raise it; the booking page shows it instead of a form."""
    eligible = tier_allows(user, resource, at.astimezone(resource.tz).date())
    return rules.booker_problem(resource, eligible=eligible, attendees=attendees, suspended_until=suspended_until)


def active_suspension(user, community_id: int, at: datetime) -> Suspension | None:
    """The suspension running at ``at`` (the one ending last), or None."""
    return db.session.scalar(
        sa.select(Suspension).where(
            Suspension.user_id == user.id, Suspension.community_id == community_id,
            Suspension.starts_at <= at, Suspension.ends_at > at,
        ).order_by(Suspension.ends_at.desc()).limit(1)
    )


def suspension_end(user, community_id: int, at: datetime) -> datetime | None:
    """When the suspension running at ``at`` ends, or None."""
    suspension = active_suspension(user, community_id, at)
    return suspension.ends_at if suspension is not None else None


def closures_overlapping(resource_id: int, start: datetime, end: datetime) -> list[Closure]:
    return list(db.session.scalars(sa.select(Closure).where(
        Closure.resource_id == resource_id, Closure.starts_at < end, Closure.ends_at > start)))


# -- availability ------------------------------------------------------------------------------

@dataclass(frozen=True)
class SlotAvailability:
    start: datetime  # UTC
    end: datetime
    remaining: int
    state: str  # one of STATES
    reason: str = ""  # the closure reason residents see
    bookable: bool = False  # free or partial, within the booking window and notice, and not the viewer's
    mine: bool = False  # the viewer holds a booking overlapping it (availability(..., user=))


@dataclass(frozen=True)
class DayAvailability:
    day: date
    slots: list[SlotAvailability] = field(default_factory=list)


def _taken_per_slot(slots: list[Slot], bookings) -> list[int]:
    """How many bookings overlap each slot. Slots are sorted and disjoint, so each booking finds
    its slots by bisection instead of being compared with every slot."""
    starts = [s.start for s in slots]
    ends = [s.end for s in slots]
    taken = [0] * len(slots)
    for booking_start, booking_end in bookings:
        for index in range(bisect_right(ends, booking_start), bisect_left(starts, booking_end)):
            taken[index] += 1
    return taken


def _slot_state(resource: Resource, slot: Slot, taken: int, closures, at: datetime):
    if slot.start < at:
        return "past", ""
    if not resource.is_active:
        return "closed", str(_l("Closed"))
    for closure in closures:
        if closure.starts_at < slot.end and slot.start < closure.ends_at:
            return "closed", closure.reason
    if taken >= resource.capacity:
        return "full", ""
    return ("partial" if taken else "free"), ""


def _resource_days(resource: Resource, start_day: date, days: int, bookings, closures, at,
                   own=()) -> list[DayAvailability]:
    tz = resource.tz
    slots = slots_between(start_day, days, resource.hours, resource.slot_minutes, tz)
    taken = _taken_per_slot(slots, bookings)
    mine = _taken_per_slot(slots, own) if own else [0] * len(slots)
    notice = timedelta(minutes=resource.min_notice_minutes)
    last_day = last_bookable_day(resource, at)
    by_day: dict[date, list[SlotAvailability]] = {start_day + timedelta(days=i): [] for i in range(days)}
    for slot, count, own_count in zip(slots, taken, mine):
        state, reason = _slot_state(resource, slot, count, closures, at)
        local_day = slot.start.astimezone(tz).date()
        bookable = (state in ("free", "partial") and slot.start - at >= notice and local_day <= last_day
                    and not own_count)  # booking it again would be already_booked
        by_day[local_day].append(SlotAvailability(slot.start, slot.end, max(resource.capacity - count, 0),
                                                  state, reason, bookable, own_count > 0))
    return [DayAvailability(day, day_slots) for day, day_slots in by_day.items()]


@dataclass(frozen=True)
class _ClosureSpan:
    """What availability reads of a closure (the one query's row), as _slot_state uses it."""
    resource_id: int
    starts_at: datetime
    ends_at: datetime
    reason: str


@lru_cache(maxsize=1)
def _availability_stmt():
    """The ONE query of availability, built once (bound parameters, an expanding list of ids): the
    holding bookings of the resources overlapping [lo, hi), an index range on (resource_id,
    start_at) bounded below by MAX_BOOKING_SPAN, and their closures overlapping it (index on
    (resource_id, starts_at)), as rows marked ``closure``."""
    ids = sa.bindparam("ids", expanding=True)
    bookings = sa.select(
        Booking.resource_id, Booking.start_at, Booking.end_at, Booking.user_id,
        sa.cast(sa.null(), sa.String).label("reason"), sa.literal(0).label("closure"),
    ).where(Booking.resource_id.in_(ids), Booking.status.in_(HOLDING_STATUSES),
            Booking.start_at > sa.bindparam("earliest"), Booking.start_at < sa.bindparam("hi"),
            Booking.end_at > sa.bindparam("lo"))
    closed = sa.select(Closure.resource_id, Closure.starts_at, Closure.ends_at, sa.cast(sa.null(), sa.Integer),
                       Closure.reason, sa.literal(1)).where(
        Closure.resource_id.in_(ids), Closure.starts_at < sa.bindparam("hi"), Closure.ends_at > sa.bindparam("lo"))
    return sa.union_all(bookings, closed)


# Bump when what availability shows changes shape without its data changing (its ETag).
AVAILABILITY_TAG_VERSION = "1"


class AvailabilityRead:
    """Availability of resources over the same local days, from the ONE query (bookings and
    closures); ``tag()`` names what it shows for an ETag, ``days_of()`` computes the slots."""

    def __init__(self, resources: list[Resource], start_day: date, days: int, at: datetime, user):
        self.resources, self.start_day, self.days, self.at = resources, start_day, days, at
        self.user_id = getattr(user, "id", None)
        self.bookings, self.own, self.closures = defaultdict(list), defaultdict(list), defaultdict(list)
        self.rows = []
        if not resources:
            return
        bounds = [local_day_bounds(start_day, r.tz)[0] for r in resources] + \
                 [local_day_bounds(start_day + timedelta(days=days - 1), r.tz)[1] for r in resources]
        lo, hi = min(bounds), max(bounds)
        self.rows = db.session.execute(_availability_stmt(), {
            "ids": [r.id for r in resources], "lo": lo, "hi": hi, "earliest": lo - MAX_BOOKING_SPAN}).all()
        for row in self.rows:
            if row.closure:
                self.closures[row.resource_id].append(_ClosureSpan(row.resource_id, row.start_at, row.end_at,
                                                                   row.reason or ""))
                continue
            self.bookings[row.resource_id].append((row.start_at, row.end_at))
            if self.user_id is not None and row.user_id == self.user_id:
                self.own[row.resource_id].append((row.start_at, row.end_at))
        for spans in self.closures.values():
            spans.sort(key=lambda c: c.starts_at)

    def tag(self, *extra) -> str:
        """A strong validator of what these days show this viewer: every holding booking and
        closure in range (so a booking, a cancellation, an approval or rejection, an expiry, a
        closure added or removed changes it, whoever wrote it), the resources' settings, the viewer
        (their own bookings are "mine"), the minute (a slot becomes past or too late to book at a
        whole minute) and ``extra`` (the locale, the page's own parts)."""
        digest = hashlib.blake2b(digest_size=16)
        settings = [(r.id, r.status, r.capacity, r.slot_minutes, r.min_notice_minutes, r.booking_window_days,
                     str(r.opening_hours), r.updated_at.isoformat() if r.updated_at else "") for r in self.resources]
        uid = self.user_id
        # (resource, closure?, start, end, the viewer's?, reason): epoch seconds, sorted (the query
        # has no ORDER BY); isoformat() a row cost more than computing its slots.
        rows = sorted([(r_id, closure, int(start.timestamp()), int(end.timestamp()), user_id == uid, reason or "")
                       for r_id, start, end, user_id, reason, closure in self.rows])
        minute = self.at.replace(second=0, microsecond=0).isoformat()
        digest.update(repr((AVAILABILITY_TAG_VERSION, self.start_day.isoformat(), self.days, self.user_id, minute,
                            settings, rows, extra)).encode())
        return digest.hexdigest()

    def days_of(self, resource: Resource) -> list[DayAvailability]:
        return _resource_days(resource, self.start_day, self.days, self.bookings[resource.id],
                              self.closures[resource.id], self.at, self.own.get(resource.id, ()))


def read_availability(resources: list[Resource], start_day: date, days: int, *, at: datetime | None = None,
                      user=None) -> AvailabilityRead:
    """Run availability's one query for these resources and days (see AvailabilityRead)."""
    if not 1 <= days <= MAX_AVAILABILITY_DAYS:
        raise ValueError(f"days must be 1..{MAX_AVAILABILITY_DAYS}")
    return AvailabilityRead(resources, start_day, days, at or now(), user)


def availability_many(resources: list[Resource], start_day: date, days: int, *, at: datetime | None = None,
                      user=None) -> dict[int, list[DayAvailability]]:
    """Availability of several resources over the same local days: ONE query for their bookings and
    closures. With ``user``, slots the user holds a booking in are ``mine`` (and not bookable)."""
    read = read_availability(resources, start_day, days, at=at, user=user)
    return {r.id: read.days_of(r) for r in resources}


def availability(resource: Resource, start_day: date, days: int, *, at: datetime | None = None,
                 user=None) -> list[DayAvailability]:
    """Slots of ``days`` local days from ``start_day`` with remaining capacity and a state (and
    ``mine`` for the user's own bookings, when given)."""
    return availability_many([resource], start_day, days, at=at, user=user)[resource.id]


def day_view_resources(community_id: int, kind: str, *, user) -> list[Resource]:
    """Every resource of a kind the user may see in one community (with its community)."""
    stmt = resources_for(user, kind=kind).where(Resource.community_id == community_id)
    return list(db.session.scalars(stmt.options(joinedload(Resource.community))))


def day_view(community_id: int, kind: str, day: date, *, user, at: datetime | None = None, resources=None
             ) -> list[tuple[Resource, list[SlotAvailability]]]:
    """Every resource of a kind the user may see in one community (``resources`` when already
    read: day_view_resources), with that day's slots."""
    if resources is None:
        resources = day_view_resources(community_id, kind, user=user)
    return day_view_rows(read_availability(resources, day, 1, at=at, user=user))


def day_view_rows(read: AvailabilityRead) -> list[tuple[Resource, list[SlotAvailability]]]:
    """day_view's rows from an availability read of one day."""
    return [(r, read.days_of(r)[0].slots) for r in read.resources]


# -- bookings ----------------------------------------------------------------------------------

def _may_not_be_over(at: datetime):
    """start_at > at - MAX_BOOKING_SPAN: implied by end_at > at, since no booking is longer. Said
    out loud, it bounds the (user_id, start_at) and (resource_id, start_at) index ranges to the
    last day onwards; without it "not over yet" read a resident's (or a resource's) whole history
    (760 index rows for the 1 upcoming booking of the city's busiest resident, bench/README.md)."""
    return Booking.start_at > at - MAX_BOOKING_SPAN


def bookings_for(user, *, upcoming: bool, at: datetime | None = None) -> sa.Select:
    """The user's own bookings. Upcoming: still holding a place and not yet over, soonest first;
    past: everything else (over, cancelled, rejected, no-show), latest first."""
    at = at or now()
    stmt = sa.select(Booking).where(Booking.user_id == user.id).options(
        joinedload(Booking.resource).joinedload(Resource.community))
    is_upcoming = sa.and_(Booking.end_at > at, Booking.status.in_(HOLDING_STATUSES))
    if upcoming:
        return stmt.where(is_upcoming, _may_not_be_over(at)).order_by(Booking.start_at, Booking.id)
    return stmt.where(sa.not_(is_upcoming)).order_by(Booking.start_at.desc(), Booking.id.desc())


def series_dates_to_come(user, series_ids, *, at: datetime | None = None) -> dict[int, list[datetime]]:
    """{series id: starts of the user's bookings in it that can still be cancelled (holding a
    place, not started)}, soonest first: ONE query for every series on a page of My bookings."""
    at = at or now()
    starts = defaultdict(list)
    if not series_ids:
        return starts
    rows = db.session.execute(
        sa.select(Booking.series_id, Booking.start_at).where(
            Booking.user_id == user.id, Booking.series_id.in_(series_ids),
            Booking.status.in_(rules.CANCELLABLE_STATUSES), Booking.start_at > at)
        .order_by(Booking.start_at))
    for series_id, start_at in rows:
        starts[series_id].append(start_at)
    return starts


def booking_for(user, booking_id: int) -> Booking:
    """A booking its owner or an admin of its community may see; NotFound for everyone else, so
    a stranger cannot even learn that the id exists."""
    booking = db.session.get(Booking, booking_id, options=[joinedload(Booking.resource).joinedload(Resource.community)])
    if booking is None or not (booking.user_id == getattr(user, "id", None) or _is_admin(user, booking.community_id)):
        raise NotFound(_l("This booking does not exist or is not yours."), code="booking_not_found")
    return booking


def managed_booking(user, booking_id: int) -> Booking:
    """A booking of a community the user administers, else NotFound (even for its owner: the
    admin pages are not the owner's way to it)."""
    booking = db.session.get(Booking, booking_id, options=[joinedload(Booking.resource).joinedload(Resource.community)])
    if booking is None or not _is_admin(user, booking.community_id):
        raise NotFound(_l("This booking does not exist or is not yours."), code="booking_not_found")
    return booking


def upcoming_for_resource(resource: Resource, *, at: datetime | None = None) -> sa.Select:
    """Bookings of one resource still holding a place and not over, soonest first (admin pages)."""
    at = at or now()
    return (sa.select(Booking).where(Booking.resource_id == resource.id, Booking.status.in_(HOLDING_STATUSES),
                                     Booking.end_at > at, _may_not_be_over(at))
            .options(joinedload(Booking.user), joinedload(Booking.resource).joinedload(Resource.community))
            .order_by(Booking.start_at, Booking.id))


def pending_for_admin(user) -> sa.Select:
    """Bookings waiting for approval in the communities the user administers, soonest first."""
    stmt = sa.select(Booking).where(Booking.status == PENDING_APPROVAL).options(
        joinedload(Booking.resource).joinedload(Resource.community), joinedload(Booking.user))
    ids = community_ids_with_role(user, COMMUNITY_ADMIN)
    if ids is not None:
        stmt = stmt.where(Booking.community_id.in_(ids))
    return stmt.order_by(Booking.start_at, Booking.id)


# -- the private calendar feed ---------------------------------------------------------------------

FEED_PURPOSE = "calendar-feed"


def feed_of(user) -> CalendarFeed | None:
    return db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def feed_url_token(feed: CalendarFeed) -> str:
    """The token in the feed's URL: signed (user id, nonce), so it is derived again, not stored;
    the row keeps only its digest for the lookup (tokens.digest)."""
    return tokens.signed(FEED_PURPOSE, feed.user_id, feed.nonce)


def active_feed_token(user) -> str | None:
    """The live feed token to show on a page, without creating one (None when none or revoked)."""
    feed = feed_of(user)
    return None if feed is None or feed.revoked_at is not None else feed_url_token(feed)


def user_for_feed_token(token: str):
    """The owner of a live feed token, or None (unknown, revoked, or inactive account)."""
    if not token:
        return None
    feed = db.session.scalar(sa.select(CalendarFeed).where(
        CalendarFeed.token_hash == tokens.digest(token), CalendarFeed.revoked_at.is_(None)))
    if feed is None or not feed.user.active:
        return None
    return feed.user


# -- the iCalendar document ------------------------------------------------------------------------

FEED_PAST = timedelta(days=30)
ICAL_STATUS = {CONFIRMED: "CONFIRMED", CHECKED_IN: "CONFIRMED", CANCELLED: "CANCELLED", REJECTED: "CANCELLED",
               NO_SHOW: "CANCELLED"}


def calendar_for(user, *, at: datetime | None = None, domain: str = "talent.community") -> str:
    """The user's bookings from 30 days back on, as an RFC 5545 document. Cancelled ones stay in
    the feed as STATUS:CANCELLED so subscribed calendars remove them; pending ones are TENTATIVE."""
    at = at or now()
    bookings = db.session.scalars(
        sa.select(Booking).where(Booking.user_id == user.id, Booking.end_at > at - FEED_PAST)
        .options(joinedload(Booking.resource)).order_by(Booking.start_at, Booking.id)).all()
    events = [CalendarEvent(
        uid=f"amenity-booking-{b.id}@{domain}", start=b.start_at, end=b.end_at, summary=b.resource.name,
        location=b.resource.location or None, status=ICAL_STATUS.get(b.status, "TENTATIVE"),
        last_modified=b.updated_at) for b in bookings]
    return render_calendar(events, name=str(_l("My amenity bookings")), now=at)


# -- small reads for the pages ---------------------------------------------------------------------

def upcoming_closures(resource, *, limit: int | None = None) -> list[Closure]:
    """Closures of a resource that have not ended, soonest first."""
    stmt = (sa.select(Closure).where(Closure.resource_id == resource.id, Closure.ends_at > now())
            .order_by(Closure.starts_at))
    return db.session.scalars(stmt.limit(limit) if limit else stmt).all()


def managed_communities(user) -> list[Community]:
    """The communities whose amenities the user administers (every one for a platform admin)."""
    ids = community_ids_with_role(user, COMMUNITY_ADMIN)
    stmt = sa.select(Community).order_by(Community.name)
    if ids is not None:
        stmt = stmt.where(Community.id.in_(ids))
    return db.session.scalars(stmt).all()


def day_view_communities(user) -> list[Community]:
    """Communities whose day view the user may open: a resident's own, the ones an admin runs,
    every community for a platform admin."""
    admin_ids = community_ids_with_role(user, COMMUNITY_ADMIN)
    stmt = sa.select(Community).order_by(Community.name, Community.id)
    if admin_ids is not None:
        ids = admin_ids | ({user.community_id} if user.community_id else set())
        stmt = stmt.where(Community.id.in_(ids))
    return db.session.scalars(stmt).all()


def communities_with_resources(community_ids) -> set[int]:
    """Which of these communities have something (not archived) to book."""
    return set(db.session.scalars(
        sa.select(Resource.community_id).where(Resource.community_id.in_(community_ids), Resource.status != ARCHIVED)
        .distinct()))


# -- what a change of a resource hits (the admin's confirm page) -----------------------------------
# operations.resources reads these again under the resource lock, so a booking made between the
# admin's look and their confirmation is caught.

def _holding_not_over(resource: Resource, at: datetime, statuses=HOLDING_STATUSES) -> sa.Select:
    return (sa.select(Booking).where(Booking.resource_id == resource.id, Booking.status.in_(statuses),
                                     Booking.end_at > at, _may_not_be_over(at))
            .options(joinedload(Booking.user)).order_by(Booking.start_at, Booking.id))


def affected_by_closure(resource: Resource, starts_at: datetime, ends_at: datetime, *,
                        at: datetime | None = None) -> list[Booking]:
    """Bookings a closure of [starts_at, ends_at) hits: still to be cancelled (waiting or
    confirmed), not over, overlapping it; soonest first."""
    stmt = _holding_not_over(resource, at or now(), rules.CANCELLABLE_STATUSES).where(
        Booking.start_at < ends_at, Booking.end_at > starts_at, Booking.start_at > starts_at - MAX_BOOKING_SPAN)
    return list(db.session.scalars(stmt))


def affected_by_settings(resource: Resource, *, capacity: int | None = None, hours=None,
                         at: datetime | None = None) -> list[Booking]:
    """Bookings that new settings leave where they no longer fit: outside the new opening
    ``hours`` (an OpeningHours), or beyond the new ``capacity`` (first come, first kept:
    rules.over_capacity; a checked-in booking counts and stays). None: that setting does not
    change. Soonest first."""
    holding = list(db.session.scalars(_holding_not_over(resource, at or now())))
    affected = {}
    if hours is not None:
        affected = {b.id: b for b in holding if b.status in rules.CANCELLABLE_STATUSES
                    and not rules.within_opening_hours(b.start_at, b.end_at, hours, resource.tz)}
    if capacity is not None:
        left = [b for b in holding if b.id not in affected]
        affected.update((b.id, b) for b in rules.over_capacity(left, capacity, keep=lambda b: b.status == CHECKED_IN))
    return sorted(affected.values(), key=lambda b: (b.start_at, b.id))


def affected_by_status(resource: Resource, *, at: datetime | None = None) -> list[Booking]:
    """Bookings still to come (waiting or confirmed, not over) that closing or archiving the
    resource leaves standing; soonest first."""
    return list(db.session.scalars(_holding_not_over(resource, at or now(), rules.CANCELLABLE_STATUSES)))


def past_closures(resource: Resource, *, limit: int = 20) -> list[Closure]:
    """Closures of a resource that have ended, latest first (the admin page's "past" section)."""
    return db.session.scalars(
        sa.select(Closure).where(Closure.resource_id == resource.id, Closure.ends_at <= now())
        .order_by(Closure.starts_at.desc(), Closure.id.desc()).limit(limit)).all()
