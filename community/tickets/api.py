"""Tickets JSON API under /api/v1 (the contract is in docs/tickets.md and the issue). Handlers
parse, scope, call one operation or query and serialise; every rule lives in the operations."""
import sqlalchemy as sa
from flask_login import current_user
from flask_smorest import Blueprint

from community.core.api import login_required_api
from community.core.clock import now
from community.core.pagination import api_page
from community.tickets import operations as ops
from community.tickets import queries
from community.tickets.schemas import (
    CategorySchema, RatingArgs, ReplyArgs, ReplySchema, StatusArgs, TicketCreateArgs, TicketDetailSchema,
    TicketListArgs, TicketSchema,
)

blp = Blueprint("tickets_api", __name__, url_prefix="/api/v1", description="Service requests (tickets)")
blp.before_request(login_required_api)


class _Detail:
    """A ticket with the replies its reader may see."""

    def __init__(self, ticket, replies):
        self._ticket = ticket
        self.replies = replies

    def __getattr__(self, name):
        return getattr(self._ticket, name)


class _Reply:
    """A reply with its files (``files``: the attachments of this reply)."""

    def __init__(self, reply, files):
        self._reply = reply
        self.files = files

    def __getattr__(self, name):
        return getattr(self._reply, name)


def _detail(ticket):
    """The ticket with the replies its reader may see, each with its files. The files are asked
    for only for those replies, so a resident's answer never names an internal note's file; the
    download URL checks again on every use (attachments.may_view_reply_file)."""
    staff = queries.is_staff(current_user, ticket.community_id)
    replies = queries.replies_of(ticket, include_internal=staff)
    files = queries.files_of_replies(replies)
    return _Detail(ticket, [_Reply(r, files.get(r.id, [])) for r in replies])


@blp.route("/ticket-categories")
@blp.response(200, CategorySchema(many=True))
def list_categories():
    """Categories the caller may file under (their community's) or, for staff, handle."""
    return queries.categories_for(current_user)


@blp.route("/tickets", methods=["POST"])
@blp.arguments(TicketCreateArgs)
@blp.response(201, TicketSchema)
@blp.alt_response(404, description="No such category, or not of the caller's community")
@blp.alt_response(422, description="Invalid input; `errors` or `field` names it")
def create_ticket(body):
    """File a request; it answers with its reference number and the specialist it went to."""
    category = queries.category_for_filing(current_user, body["category_id"])
    return ops.file_ticket(current_user, category, title=body["title"], description=body["description"],
                           location_kind=body["location_kind"], building_id=body["building_id"],
                           location_detail=body["location_detail"], contact_time=body["contact_time"])


@blp.route("/tickets")
@blp.arguments(TicketListArgs, location="query")
@blp.response(200, TicketSchema(many=True))
@blp.paginate(page_size=20, max_page_size=100)
def list_tickets(args, pagination_parameters):
    """The caller's tickets: a resident's own, a specialist's queue (assigned to them)."""
    scope = args.get("scope") or ("mine" if queries.staff_community_ids(current_user) != set() else "filed")
    if scope == "filed":
        stmt = queries.resident_tickets(current_user, status=args["status"] if args["status"] != "any" else "")
        if args["q"]:
            like = f"%{args['q']}%"
            stmt = stmt.where(sa.or_(queries.Ticket.reference.ilike(like), queries.Ticket.title.ilike(like)))
    else:
        stmt = queries.queue_for(current_user, scope=scope, status=args["status"], search=args["q"], at=now())
    return api_page(stmt, pagination_parameters)


@blp.route("/tickets/<int:ticket_id>")
@blp.response(200, TicketDetailSchema)
@blp.alt_response(404, description="No such ticket, or neither yours nor of a community you serve")
def get_ticket(ticket_id):
    """One ticket with its replies (internal notes for staff only)."""
    return _detail(queries.ticket_for(current_user, ticket_id))


@blp.route("/tickets/<int:ticket_id>/replies", methods=["POST"])
@blp.arguments(ReplyArgs)
@blp.response(201, ReplySchema)
@blp.alt_response(403, description="A resident asked for an internal note")
@blp.alt_response(409, description="The ticket is closed")
def add_reply(body, ticket_id):
    """A public reply, or (staff) an internal note."""
    ticket = queries.ticket_for(current_user, ticket_id)
    return _Reply(ops.add_reply(ticket, current_user, body["body"], internal=body["internal"]), [])


@blp.route("/tickets/<int:ticket_id>/status", methods=["POST"])
@blp.arguments(StatusArgs)
@blp.response(200, TicketDetailSchema)
@blp.alt_response(403, description="A status the caller may not set (a resident: only closed or reopened)")
@blp.alt_response(409, description="Not allowed from the current status, or the 7 days to reopen are over")
def change_status(body, ticket_id):
    """Move the ticket along; the resident confirms (closed) or reopens a resolution."""
    ticket = queries.ticket_for(current_user, ticket_id)
    ops.change_status(ticket, current_user, body["status"], reason=body["reason"])
    return _detail(ticket)


@blp.route("/tickets/<int:ticket_id>/rating", methods=["POST"])
@blp.arguments(RatingArgs)
@blp.response(201, TicketSchema)
@blp.alt_response(403, description="Not the resident who filed it")
@blp.alt_response(409, description="Not closed yet, or already rated")
def rate_ticket(body, ticket_id):
    """The satisfaction survey: 1-5 and a comment, by the resident, once the ticket is closed."""
    ticket = queries.ticket_for(current_user, ticket_id)
    return ops.rate(ticket, current_user, body["score"], body["comment"])
