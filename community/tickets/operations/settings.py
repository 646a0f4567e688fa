"""What a community's office configures: categories, SLA policies, the working calendar, which
categories each specialist covers, their leave, and canned replies. Admins of the community only."""
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community.core import audit
from community.core.errors import PermissionDenied
from community.core.permissions import SPECIALIST, has_role
from community.extensions import db
from community.tickets import business_hours as bh
from community.tickets import queries
from community.tickets.errors import TicketRuleViolation
from community.tickets.models import (
    DAY_KINDS, PRIORITIES, CalendarDay, CannedReply, SlaPolicy, SlaTarget, SpecialistCoverage, SpecialistLeave,
    TicketCalendar, TicketCategory,
)


def require_admin(actor, community_id: int) -> None:
    if not queries.is_admin(actor, community_id):
        raise PermissionDenied(_l("Only an administrator of this community can do this."), code="not_admin")


def _name(value, field="name", limit=80):
    value = (value or "").strip()
    if not value:
        raise TicketRuleViolation(_l("This field is required."), field=field)
    if len(value) > limit:
        raise TicketRuleViolation(_l("At most %(n)s characters.", n=limit), field=field)
    return value


def _unique(stmt, field):
    if db.session.scalar(stmt) is not None:
        raise TicketRuleViolation(_l("This name is already used in this community."), field=field)


# -- categories ---------------------------------------------------------------------------------

def save_category(community_id, *, actor, name, description="", sla_policy_id=None, default_priority="normal",
                  position=0, active=True, category=None) -> TicketCategory:
    require_admin(actor, community_id)
    name = _name(name)
    clash = sa.select(TicketCategory.id).where(TicketCategory.community_id == community_id, TicketCategory.name == name)
    if category is not None:
        clash = clash.where(TicketCategory.id != category.id)
    _unique(clash, "name")
    if default_priority not in PRIORITIES:
        raise TicketRuleViolation(_l("Choose a priority."), field="default_priority")
    if sla_policy_id is not None and sla_policy_id not in {p.id for p in queries.policies_of(community_id)}:
        raise TicketRuleViolation(_l("Choose a policy of this community."), field="sla_policy_id")
    created = category is None
    if created:
        category = TicketCategory(community_id=community_id)
        db.session.add(category)
    category.name, category.description = name, (description or "").strip()[:255]
    category.sla_policy_id, category.default_priority = sla_policy_id, default_priority
    category.position, category.active = int(position or 0), bool(active)
    db.session.flush()
    if created:
        audit.record(actor, "ticket.category_created", category, name=name)
    else:
        audit.record(actor, "ticket.category_updated", category, name=name)
    return category


# -- SLA policies -------------------------------------------------------------------------------

def save_policy(community_id, *, actor, name, targets: dict, policy=None) -> SlaPolicy:
    """``targets``: priority -> (first response minutes, resolution minutes)."""
    require_admin(actor, community_id)
    name = _name(name, limit=120)
    clash = sa.select(SlaPolicy.id).where(SlaPolicy.community_id == community_id, SlaPolicy.name == name)
    if policy is not None:
        clash = clash.where(SlaPolicy.id != policy.id)
    _unique(clash, "name")
    for priority, (first, resolution) in targets.items():
        if priority not in PRIORITIES:
            raise TicketRuleViolation(_l("Unknown priority."), field="targets")
        if not (isinstance(first, int) and isinstance(resolution, int) and 0 < first <= resolution <= 60 * 24 * 365):
            raise TicketRuleViolation(_l("Targets are minutes: the first response above 0, the resolution at "
                                         "least as long."), field=f"{priority}_first")
    created = policy is None
    if created:
        policy = SlaPolicy(community_id=community_id)
        db.session.add(policy)
    policy.name = name
    by_priority = {t.priority: t for t in policy.targets}
    for priority, (first, resolution) in targets.items():
        target = by_priority.get(priority)
        if target is None:
            target = SlaTarget(priority=priority)
            policy.targets.append(target)
        target.first_response_minutes, target.resolution_minutes = first, resolution
    db.session.flush()
    audit.record(actor, "ticket.policy_saved", policy, name=name,
                 targets={p: list(v) for p, v in sorted(targets.items())})
    return policy


# -- the calendar -------------------------------------------------------------------------------

