"""The ticket life cycle: file (with its reference number), assign, reply, change status, rate.

Reference numbers: one counter row per (community, year), made if missing with INSERT ... ON
CONFLICT DO NOTHING and advanced with ``UPDATE ... SET last = last + 1 ... RETURNING last`` in
the filing's own transaction. The UPDATE's row lock orders concurrent filers of a community, so
each gets the next number; a filing that rolls back gives its number back with it; the unique
constraints on (community, year, number) and on the reference are the last word. The same lock
makes assignment of concurrent filings see each other's counts (balancing stays exact).

SLA: the due instants are computed when the ticket is filed, in the community's business hours,
and moved on when the clock pauses (waiting on the resident, or resolved until confirmed or
reopened): paused business minutes are added to the resolution target."""
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite

from community.core import audit
from community.core.attachments import attach
from community.core.clock import now
from community.core.errors import NotFound, PermissionDenied
from community.core.permissions import RESIDENT, SPECIALIST, has_role
from community.extensions import db
from community.tickets import business_hours as bh
from community.tickets import notices, queries, rules
from community.tickets.errors import (
    AlreadyRated, ReopenWindowOver, TicketClosed, TicketRuleViolation, TransitionNotAllowed,
)
from community.tickets.models import (
    ASSIGNED, CLOSED, IN_PROGRESS, LOCATION_KINDS, NEW, OPEN_STATUSES, PRIORITIES, REOPENED, RESOLVED,
    RUNNING_STATUSES, WAITING, SpecialistCoverage, Ticket, TicketCounter, TicketEvent, TicketReply,
)


# -- reference numbers ------------------------------------------------------------------------

def next_number(community_id: int, year: int) -> int:
    """The next reference number of the community's year, under the counter row's lock."""
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(TicketCounter)
    db.session.execute(insert.values(community_id=community_id, year=year, last=0)
                       .on_conflict_do_nothing(index_elements=["community_id", "year"]))
    return db.session.execute(
        sa.update(TicketCounter).where(TicketCounter.community_id == community_id, TicketCounter.year == year)
        .values(last=TicketCounter.last + 1).returning(TicketCounter.last)
        .execution_options(synchronize_session=False)).scalar_one()


# -- filing -------------------------------------------------------------------------------------

def _text(value, field, limit, *, required=True):
    value = (value or "").strip()
    if required and not value:
        raise TicketRuleViolation(_l("This field is required."), field=field)
    if len(value) > limit:
        raise TicketRuleViolation(_l("At most %(n)s characters.", n=limit), field=field)
    return value


def file_ticket(resident, category, *, title, description, location_kind="public", building_id=None,
                location_detail="", contact_time="", photos=(), at: datetime | None = None) -> Ticket:
    """A resident of the category's community files a request; it gets its reference number and
    SLA targets at once and is assigned (or waits in the community queue, the admins told)."""
    at = at or now()
    if not has_role(resident, RESIDENT, category.community_id):
        raise PermissionDenied(_l("Only residents of this community can file requests here."), code="not_member")
    if not category.active:
        raise NotFound()
    title = _text(title, "title", rules.TITLE_MAX)
    description = _text(description, "description", rules.DESCRIPTION_MAX)
    location_detail = _text(location_detail, "location_detail", rules.DETAIL_MAX, required=False)
    contact_time = _text(contact_time, "contact_time", rules.CONTACT_MAX, required=False)
    if location_kind not in LOCATION_KINDS:
        raise TicketRuleViolation(_l("Choose where it is."), field="location")
    if location_kind == "building":
        if building_id not in {b.id for b in queries.buildings_of(category.community_id)}:
            raise TicketRuleViolation(_l("Choose a building of your community."), field="location")
    else:
        building_id = None
    photos = [p for p in photos if p is not None and getattr(p, "filename", None)]
    if len(photos) > rules.MAX_PHOTOS:
        raise TicketRuleViolation(_l("At most %(n)s photos.", n=rules.MAX_PHOTOS), field="photos")

    from community.accounts.models import Community

    community = db.session.get(Community, category.community_id)
    calendar = queries.calendar_for(community)
    priority = category.default_priority
    first_target, resolution_target = rules.targets_for(category.sla_policy, priority)
    year = at.astimezone(calendar.tz).year
    number = next_number(community.id, year)
    ticket = Ticket(
        community_id=community.id, reference=rules.reference(year, number), year=year, number=number,
        resident_id=resident.id, category_id=category.id, title=title, description=description,
        location_kind=location_kind, building_id=building_id, location_detail=location_detail,
        contact_time=contact_time, priority=priority, status=NEW, created_at=at, updated_at=at,
        first_response_target=first_target, resolution_target=resolution_target,
        first_response_due_at=bh.add_business_minutes(calendar, at, first_target),
        resolution_due_at=bh.add_business_minutes(calendar, at, resolution_target),
    )
    db.session.add(ticket)
    db.session.flush()
    for photo in photos:
        attach(photo, owner=ticket, purpose="photo", actor=resident)
    audit.record(resident, "ticket.filed", ticket, reference=ticket.reference, category=category.name,
                 photos=len(photos))
    _event(ticket, None, "status", from_status=None, to_status=NEW, public=True, at=at)
    auto_assign(ticket, at=at)
    notices.filed(ticket)
    return ticket


