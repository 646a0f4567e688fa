"""Scoped reads of the tickets domain (never imports operations). Every list is scoped by role
and ownership before it is paginated; a ticket that is not the caller's answers NotFound."""
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload, lazyload

from community.accounts.models import Building, Community, RoleGrant, User
from community.core.attachments import attachments_of
from community.core.errors import NotFound
from community.core.permissions import (
    COMMUNITY_ADMIN, PLATFORM_ADMIN, RESIDENT, SPECIALIST, community_ids_with_role, has_role,
)
from community.extensions import db
from community.tickets import business_hours
from community.tickets.models import (
    OPEN_STATUSES, PRIORITIES, CalendarDay, CannedReply, SlaPolicy, SpecialistCoverage, SpecialistLeave, Ticket,
    TicketCalendar, TicketCategory, TicketEvent, TicketReply,
)

DUE_SOON = timedelta(hours=4)


# -- who is who ---------------------------------------------------------------------------------

def is_staff(user, community_id: int) -> bool:
    """Specialists and admins of the community (platform admins everywhere)."""
    return has_role(user, SPECIALIST, community_id) or has_role(user, COMMUNITY_ADMIN, community_id)


def is_admin(user, community_id: int) -> bool:
    return has_role(user, COMMUNITY_ADMIN, community_id)


def staff_community_ids(user) -> set[int] | None:
    """Communities where the user is staff; None: every community (platform admin)."""
    if has_role(user, PLATFORM_ADMIN):
        return None
    return (community_ids_with_role(user, SPECIALIST) or set()) | (community_ids_with_role(user, COMMUNITY_ADMIN) or set())


def admin_community_ids(user) -> set[int] | None:
    return community_ids_with_role(user, COMMUNITY_ADMIN)


def may_view_ticket(user, ticket: Ticket) -> bool:
    return ticket.resident_id == user.id or is_staff(user, ticket.community_id)


def specialists_of(community_id: int) -> list[User]:
    return db.session.scalars(
        sa.select(User).join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == SPECIALIST, RoleGrant.community_id == community_id, User.active.is_(True))
        .order_by(User.display_name, User.id)).all()


def communities_of_staff(user) -> list[Community]:
    ids = staff_community_ids(user)
    stmt = sa.select(Community).options(lazyload("*")).order_by(Community.name)
    if ids is not None:
        stmt = stmt.where(Community.id.in_(ids or {-1}))
    return db.session.scalars(stmt).all()


def administered_communities(user) -> list[Community]:
    ids = admin_community_ids(user)
    stmt = sa.select(Community).order_by(Community.name)
    if ids is not None:
        stmt = stmt.where(Community.id.in_(ids or {-1}))
    return db.session.scalars(stmt).all()


# -- the calendar -------------------------------------------------------------------------------

def calendar_row(community_id: int) -> TicketCalendar | None:
    return db.session.scalar(sa.select(TicketCalendar).where(TicketCalendar.community_id == community_id))


def calendar_for(community) -> business_hours.Calendar:
    """The community's working calendar (Monday to Friday 09:00-12:00, 13:30-18:00 when it has
    none yet), in its own time zone."""
    row = calendar_row(community.id)
    if row is None:
        return business_hours.calendar_from(community.timezone, None)
    days = db.session.execute(sa.select(CalendarDay.day, CalendarDay.kind).where(
        CalendarDay.calendar_id == row.id)).all()
    return business_hours.calendar_from(community.timezone, row.weekly_hours, [tuple(d) for d in days],
                                        row.makeup_hours or None)


# -- categories and settings ---------------------------------------------------------------------

def categories_of(community_id: int, *, active_only=True) -> list[TicketCategory]:
    stmt = sa.select(TicketCategory).where(TicketCategory.community_id == community_id)
    if active_only:
        stmt = stmt.where(TicketCategory.active.is_(True))
    return db.session.scalars(stmt.order_by(TicketCategory.position, TicketCategory.name)).all()


def categories_for(user) -> list[TicketCategory]:
    """What the caller may file under (a resident: their community's) or handle (staff)."""
    ids = set(community_ids_with_role(user, RESIDENT) or set())
    staff = staff_community_ids(user)
    stmt = sa.select(TicketCategory).where(TicketCategory.active.is_(True))
    if staff is not None:
        stmt = stmt.where(TicketCategory.community_id.in_((ids | staff) or {-1}))
    return db.session.scalars(stmt.order_by(TicketCategory.community_id, TicketCategory.position,
                                            TicketCategory.name)).all()


