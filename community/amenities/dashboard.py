"""Dashboard panels: a resident's next bookings, an operator's bookings waiting for approval."""
import sqlalchemy as sa

from community.amenities import queries
from community.core.dashboard import dashboard_panel
from community.core.permissions import COMMUNITY_ADMIN, PLATFORM_ADMIN, RESIDENT
from community.extensions import db

NEXT_BOOKINGS_SHOWN = 3
PENDING_SHOWN = 5


@dashboard_panel(15, (RESIDENT,), "amenities/panels/next_bookings.html")
def next_bookings_panel(user):
    bookings = db.session.scalars(queries.bookings_for(user, upcoming=True).limit(NEXT_BOOKINGS_SHOWN)).unique().all()
    return {"bookings": bookings}


@dashboard_panel(45, (COMMUNITY_ADMIN, PLATFORM_ADMIN), "amenities/panels/pending_approvals.html")
def pending_approvals_panel(user):
    pending = queries.pending_for_admin(user)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(pending.order_by(None).subquery()))
    return {"total": total, "bookings": db.session.scalars(pending.limit(PENDING_SHOWN)).unique().all()}