# -- assignment ---------------------------------------------------------------------------------

def _event(ticket, actor, kind, *, from_status=None, to_status=None, assignee_id=None, reason="", public=False,
           at=None):
    event = TicketEvent(ticket_id=ticket.id, actor_id=getattr(actor, "id", None), kind=kind, from_status=from_status,
                        to_status=to_status, assignee_id=assignee_id, reason=reason, public=public,
                        created_at=at or now())
    db.session.add(event)
    return event


def auto_assign(ticket: Ticket, *, at: datetime | None = None):
    """Least open tickets first, then round robin, among the category's available specialists;
    nobody available: the ticket stays in the community queue and the admins are told."""
    at = at or now()
    category = ticket.category
    day = at.astimezone(queries.calendar_for(ticket.community).tz).date()
    candidates = [rules.Candidate(uid, count, last) for uid, count, last in
                  queries.assignment_candidates(category, day)]
    chosen = rules.pick_assignee(candidates)
    if chosen is None:
        notices.unassigned(ticket)
        return None
    _assign(ticket, chosen, actor=None, reason="", at=at)
    return ticket.assignee


def _assign(ticket, user_id, *, actor, reason, at):
    from community.accounts.models import User

    previous = ticket.assignee_id
    ticket.assignee_id = user_id
    ticket.assignee = db.session.get(User, user_id)
    if ticket.status == NEW:
        ticket.status = ASSIGNED
        _event(ticket, actor, "status", from_status=NEW, to_status=ASSIGNED, public=True, at=at)
    db.session.execute(sa.update(SpecialistCoverage).where(
        SpecialistCoverage.user_id == user_id, SpecialistCoverage.category_id == ticket.category_id)
        .values(last_assigned_at=at).execution_options(synchronize_session=False))
    _event(ticket, actor, "reassigned" if previous else "assigned", assignee_id=user_id, reason=reason, at=at)
    audit.record(actor, "ticket.assigned", ticket, reference=ticket.reference, assignee=user_id,
                 previous_assignee=previous, reason=reason)
    if actor is None or actor.id != user_id:
        notices.assigned(ticket, ticket.assignee)


def reassign(ticket: Ticket, to_user, *, actor, reason: str = "", at=None) -> Ticket:
    """A specialist or admin of the community hands the ticket to another specialist of it (or a
    specialist takes one from the community queue). Moving it away from someone needs a reason."""
    at = at or now()
    if not queries.is_staff(actor, ticket.community_id):
        raise PermissionDenied(_l("Only staff of this community can assign its requests."), code="not_staff")
    if ticket.status == CLOSED:
        raise TicketClosed(_l("This request is closed."))
    if to_user is None or not has_role(to_user, SPECIALIST, ticket.community_id) or not to_user.active:
        raise TicketRuleViolation(_l("Choose a specialist of this community."), field="assignee")
    reason = _text(reason, "reason", rules.REASON_MAX, required=ticket.assignee_id is not None)
    if ticket.assignee_id == to_user.id:
        return ticket
    _assign(ticket, to_user.id, actor=actor, reason=reason, at=at)
    return ticket


