"""The tickets part of `flask demo generate` at a tiny size: the real models read it back, numbers
run 1..N per community and year, and the report counts it."""
from datetime import date

import sqlalchemy as sa

from community.core import clock
from community.tickets import queries, report
from community.tickets.models import Ticket, TicketCounter


def test_generates_tickets_the_real_models_read(app, db, tmp_path):
    clock.freeze(None)
    result = app.test_cli_runner().invoke(args=[
        "demo", "generate", "--communities", "2", "--residents", "20", "--resources", "0", "--tokens", "2",
        "--tokens-file", str(tmp_path / "tokens.json"), "--tickets", "300"])
    assert result.exit_code == 0, result.output
    tickets = db.session.scalars(sa.select(Ticket)).all()
    assert len(tickets) == 300 and {t.status for t in tickets} >= {"closed", "in_progress"}
    for community_id in (1, 2):
        for year in {t.year for t in tickets if t.community_id == community_id}:
            numbers = sorted(t.number for t in tickets if t.community_id == community_id and t.year == year)
            assert numbers == list(range(1, len(numbers) + 1))
            assert db.session.get(TicketCounter, (community_id, year)).last == len(numbers)
    assert all(t.reference == f"TC-{t.year}-{t.number:06d}" for t in tickets)
    assert len(queries.specialists_of(1)) == 3
    community = tickets[0].community
    data = report.build(community, date(2000, 1, 1), date(2100, 1, 1))
    assert data.total.received == sum(1 for t in tickets if t.community_id == community.id)
