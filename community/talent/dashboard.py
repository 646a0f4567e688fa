"""Dashboard panel: applications waiting for the viewer's decision (reviewers, community admins)."""
import sqlalchemy as sa

from community.core.dashboard import dashboard_panel
from community.core.permissions import COMMUNITY_ADMIN, PLATFORM_ADMIN, TALENT_REVIEWER
from community.extensions import db
from community.talent import queries

SHOWN = 5


@dashboard_panel(50, (TALENT_REVIEWER, COMMUNITY_ADMIN, PLATFORM_ADMIN), "talent/panels/reviews.html")
def reviews_panel(user):
    waiting = queries.review_queue(user, scope="mine")
    total = db.session.scalar(sa.select(sa.func.count()).select_from(waiting.order_by(None).subquery()))
    return {"total": total, "applications": db.session.scalars(waiting.limit(SHOWN)).unique().all()}