def bulk_reassign(tickets, to_user, *, actor, reason: str) -> int:
    """An admin moves several tickets at once (all or nothing); returns how many moved."""
    moved = 0
    for ticket in tickets:
        if not queries.is_admin(actor, ticket.community_id):
            raise PermissionDenied(_l("Only an administrator of this community can do this."), code="not_admin")
        before = ticket.assignee_id
        reassign(ticket, to_user, actor=actor, reason=reason)
        moved += ticket.assignee_id != before
    return moved


# -- the clock ----------------------------------------------------------------------------------

def _pause(ticket, at):
    if ticket.paused_at is None:
        ticket.paused_at = at


def _resume(ticket, at, calendar):
    """The paused business minutes are added, and the resolution due instant moves on by them."""
    if ticket.paused_at is None:
        return
    ticket.paused_minutes += bh.business_minutes_between(calendar, ticket.paused_at, at)
    ticket.paused_at = None
    ticket.resolution_due_at = bh.add_business_minutes(calendar, ticket.created_at,
                                                        ticket.resolution_target + ticket.paused_minutes)


def remaining_minutes(ticket, calendar, at) -> dict:
    """Business minutes left to each target (negative: overdue), None when met or not running."""
    left = {"first_response": None, "resolution": None}
    if ticket.first_response_at is None and ticket.first_response_due_at and ticket.status != CLOSED:
        left["first_response"] = _signed(calendar, at, ticket.first_response_due_at)
    if ticket.status in OPEN_STATUSES and ticket.resolution_due_at:
        until = ticket.paused_at or at
        left["resolution"] = _signed(calendar, until, ticket.resolution_due_at)
    return left


def _signed(calendar, start, end) -> int:
    if end >= start:
        return bh.business_minutes_between(calendar, start, end)
    return -bh.business_minutes_between(calendar, end, start)


# -- conversation -------------------------------------------------------------------------------

def add_reply(ticket: Ticket, actor, body: str, *, internal: bool = False, files=(), at=None) -> TicketReply:
    """A public reply or (staff only) an internal note. A resident's note is refused (403): it
    would be stored as something staff-only that its own author could not read. The first public
    staff reply is the first response; a resident's reply while waiting on them resumes the clock.
    ``files`` (up to MAX_REPLY_FILES images or PDFs) are attached to the reply, so they are as
    private as it is: a note's files are staff-only (attachments.may_view_reply_file)."""
    at = at or now()
    staff = queries.is_staff(actor, ticket.community_id)
    own = ticket.resident_id == actor.id
    if not (staff or own):
        raise NotFound()
    if internal and not staff:
        raise PermissionDenied(_l("Only staff can write internal notes."), code="internal_not_allowed")
    if ticket.status == CLOSED:
        raise TicketClosed(_l("This request is closed; file a new one if you need more help."))
    body = _text(body, "body", rules.BODY_MAX)
    files = [f for f in files if f is not None and getattr(f, "filename", None)]
    if len(files) > rules.MAX_REPLY_FILES:
        raise TicketRuleViolation(_l("At most %(n)s files.", n=rules.MAX_REPLY_FILES), field="files")
    reply = TicketReply(ticket_id=ticket.id, author_id=actor.id, author=actor, body=body, internal=internal,
                        created_at=at)
    db.session.add(reply)
    db.session.flush()
    for file in files:
        attach(file, owner=reply, purpose="file", actor=actor, community_id=ticket.community_id)
    if internal:
        audit.record(actor, "ticket.note_added", ticket, reference=ticket.reference, reply=reply.id, files=len(files))
    else:
        audit.record(actor, "ticket.replied", ticket, reference=ticket.reference, reply=reply.id, files=len(files))
    ticket.updated_at = at
    if internal:
        return reply
    calendar = queries.calendar_for(ticket.community)
    if staff and not own:
        if ticket.first_response_at is None:
            ticket.first_response_at = at
            ticket.first_response_minutes = bh.business_minutes_between(calendar, ticket.created_at, at)
        if ticket.status in (NEW, ASSIGNED, REOPENED):
            _set_status(ticket, actor, IN_PROGRESS, at=at, calendar=calendar, notify_resident=False)
        notices.reply_to_resident(ticket, reply)
    else:
        if ticket.status == WAITING:
            _set_status(ticket, actor, IN_PROGRESS, at=at, calendar=calendar, notify_resident=False)
        notices.resident_replied(ticket)
    return reply


