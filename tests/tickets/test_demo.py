"""The tickets demo: categories, two specialists, a policy, the holiday calendar, tickets in every
state with a breached one; a second run changes nothing."""
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from community.core import clock
from community.core.demo import load_all
from community.tickets.models import STATUSES, CalendarDay, Ticket, TicketCategory


def test_demo_tickets_in_every_state_once(db):
    clock.freeze(datetime(2026, 12, 1, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    load_all(echo=lambda *_: None)
    db.session.commit()
    statuses = set(db.session.scalars(sa.select(Ticket.status)))
    assert statuses == set(STATUSES)
    assert db.session.scalar(sa.select(sa.func.count(Ticket.id)).where(Ticket.escalated_at.is_not(None))) >= 1
    assert db.session.scalar(sa.select(sa.func.count(TicketCategory.id))) == 8
    assert db.session.scalar(sa.select(sa.func.count(CalendarDay.id))) > 50
    before = db.session.execute(sa.select(Ticket.reference, Ticket.status).order_by(Ticket.id)).all()
    load_all(echo=lambda *_: None)
    db.session.commit()
    assert db.session.execute(sa.select(Ticket.reference, Ticket.status).order_by(Ticket.id)).all() == before