def category_for_filing(user, category_id: int) -> TicketCategory:
    category = db.session.get(TicketCategory, category_id)
    if category is None or not category.active or not (
            has_role(user, RESIDENT, category.community_id)):
        raise NotFound()
    return category


def policies_of(community_id: int) -> list[SlaPolicy]:
    return db.session.scalars(sa.select(SlaPolicy).where(SlaPolicy.community_id == community_id)
                              .order_by(SlaPolicy.name)).all()


def canned_replies_of(community_id: int) -> list[CannedReply]:
    return db.session.scalars(sa.select(CannedReply).where(CannedReply.community_id == community_id)
                              .order_by(CannedReply.title)).all()


def buildings_of(community_id: int) -> list[Building]:
    return db.session.scalars(sa.select(Building).where(Building.community_id == community_id)
                              .order_by(Building.name)).all()


def coverage_of(community_id: int) -> dict[int, set[int]]:
    """user id -> ids of the community's categories they cover."""
    rows = db.session.execute(sa.select(SpecialistCoverage.user_id, SpecialistCoverage.category_id)
                              .join(TicketCategory).where(TicketCategory.community_id == community_id)).all()
    covered: dict[int, set[int]] = {}
    for user_id, category_id in rows:
        covered.setdefault(user_id, set()).add(category_id)
    return covered


def leaves_of(community_id: int, *, from_day: date | None = None) -> list[SpecialistLeave]:
    stmt = sa.select(SpecialistLeave).where(SpecialistLeave.community_id == community_id)
    if from_day is not None:
        stmt = stmt.where(SpecialistLeave.ends_on >= from_day)
    return db.session.scalars(stmt.order_by(SpecialistLeave.starts_on)).all()


def own_leaves(user, *, from_day: date | None = None) -> list[SpecialistLeave]:
    """The caller's own leave in every community (their "my leave" page)."""
    stmt = sa.select(SpecialistLeave).where(SpecialistLeave.user_id == user.id)
    if from_day is not None:
        stmt = stmt.where(SpecialistLeave.ends_on >= from_day)
    return db.session.scalars(stmt.order_by(SpecialistLeave.starts_on, SpecialistLeave.id)).all()


def own_leave(user, leave_id: int) -> SpecialistLeave:
    leave = db.session.get(SpecialistLeave, leave_id)
    if leave is None or leave.user_id != user.id:
        raise NotFound()
    return leave


def specialist_communities(user) -> list[Community]:
    ids = community_ids_with_role(user, SPECIALIST)
    stmt = sa.select(Community).options(lazyload("*")).order_by(Community.name)
    if ids is not None:
        stmt = stmt.where(Community.id.in_(ids or {-1}))
    return db.session.scalars(stmt).all()


def assignment_candidates(category: TicketCategory, day: date):
    """(user_id, open tickets, last_assigned_at) of the category's specialists who still hold the
    specialist role in its community and are not on leave on ``day``: one query."""
    open_count = (sa.select(sa.func.count(Ticket.id)).where(
        Ticket.assignee_id == SpecialistCoverage.user_id, Ticket.status.in_(OPEN_STATUSES))
        .correlate(SpecialistCoverage).scalar_subquery())
    on_leave = sa.exists().where(SpecialistLeave.user_id == SpecialistCoverage.user_id,
                                 SpecialistLeave.community_id == category.community_id,
                                 SpecialistLeave.starts_on <= day, SpecialistLeave.ends_on >= day)
    is_specialist = sa.exists().where(RoleGrant.user_id == SpecialistCoverage.user_id,
                                      RoleGrant.role == SPECIALIST, RoleGrant.community_id == category.community_id)
    return db.session.execute(
        sa.select(SpecialistCoverage.user_id, open_count, SpecialistCoverage.last_assigned_at)
        .join(User, User.id == SpecialistCoverage.user_id)
        .where(SpecialistCoverage.category_id == category.id, User.active.is_(True), is_specialist, ~on_leave)
    ).all()


# -- tickets ------------------------------------------------------------------------------------

def _loaded():
    return (joinedload(Ticket.category), joinedload(Ticket.assignee), joinedload(Ticket.community),
            joinedload(Ticket.resident), joinedload(Ticket.building))


def ticket_for(user, ticket_id: int) -> Ticket:
    """The ticket when it is the caller's own or the caller is staff of its community."""
    ticket = db.session.scalar(sa.select(Ticket).options(*_loaded()).where(Ticket.id == ticket_id))
    if ticket is None or not may_view_ticket(user, ticket):
        raise NotFound()
    return ticket


