"""Ticket photos are core attachments: private, images only, up to 5 MB each (5 a ticket, checked
by the filing operation), seen by the ticket's resident and the staff of its community."""
from community.core.attachments import register_attachment_owner, rule_for_type
from community.extensions import db
from community.tickets.models import Ticket
from community.tickets.rules import PHOTO_MAX_BYTES

OWNER_TYPE = "tickets.Ticket"


def may_view_ticket_file(user, attachment) -> bool:
    from community.tickets.queries import may_view_ticket

    ticket = db.session.get(Ticket, attachment.owner_id)
    return ticket is not None and may_view_ticket(user, ticket)


def may_delete_ticket_file(user, attachment) -> bool:
    return False  # what the resident showed stays with the request


if rule_for_type(OWNER_TYPE) is None:
    register_attachment_owner(OWNER_TYPE, model=Ticket, may_view=may_view_ticket_file,
                              may_delete=may_delete_ticket_file, max_bytes=PHOTO_MAX_BYTES, kinds=("image",),
                              purposes=("photo",))
