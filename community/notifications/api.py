"""Notifications JSON API under /api/v1: the caller's own notices only (docs/api.md)."""
from zoneinfo import ZoneInfo

from flask_login import current_user
from flask_smorest import Blueprint

from community.core.api import login_required_api
from community.core.pagination import api_page
from community.notifications import operations as ops
from community.notifications import queries
from community.notifications.kinds import get_kind
from community.notifications.schemas import NoticeListArgs, NoticeSchema, ReadAllSchema
from community.notifications.texts import notice_path, render_notice

blp = Blueprint("notifications_api", __name__, url_prefix="/api/v1",
                description="Notifications: the caller's notices, newest first")
blp.before_request(login_required_api)


def as_json(notice) -> dict:
    """A notice written out for the caller, in their language and time zone."""
    tz = ZoneInfo(current_user.timezone)
    text = render_notice(notice, reader_tz=current_user.timezone)
    kind = get_kind(notice.kind)
    return {"id": notice.id, "kind": notice.kind, "group": kind.group if kind else None,
            "subject": text.subject, "body": text.body, "url": notice_path(notice),
            "object_type": notice.object_type, "object_id": notice.object_id, "params": notice.params or {},
            "read": notice.is_read, "created_at": notice.created_at.astimezone(tz).isoformat(),
            "read_at": notice.read_at.astimezone(tz).isoformat() if notice.read_at else None}


@blp.route("/notifications")
@blp.arguments(NoticeListArgs, location="query")
@blp.response(200, NoticeSchema(many=True))
@blp.paginate(page_size=20, max_page_size=100)
def list_notices(args, pagination_parameters):
    """The caller's notices, newest first; `read=false` for the unread ones only."""
    stmt = queries.notices_for(current_user, read=args.get("read"))
    return [as_json(notice) for notice in api_page(stmt, pagination_parameters)]


@blp.route("/notifications/<int:notice_id>/read", methods=["POST"])
@blp.response(200, NoticeSchema)
@blp.alt_response(404, description="No such notice, or not the caller's")
def read_notice(notice_id):
    """Mark one notice read (marking it again changes nothing)."""
    return as_json(ops.mark_read(queries.notice_for(current_user, notice_id), user=current_user))


@blp.route("/notifications/read-all", methods=["POST"])
@blp.response(200, ReadAllSchema)
def read_all_notices():
    """Mark every unread notice of the caller read."""
    return {"marked": ops.mark_all_read(current_user)}