def staff_ticket_for(user, ticket_id: int) -> Ticket:
    ticket = ticket_for(user, ticket_id)
    if not is_staff(user, ticket.community_id):
        raise NotFound()
    return ticket


def resident_tickets(user, *, status: str = ""):
    stmt = sa.select(Ticket).options(*_loaded()).where(Ticket.resident_id == user.id)
    if status == "open":
        stmt = stmt.where(Ticket.status.in_(OPEN_STATUSES))
    elif status:
        stmt = stmt.where(Ticket.status == status)
    return stmt.order_by(Ticket.created_at.desc(), Ticket.id.desc())


def _queue_filters(user, *, scope="mine", community_id=None, status="", category_id=None, priority="",
                   due="", search="", at: datetime | None = None, sort="due"):
    """(where clauses, order by) of a staff queue: shared by the ORM list (``queue_for``) and the
    page's plain rows (``queue_page``), so both show the same tickets in the same order."""
    ids = staff_community_ids(user)
    where = []
    if ids is not None:
        where.append(Ticket.community_id.in_(ids or {-1}))
    if community_id is not None:
        where.append(Ticket.community_id == community_id)
    if scope == "mine":
        where.append(Ticket.assignee_id == user.id)
    elif scope == "unassigned":
        where.append(Ticket.assignee_id.is_(None))
    elif scope.isdigit():
        where.append(Ticket.assignee_id == int(scope))
    if status == "" or status == "open":
        where.append(Ticket.status.in_(OPEN_STATUSES))
    elif status != "any":
        where.append(Ticket.status == status)
    if category_id:
        where.append(Ticket.category_id == category_id)
    if priority in PRIORITIES:
        where.append(Ticket.priority == priority)
    due_at = sa.func.coalesce(sa.case((Ticket.first_response_at.is_(None), Ticket.first_response_due_at)),
                              Ticket.resolution_due_at)
    if due == "soon" and at is not None:
        where += [due_at >= at, due_at < at + DUE_SOON]
    elif due == "breached":
        where.append(sa.or_(Ticket.first_response_breached_at.is_not(None),
                            Ticket.resolution_breached_at.is_not(None)))
    if search:
        like = f"%{search.strip()}%"
        where.append(sa.or_(Ticket.reference.ilike(like), Ticket.title.ilike(like), Ticket.description.ilike(like)))
    if sort == "new":
        return where, (Ticket.created_at.desc(), Ticket.id.desc())
    return where, (due_at.asc().nulls_last(), Ticket.id)


def queue_for(user, **filters):
    """A staff queue: ``scope`` "mine" (assigned to the caller), "unassigned" (the community
    queue), "all" (every ticket of the caller's communities; admins: every specialist's queue),
    or a specialist's id as text (admins). Filters: status ("open" default set), category,
    priority, due "soon" (within 4 hours) or "breached", search by reference or text."""
    where, order = _queue_filters(user, **filters)
    return (sa.select(Ticket).options(joinedload(Ticket.category), joinedload(Ticket.assignee))
            .where(*where).order_by(*order))


QUEUE_PAGE_COLUMNS = (Ticket.id, Ticket.community_id, Ticket.reference, Ticket.title, Ticket.status, Ticket.priority,
                      Ticket.first_response_at, Ticket.first_response_due_at, Ticket.resolution_due_at,
                      Ticket.first_response_breached_at, Ticket.resolution_breached_at)


_ASSIGNEE = aliased(User, name="assignee")  # built once: an alias adapts its columns on first use


def queue_page(user, **filters):
    """``queue_for`` for the queue page as plain rows (no ORM entities): only the columns a row
    shows, the category's name and the assignee's display name joined in, and the number of
    tickets the filters match as ``total`` on every row (``count(*) OVER ()``), so a page is one
    statement (core.pagination.paginate_rows)."""
    where, order = _queue_filters(user, **filters)
    return (sa.select(*QUEUE_PAGE_COLUMNS, TicketCategory.name.label("category"),
                      _ASSIGNEE.display_name.label("assignee"), sa.func.count().over().label("total"))
            .join(TicketCategory, TicketCategory.id == Ticket.category_id)
            .outerjoin(_ASSIGNEE, _ASSIGNEE.id == Ticket.assignee_id)
            .where(*where).order_by(*order))