def save_calendar(community_id, *, actor, weekly_texts: dict, makeup_hours: str = "",
                  days: list[tuple[date, str, str]] = ()) -> TicketCalendar:
    """``weekly_texts``: weekday 0..6 -> "09:00-12:00, 13:30-18:00" ("" a day off); ``days``:
    (date, "holiday" | "workday", name), replacing the calendar's dated days."""
    require_admin(actor, community_id)
    weekly = {}
    for weekday in range(7):
        text = (weekly_texts.get(weekday) or "").strip()
        try:
            weekly[str(weekday)] = bh.format_intervals(bh.parse_intervals(text))
        except ValueError:
            raise TicketRuleViolation(_l("Write hours like 09:00-12:00, 13:30-18:00."),
                                      field=f"hours_{weekday}") from None
    try:
        makeup = bh.format_intervals(bh.parse_intervals(makeup_hours or ""))
    except ValueError:
        raise TicketRuleViolation(_l("Write hours like 09:00-12:00, 13:30-18:00."), field="makeup_hours") from None
    seen = set()
    for day, kind, _name_ in days:
        if kind not in DAY_KINDS or day in seen:
            raise TicketRuleViolation(_l("Each date once, as a holiday or a make-up working day."), field="days")
        seen.add(day)
    if not any(weekly.values()) and not any(kind == "workday" for _d, kind, _n in days):
        raise TicketRuleViolation(_l("The calendar needs some working hours."), field="hours_0")
    calendar = queries.calendar_row(community_id)
    if calendar is None:
        calendar = TicketCalendar(community_id=community_id, weekly_hours={})
        db.session.add(calendar)
    calendar.weekly_hours, calendar.makeup_hours = weekly, makeup
    calendar.days.clear()
    db.session.flush()
    for day, kind, name in sorted(days):
        calendar.days.append(CalendarDay(day=day, kind=kind, name=(name or "")[:80]))
    db.session.flush()
    audit.record(actor, "ticket.calendar_saved", calendar, community_id=community_id, days=len(days))
    return calendar


# -- specialists --------------------------------------------------------------------------------

def set_coverage(community_id, user, category_ids: set[int], *, actor) -> set[int]:
    """The categories of the community ``user`` (a specialist of it) covers, replaced."""
    require_admin(actor, community_id)
    if not has_role(user, SPECIALIST, community_id):
        raise TicketRuleViolation(_l("Choose a specialist of this community."), field="user")
    mine = {c.id for c in queries.categories_of(community_id, active_only=False)}
    if not set(category_ids) <= mine:
        raise TicketRuleViolation(_l("Choose categories of this community."), field="categories")
    current = {row.category_id: row for row in db.session.scalars(
        sa.select(SpecialistCoverage).where(SpecialistCoverage.user_id == user.id,
                                            SpecialistCoverage.category_id.in_(mine or {-1})))}
    for category_id in set(current) - set(category_ids):
        db.session.delete(current[category_id])
    for category_id in set(category_ids) - set(current):
        db.session.add(SpecialistCoverage(user_id=user.id, category_id=category_id))
    db.session.flush()
    audit.record(actor, "ticket.coverage_set", user, community_id=community_id, categories=sorted(category_ids))
    return set(category_ids)


def add_leave(community_id, user, *, starts_on: date, ends_on: date, note="", actor) -> SpecialistLeave:
    """A specialist's unavailability; the specialist may record their own, admins anyone's."""
    if not (actor.id == user.id and has_role(actor, SPECIALIST, community_id)):
        require_admin(actor, community_id)
    if not has_role(user, SPECIALIST, community_id):
        raise TicketRuleViolation(_l("Choose a specialist of this community."), field="user")
    if ends_on < starts_on:
        raise TicketRuleViolation(_l("The last day cannot be before the first."), field="ends_on")
    leave = SpecialistLeave(user_id=user.id, community_id=community_id, starts_on=starts_on, ends_on=ends_on,
                            note=(note or "").strip()[:255])
    db.session.add(leave)
    db.session.flush()
    audit.record(actor, "ticket.leave_added", leave, user=user.id, starts_on=starts_on, ends_on=ends_on)
    return leave


def remove_leave(leave: SpecialistLeave, *, actor) -> None:
    if not (actor.id == leave.user_id):
        require_admin(actor, leave.community_id)
    audit.record(actor, "ticket.leave_removed", leave, user=leave.user_id, starts_on=leave.starts_on,
                 ends_on=leave.ends_on)
    db.session.delete(leave)
    db.session.flush()


# -- canned replies -----------------------------------------------------------------------------

def save_canned_reply(community_id, *, actor, title, body, canned=None) -> CannedReply:
    require_admin(actor, community_id)
    title = _name(title, field="title", limit=120)
    body = (body or "").strip()
    if not body or len(body) > 5000:
        raise TicketRuleViolation(_l("Write the reply (at most 5000 characters)."), field="body")
    created = canned is None
    if created:
        canned = CannedReply(community_id=community_id)
        db.session.add(canned)
    canned.title, canned.body = title, body
    db.session.flush()
    audit.record(actor, "ticket.canned_saved", canned, title=title)
    return canned


def remove_canned_reply(canned: CannedReply, *, actor) -> None:
    require_admin(actor, canned.community_id)
    audit.record(actor, "ticket.canned_removed", canned, title=canned.title)
    db.session.delete(canned)
    db.session.flush()
