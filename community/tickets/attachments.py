"""Ticket photos are core attachments: private, images only, up to 5 MB each (5 a ticket, checked
by the filing operation), seen by the ticket's resident and the staff of its community.

Files on replies (images and PDFs, up to 5 MB each, 5 a reply) are attachments of the reply: staff
of the community see them all; the ticket's resident sees those of public replies, never those of
an internal note (may_view_reply_file, checked again on every download)."""
from community.core.attachments import register_attachment_owner, rule_for_type
from community.extensions import db
from community.tickets.models import Ticket, TicketReply
from community.tickets.rules import FILE_MAX_BYTES, PHOTO_MAX_BYTES

OWNER_TYPE = "tickets.Ticket"
REPLY_OWNER_TYPE = "tickets.TicketReply"


def may_view_ticket_file(user, attachment) -> bool:
    from community.tickets.queries import may_view_ticket

    ticket = db.session.get(Ticket, attachment.owner_id)
    return ticket is not None and may_view_ticket(user, ticket)


def may_view_reply_file(user, attachment) -> bool:
    from community.tickets.queries import is_staff

    reply = db.session.get(TicketReply, attachment.owner_id)
    if reply is None:
        return False
    ticket = db.session.get(Ticket, reply.ticket_id)
    if ticket is None:
        return False
    if is_staff(user, ticket.community_id):
        return True
    return ticket.resident_id == user.id and not reply.internal


def may_delete_ticket_file(user, attachment) -> bool:
    return False  # what the resident showed stays with the request


if rule_for_type(OWNER_TYPE) is None:
    register_attachment_owner(OWNER_TYPE, model=Ticket, may_view=may_view_ticket_file,
                              may_delete=may_delete_ticket_file, max_bytes=PHOTO_MAX_BYTES, kinds=("image",),
                              purposes=("photo",))

if rule_for_type(REPLY_OWNER_TYPE) is None:
    register_attachment_owner(REPLY_OWNER_TYPE, model=TicketReply, may_view=may_view_reply_file,
                              may_delete=may_delete_ticket_file, max_bytes=FILE_MAX_BYTES, kinds=("image", "pdf"),
                              purposes=("file",))
