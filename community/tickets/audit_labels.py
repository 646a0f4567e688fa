"""Display names for the audit entries tickets operations write (see core.labels). Object and
detail labels are translated in the "tickets" context where the words are shared."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from community.core.labels import register_audit_labels

register_audit_labels(
    "tickets",
    label=lazy_pgettext("tickets", "Service requests"),
    actions={
        "ticket.filed": _l("Request filed"),
        "ticket.assigned": _l("Request assigned"),
        "ticket.replied": _l("Public reply written"),
        "ticket.note_added": _l("Internal note written"),
        "ticket.status_changed": _l("Request status changed"),
        "ticket.priority_changed": _l("Request priority changed"),
        "ticket.rated": _l("Request rated"),
        "ticket.escalated": _l("Missed SLA target escalated"),
        "ticket.category_created": _l("Request category created"),
        "ticket.category_updated": _l("Request category changed"),
        "ticket.policy_saved": _l("SLA policy saved"),
        "ticket.calendar_saved": _l("Working calendar saved"),
        "ticket.coverage_set": _l("Specialist's categories set"),
        "ticket.leave_added": _l("Specialist's leave added"),
        "ticket.leave_removed": _l("Specialist's leave removed"),
        "ticket.canned_saved": _l("Canned reply saved"),
        "ticket.canned_removed": _l("Canned reply removed"),
    },
    objects={
        "Ticket": lazy_pgettext("tickets", "Request"), "TicketCategory": _l("Request category"),
        "SlaPolicy": _l("SLA policy"), "TicketCalendar": _l("Working calendar"),
        "SpecialistLeave": _l("Specialist's leave"), "CannedReply": _l("Canned reply"),
    },
    details={
        "reference": _l("Reference"), "category": lazy_pgettext("tickets", "Category"),
        "photos": _l("Photos"), "files": _l("Files"), "assignee": _l("Assigned to"), "previous_assignee": _l("Assigned before to"),
        "reason": lazy_pgettext("tickets", "Reason"), "reply": _l("Reply (id)"),
        "from_status": _l("From status"), "to_status": _l("To status"), "from_priority": _l("From priority"),
        "to_priority": _l("To priority"), "score": _l("Stars"), "target": _l("Target"),
        "name": lazy_pgettext("tickets", "Name"), "targets": _l("Targets (minutes)"), "days": _l("Dated days"),
        "categories": _l("Categories (ids)"), "user": _l("Specialist"), "starts_on": _l("First day"),
        "ends_on": _l("Last day"), "title": lazy_pgettext("tickets", "Title"),
    },
    refs={"assignee": "accounts.User", "previous_assignee": "accounts.User", "user": "accounts.User"},
)
