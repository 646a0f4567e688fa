"""Dashboard panels: a resident's open requests; a specialist's queue at a glance."""
import sqlalchemy as sa

from community.core.clock import now
from community.core.dashboard import dashboard_panel
from community.core.permissions import RESIDENT, SPECIALIST
from community.extensions import db
from community.tickets import queries

SHOWN = 5


@dashboard_panel(17, (RESIDENT,), "tickets/panels/resident.html")
def resident_requests_panel(user):
    tickets = db.session.scalars(queries.resident_tickets(user, status="open").limit(SHOWN)).unique().all()
    return {"tickets": tickets}


@dashboard_panel(29, (SPECIALIST,), "tickets/panels/specialist.html")
def specialist_queue_panel(user):
    at = now()
    mine = queries.queue_for(user, scope="mine", at=at)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(mine.order_by(None).subquery()))
    breached = db.session.scalar(sa.select(sa.func.count()).select_from(
        queries.queue_for(user, scope="mine", due="breached", at=at).order_by(None).subquery()))
    unassigned = db.session.scalar(sa.select(sa.func.count()).select_from(
        queries.queue_for(user, scope="unassigned", at=at).order_by(None).subquery()))
    return {"count": count, "breached": breached, "unassigned": unassigned,
            "tickets": db.session.scalars(mine.limit(SHOWN)).unique().all(),
            "communities": [c.name for c in queries.communities_of_staff(user)]}
