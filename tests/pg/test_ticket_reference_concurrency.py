"""Reference numbers under concurrent filing, proven on PostgreSQL: forty residents file at the
same instant (each thread its own session and connection) and the community's numbers are
exactly 1..40, no gap and no duplicate, with balanced assignment; a filing that rolls back gives
its number back."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from community.accounts.models import User
from community.tickets import operations as ops
from community.tickets.models import Ticket, TicketCategory
from tests.factories.tickets import make_desk
from tests.helpers import frozen_at, run_together as release_together

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=SH)
frozen_clock = frozen_at(NOW)
THREADS = 40


@pytest.fixture
def filers(db, create_user):
    return [create_user(f"filer{i}@example.test").id for i in range(THREADS)]


def run_together(work, count=THREADS):
    return release_together(work, count)


def test_concurrent_filings_get_1_to_n_exactly(pg_only, app, db, community, community_admin, create_user, filers):
    specialists = [create_user(f"sp{i}@example.test", roles=("specialist",)) for i in range(4)]
    category_id = make_desk(db, community, community_admin, specialists).id
    community_id, specialist_ids = community.id, [s.id for s in specialists]
    db.session.remove()

    def work(index):
        from community.extensions import db as session_db

        with app.app_context():
            try:
                user = session_db.session.get(User, filers[index])
                category = session_db.session.get(TicketCategory, category_id)
                ticket = ops.file_ticket(user, category, title=f"Request {index}", description="Concurrent")
                if index % 10 == 9:  # a few roll back: their numbers must come back, not leave gaps
                    session_db.session.rollback()
                    return "rolled back"
                session_db.session.commit()
                return ticket.number
            finally:
                session_db.session.remove()

    results = run_together(work)
    numbers = [r for r in results if isinstance(r, int)]
    assert all(isinstance(r, int) or r == "rolled back" for r in results), results
    assert sorted(numbers) == list(range(1, len(numbers) + 1))
    rows = db.session.execute(sa.select(Ticket.number, Ticket.reference, Ticket.assignee_id)
                              .where(Ticket.community_id == community_id)).all()
    assert sorted(r.number for r in rows) == list(range(1, len(rows) + 1))
    assert len({r.reference for r in rows}) == len(rows)
    per_specialist = sorted([sum(1 for r in rows if r.assignee_id == s) for s in specialist_ids])
    assert per_specialist[-1] - per_specialist[0] <= 1, per_specialist  # the counter lock keeps balancing exact