# -- status -------------------------------------------------------------------------------------

def change_status(ticket: Ticket, actor, status: str, *, reason: str = "", at=None) -> Ticket:
    """Staff move a ticket along (STAFF_TRANSITIONS); the resident confirms or reopens a
    resolution within 7 days. Anything else: 403 for a resident, 409 for staff."""
    at = at or now()
    staff = queries.is_staff(actor, ticket.community_id)
    own = ticket.resident_id == actor.id
    if not (staff or own):
        raise NotFound()
    if own and not staff:
        if status not in rules.RESIDENT_TARGETS:
            raise PermissionDenied(_l("You can confirm or reopen a resolved request; the rest is up to the "
                                      "specialist."), code="status_not_yours")
        if not rules.resident_may(ticket.status, status):
            raise TransitionNotAllowed(_l("This request is not waiting for your confirmation."),
                                       from_status=ticket.status, to_status=status)
        if not rules.within_reopen_window(ticket.resolved_at, at):
            raise ReopenWindowOver(_l("The 7 days to confirm or reopen are over."))
    elif not (rules.staff_may(ticket.status, status) or (own and rules.resident_may(ticket.status, status))):
        raise TransitionNotAllowed(_l("A request cannot go from this status to that one."),
                                   from_status=ticket.status, to_status=status)
    if status == RESOLVED and ticket.first_response_at is None and not own:
        # Resolving answers the resident too (the resolution is their answer).
        ticket.first_response_at = at
        ticket.first_response_minutes = bh.business_minutes_between(
            queries.calendar_for(ticket.community), ticket.created_at, at)
    _set_status(ticket, actor, status, at=at, reason=_text(reason, "reason", rules.REASON_MAX, required=False))
    return ticket


def _set_status(ticket, actor, status, *, at, calendar=None, reason="", notify_resident=True):
    calendar = calendar or queries.calendar_for(ticket.community)
    previous = ticket.status
    if status in RUNNING_STATUSES or status == IN_PROGRESS:
        _resume(ticket, at, calendar)
    if status == WAITING:
        _pause(ticket, at)
    elif status == RESOLVED:
        _resume(ticket, at, calendar)
        ticket.resolved_at = at
        ticket.resolution_minutes = max(
            0, bh.business_minutes_between(calendar, ticket.created_at, at) - ticket.paused_minutes)
        _pause(ticket, at)  # until confirmed or reopened
    elif status == CLOSED:
        ticket.closed_at = at
        ticket.paused_at = None
    elif status == REOPENED:
        _resume(ticket, at, calendar)
        ticket.reopen_count += 1
        ticket.resolved_at = None
        ticket.resolution_minutes = None
    ticket.status = status
    ticket.updated_at = at
    _event(ticket, actor, "status", from_status=previous, to_status=status, reason=reason, public=True, at=at)
    audit.record(actor, "ticket.status_changed", ticket, reference=ticket.reference, from_status=previous,
                 to_status=status)
    if status == REOPENED and ticket.assignee is not None:
        notices.resident_replied(ticket)
    if notify_resident and actor is not None and actor.id == ticket.resident_id:
        return
    if notify_resident and status in (WAITING, RESOLVED, CLOSED, REOPENED):
        notices.status_to_resident(ticket)


def set_priority(ticket: Ticket, actor, priority: str, at=None) -> Ticket:
    """Staff change the priority; the targets and due instants follow (from the filing time)."""
    at = at or now()
    if not queries.is_staff(actor, ticket.community_id):
        raise PermissionDenied(_l("Only staff of this community can do this."), code="not_staff")
    if priority not in PRIORITIES:
        raise TicketRuleViolation(_l("Choose a priority."), field="priority")
    if ticket.status == CLOSED or priority == ticket.priority:
        return ticket
    calendar = queries.calendar_for(ticket.community)
    previous = ticket.priority
    ticket.priority = priority
    ticket.first_response_target, ticket.resolution_target = rules.targets_for(ticket.category.sla_policy, priority)
    ticket.first_response_due_at = bh.add_business_minutes(calendar, ticket.created_at, ticket.first_response_target)
    ticket.resolution_due_at = bh.add_business_minutes(calendar, ticket.created_at,
                                                        ticket.resolution_target + ticket.paused_minutes)
    _event(ticket, actor, "priority", reason=f"{previous} → {priority}", at=at)
    audit.record(actor, "ticket.priority_changed", ticket, reference=ticket.reference, from_priority=previous,
                 to_priority=priority)
    return ticket


