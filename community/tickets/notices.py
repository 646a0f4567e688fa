"""What people are told about tickets: one function per event, each calling notify().

Only what a resident may read goes into a resident's notice: the reference, the title, the status
and the text of a *public* reply. Internal notes never reach this module's resident functions (the
operations call ``reply_to_resident`` for public replies only; tests grep every resident-facing
output for a note's text)."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community.core.permissions import COMMUNITY_ADMIN
from community.extensions import db
from community.notifications.kinds import register_group, register_kind
from community.notifications.operations import notify

TICKETS = "tickets"
STAFF_TICKETS = "tickets_staff"
DETAIL = "tickets.detail"
STAFF_DETAIL = "tickets.staff_detail"

FILED_KIND = "tickets.filed"
REPLY_KIND = "tickets.reply"
STATUS_KIND = "tickets.status_changed"
ASSIGNED_KIND = "tickets.assigned"
RESIDENT_REPLIED_KIND = "tickets.resident_replied"
UNASSIGNED_KIND = "tickets.unassigned"
ESCALATED_KIND = "tickets.escalated"

register_group(TICKETS, _l("Service requests"),
               description=_l("Replies and status changes of the requests you filed."))
register_group(STAFF_TICKETS, _l("Service desk"),
               description=_l("Requests assigned to you, residents' replies, waiting queues and SLA escalations "
                              "(staff)."))
register_kind(FILED_KIND, TICKETS, link=DETAIL,
              subject=_l("Request received: %(reference)s"),
              body=_l("We received your request %(reference)s “%(title)s”. A service specialist will answer; "
                      "you can follow it under My requests."))
register_kind(REPLY_KIND, TICKETS, link=DETAIL,
              subject=_l("New reply to your request %(reference)s"),
              body=_l("%(author)s replied to your request %(reference)s “%(title)s”:\n\n%(body)s"))
register_kind(STATUS_KIND, TICKETS, link=DETAIL,
              subject=lambda params: STATUS_SUBJECTS.get(params.get("status"), STATUS_SUBJECTS["other"]),
              body=lambda params: STATUS_BODIES.get(params.get("status"), STATUS_BODIES["other"]))
register_kind(ASSIGNED_KIND, STAFF_TICKETS, link=STAFF_DETAIL,
              subject=_l("Assigned to you: %(reference)s"),
              body=_l("The request %(reference)s “%(title)s” (%(category)s) is assigned to you. "
                      "First response due: %(due_at)s."))
register_kind(RESIDENT_REPLIED_KIND, STAFF_TICKETS, link=STAFF_DETAIL,
              subject=_l("The resident replied: %(reference)s"),
              body=_l("The resident replied to %(reference)s “%(title)s”."))
register_kind(UNASSIGNED_KIND, STAFF_TICKETS, link=STAFF_DETAIL,
              subject=_l("No specialist available: %(reference)s"),
              body=_l("No specialist covering %(category)s is available, so the request %(reference)s "
                      "“%(title)s” waits in the community queue. Assign it, or add a specialist to the category."))
register_kind(ESCALATED_KIND, STAFF_TICKETS, link=STAFF_DETAIL,
              subject=_l("SLA breached: %(reference)s"),
              body=lambda params: ESCALATED_BODIES.get(params.get("target"), ESCALATED_BODIES["resolution"]))

# Whole sentences per status (a text is a %-template filled with the params, so a status word
# cannot be put into it as a param and still be translated).
STATUS_SUBJECTS = {
    "waiting": _l("Your request %(reference)s is waiting for your reply"),
    "resolved": _l("Your request %(reference)s is resolved"),
    "closed": _l("Your request %(reference)s is closed"),
    "reopened": _l("Your request %(reference)s is reopened"),
    "other": _l("Your request %(reference)s was updated"),
}
STATUS_BODIES = {
    "waiting": _l("The specialist needs more from you about “%(title)s”: please reply in My requests. "
                  "The clock stops until you do."),
    "resolved": _l("Your request “%(title)s” is resolved. Please confirm it or reopen it within 7 days; "
                   "after that it closes by itself. Once closed you can rate the service."),
    "closed": _l("Your request “%(title)s” is closed. You can rate the service in My requests."),
    "reopened": _l("Your request “%(title)s” is reopened; a specialist follows it up."),
    "other": _l("Your request “%(title)s” was updated; see My requests."),
}
ESCALATED_BODIES = {
    "first_response": _l("The request %(reference)s “%(title)s” got no first response by %(due_at)s. "
                         "Assignee: %(assignee)s."),
    "resolution": _l("The request %(reference)s “%(title)s” was not resolved by %(due_at)s. "
                     "Assignee: %(assignee)s."),
}


def _params(ticket) -> dict:
    return {"reference": ticket.reference, "title": ticket.title, "ticket_id": ticket.id,
            "tz": ticket.community.timezone}


def filed(ticket):
    """The resident sees the reference on the page at once; the notice keeps it (no e-mail)."""
    return notify(ticket.resident, FILED_KIND, obj=ticket, link=(DETAIL, {"ticket_id": ticket.id}), email=False,
                  **_params(ticket))


def reply_to_resident(ticket, reply):
    """A PUBLIC reply (never call it with an internal note)."""
    if reply.internal:
        raise ValueError("internal notes are never sent to residents")
    return notify(ticket.resident, REPLY_KIND, obj=ticket, link=(DETAIL, {"ticket_id": ticket.id}),
                  author=reply.author.display_name if reply.author else "", body=reply.body, **_params(ticket))


def status_to_resident(ticket):
    return notify(ticket.resident, STATUS_KIND, obj=ticket, link=(DETAIL, {"ticket_id": ticket.id}),
                  status=ticket.status, **_params(ticket))


def assigned(ticket, user):
    return notify(user, ASSIGNED_KIND, obj=ticket, link=(STAFF_DETAIL, {"ticket_id": ticket.id}),
                  category=ticket.category.name, due_at=ticket.first_response_due_at, **_params(ticket))


def resident_replied(ticket):
    if ticket.assignee is not None:
        notify(ticket.assignee, RESIDENT_REPLIED_KIND, obj=ticket, link=(STAFF_DETAIL, {"ticket_id": ticket.id}),
               email=False, **_params(ticket))


def community_admins(community_id):
    from community.accounts.models import RoleGrant, User

    return db.session.scalars(sa.select(User).join(RoleGrant, RoleGrant.user_id == User.id).where(
        RoleGrant.role == COMMUNITY_ADMIN, RoleGrant.community_id == community_id, User.active.is_(True))
        .order_by(User.id)).all()


def unassigned(ticket):
    for admin in community_admins(ticket.community_id):
        notify(admin, UNASSIGNED_KIND, obj=ticket, link=(STAFF_DETAIL, {"ticket_id": ticket.id}),
               category=ticket.category.name, **_params(ticket))


def escalated(ticket, target: str, due_at):
    for admin in community_admins(ticket.community_id):
        notify(admin, ESCALATED_KIND, obj=ticket, link=(STAFF_DETAIL, {"ticket_id": ticket.id}),
               target=target, due_at=due_at,
               assignee=ticket.assignee.display_name if ticket.assignee else "—", **_params(ticket))