def queue_filter_rows(user):
    """What the queue's filters list, in one statement: ([(id, name, timezone)] of the communities
    where the user is staff, by name; [(id, name)] of their active categories, by community id,
    position and name). A community with no category comes once, with no category."""
    ids = staff_community_ids(user)
    stmt = (sa.select(Community.id, Community.name, Community.timezone, TicketCategory.id.label("category_id"),
                      TicketCategory.name.label("category_name"), TicketCategory.position)
            .outerjoin(TicketCategory, sa.and_(TicketCategory.community_id == Community.id,
                                               TicketCategory.active.is_(True)))
            .order_by(Community.name, Community.id))
    if ids is not None:
        stmt = stmt.where(Community.id.in_(ids or {-1}))
    communities, categories = {}, []
    for row in db.session.execute(stmt):
        communities.setdefault(row.id, CommunityRow(row.id, row.name, row.timezone))
        if row.category_id is not None:
            categories.append((row.id, row.position, row.category_name, row.category_id))
    categories.sort()
    return list(communities.values()), [CategoryRow(cid, name) for _c, _p, name, cid in categories]


class CommunityRow(tuple):
    """(id, name, timezone) with names, like a Row."""
    __slots__ = ()

    def __new__(cls, id_, name, timezone):
        return super().__new__(cls, (id_, name, timezone))

    id = property(lambda self: self[0])
    name = property(lambda self: self[1])
    timezone = property(lambda self: self[2])


class CategoryRow(tuple):
    """(id, name) with names, like a Row."""
    __slots__ = ()

    def __new__(cls, id_, name):
        return super().__new__(cls, (id_, name))

    id = property(lambda self: self[0])
    name = property(lambda self: self[1])


def specialists_of_communities(community_ids):
    """(id, display_name) of the active specialists of these communities, each once, in one
    statement (bulk reassignment)."""
    has_grant = sa.exists().where(RoleGrant.user_id == User.id, RoleGrant.role == SPECIALIST,
                                  RoleGrant.community_id.in_(list(community_ids) or [-1]))
    return db.session.execute(sa.select(User.id, User.display_name).where(
        User.active.is_(True), has_grant).order_by(User.display_name, User.id)).all()


def replies_of(ticket: Ticket, *, include_internal: bool) -> list[TicketReply]:
    stmt = sa.select(TicketReply).options(joinedload(TicketReply.author)).where(TicketReply.ticket_id == ticket.id)
    if not include_internal:
        stmt = stmt.where(TicketReply.internal.is_(False))
    return db.session.scalars(stmt.order_by(TicketReply.created_at, TicketReply.id)).all()


def events_of(ticket: Ticket, *, include_internal: bool) -> list[TicketEvent]:
    stmt = sa.select(TicketEvent).options(joinedload(TicketEvent.actor), joinedload(TicketEvent.assignee)).where(
        TicketEvent.ticket_id == ticket.id)
    if not include_internal:
        stmt = stmt.where(TicketEvent.public.is_(True))
    return db.session.scalars(stmt.order_by(TicketEvent.created_at, TicketEvent.id)).all()


def timeline(ticket: Ticket, *, include_internal: bool) -> list[tuple[str, object]]:
    """("reply", TicketReply) and ("event", TicketEvent), oldest first."""
    items = [("reply", r) for r in replies_of(ticket, include_internal=include_internal)]
    items += [("event", e) for e in events_of(ticket, include_internal=include_internal)]
    return sorted(items, key=lambda item: (item[1].created_at, item[0] == "reply", item[1].id))


def files_of_replies(replies) -> dict[int, list]:
    """reply id -> its attachments, for the replies given (one statement). Callers pass only the
    replies their reader may see, so a resident's page never asks for an internal note's files."""
    from community.core.attachments import Attachment
    from community.tickets.attachments import REPLY_OWNER_TYPE

    ids = [r.id for r in replies]
    files: dict[int, list] = {}
    if not ids:
        return files
    for attachment in db.session.scalars(sa.select(Attachment).where(
            Attachment.owner_type == REPLY_OWNER_TYPE, Attachment.owner_id.in_(ids))
            .order_by(Attachment.created_at, Attachment.id)):
        files.setdefault(attachment.owner_id, []).append(attachment)
    return files


def photos_of(ticket: Ticket):
    return attachments_of(ticket, "photo")


def open_count_by_assignee(community_id: int) -> dict[int, int]:
    rows = db.session.execute(sa.select(Ticket.assignee_id, sa.func.count(Ticket.id)).where(
        Ticket.community_id == community_id, Ticket.status.in_(OPEN_STATUSES), Ticket.assignee_id.is_not(None))
        .group_by(Ticket.assignee_id)).all()
    return dict(rows)


def specialists_of_any(user) -> bool:
    """The user holds the specialist role somewhere (a platform admin does not, for this)."""
    return any(g.role == SPECIALIST for g in user.role_grants)