# -- rating -------------------------------------------------------------------------------------

def rate(ticket: Ticket, actor, score, comment: str = "", at=None) -> Ticket:
    """The resident rates a closed ticket 1-5 with a comment, once (a conditional UPDATE: two
    submissions at once store one rating)."""
    at = at or now()
    if ticket.resident_id != actor.id:
        if queries.may_view_ticket(actor, ticket):
            raise PermissionDenied(_l("Only the resident who filed the request can rate it."), code="not_owner")
        raise NotFound()
    if ticket.status != CLOSED:
        raise TransitionNotAllowed(_l("You can rate a request once it is closed."), from_status=ticket.status,
                                   to_status="rated")
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise TicketRuleViolation(_l("Choose 1 to 5 stars."), field="score")
    comment = _text(comment, "comment", rules.COMMENT_MAX, required=False)
    result = db.session.execute(sa.update(Ticket).where(Ticket.id == ticket.id, Ticket.rating.is_(None))
                                .values(rating=score, rating_comment=comment, rated_at=at)
                                .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise AlreadyRated(_l("You have already rated this request."))
    ticket.rating, ticket.rating_comment, ticket.rated_at = score, comment, at
    _event(ticket, actor, "rated", reason=str(score), public=True, at=at)
    audit.record(actor, "ticket.rated", ticket, reference=ticket.reference, score=score)
    return ticket


# -- jobs ---------------------------------------------------------------------------------------

def mark_breaches(at: datetime) -> dict:
    """Mark targets missed and escalate each ticket to its community's admins once.

    Idempotent: each mark is a conditional UPDATE (``... IS NULL``), so a second run, or one
    racing this one, marks and escalates nothing twice."""
    counts = {"first_response": 0, "resolution": 0, "escalated": 0}
    candidates = db.session.scalars(sa.select(Ticket).where(Ticket.status.in_(OPEN_STATUSES), sa.or_(
        sa.and_(Ticket.first_response_at.is_(None), Ticket.first_response_due_at < at,
                Ticket.first_response_breached_at.is_(None)),
        sa.and_(Ticket.status.in_(RUNNING_STATUSES), Ticket.resolution_due_at < at,
                Ticket.resolution_breached_at.is_(None)))).order_by(Ticket.id)).all()
    for ticket in candidates:
        breached = []
        for target, due, column in (("first_response", ticket.first_response_due_at, Ticket.first_response_breached_at),
                                    ("resolution", ticket.resolution_due_at, Ticket.resolution_breached_at)):
            if target == "first_response" and ticket.first_response_at is not None:
                continue
            if target == "resolution" and ticket.status not in RUNNING_STATUSES:
                continue
            if due is None or due >= at:
                continue
            done = db.session.execute(sa.update(Ticket).where(Ticket.id == ticket.id, column.is_(None))
                                      .values({column.key: at}).execution_options(synchronize_session=False))
            if done.rowcount == 1:
                setattr(ticket, column.key, at)
                counts[target] += 1
                breached.append((target, due))
                _event(ticket, None, "breached", reason=target, at=at)
        if breached:
            escalated = db.session.execute(sa.update(Ticket).where(Ticket.id == ticket.id, Ticket.escalated_at.is_(None))
                                           .values(escalated_at=at).execution_options(synchronize_session=False))
            if escalated.rowcount == 1:
                ticket.escalated_at = at
                counts["escalated"] += 1
                target, due = breached[0]
                _event(ticket, None, "escalated", reason=target, at=at)
                audit.record(None, "ticket.escalated", ticket, reference=ticket.reference, target=target)
                notices.escalated(ticket, target, due)
    return counts


def auto_close(at: datetime) -> int:
    """Close tickets resolved more than 7 days ago and neither confirmed nor reopened."""
    stale = db.session.scalars(sa.select(Ticket).where(Ticket.status == RESOLVED,
                                                       Ticket.resolved_at <= at - rules.REOPEN_WINDOW)
                               .order_by(Ticket.id)).all()
    for ticket in stale:
        _set_status(ticket, None, CLOSED, at=at, reason="auto")
    return len(stale)
