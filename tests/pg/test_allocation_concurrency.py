"""A round allocates once, however many commits arrive at the same moment, and a unit is never
offered twice nor a resident given two offers when declines race; proven on PostgreSQL.

Each thread has its own app context, session and connection and waits at a barrier. The commit's
conditional UPDATE (status 'published' -> 'allocated') lets exactly one through: the others block
on the row until the winner commits, then find the status changed and raise AlreadyAllocated."""
from collections import Counter
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from community.apartments import operations as ops
from community.apartments.errors import AlreadyAllocated, OfferClosed
from community.apartments.models import OPEN, Application, Offer, Round
from community.core import clock
from tests.factories.apartments import SH
from tests.helpers import run_together as release_together

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
THREADS = 8


def run_together(work, count=THREADS):
    return release_together(work, count)


@pytest.fixture
def closed_round(pg_only, db, make_units, make_round, create_user, household):
    clock.freeze(NOW)
    units = make_units(["1b1l"] * 3)
    round_ = make_round(units)
    for i in range(10):
        user = create_user(f"racer{i}@example.test", tier="intermediate")
        household(user, members=1)
        ops.apply(round_, user, [{"layout": "1b1l"}])
    db.session.commit()
    clock.freeze(round_.closes_at + timedelta(minutes=1))
    return round_.id


def test_concurrent_commits_allocate_once(app, db, closed_round):
    def work(index):
        with app.app_context():
            try:
                ops.commit_allocation(db.session.get(Round, closed_round), actor=None)
                db.session.commit()
                return "allocated"
            except AlreadyAllocated:
                db.session.rollback()
                return "already"
            finally:
                db.session.remove()

    results = run_together(work)
    assert Counter(results) == {"allocated": 1, "already": THREADS - 1}, results
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Offer.id))) == 3
    ranks = list(db.session.scalars(sa.select(Application.rank).order_by(Application.rank)))
    assert ranks == list(range(1, 11))


def test_concurrent_http_commits_allocate_once(app, db, closed_round, create_user):
    admins = [create_user(f"op{i}@example.test", roles=("community_admin",)) for i in range(THREADS)]

    # Log each client in first (outside the race), then race the commits.
    clients = []
    for admin in admins:
        client = app.test_client()
        login_client(client, admin)
        clients.append(client)
    results = run_together(lambda i: clients[i].post(f"/admin/apartments/rounds/{closed_round}/allocate").status_code)
    assert Counter(results) == {302: 1, 409: THREADS - 1}, results
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Offer.id))) == 3


def login_client(client, user):
    from tests.conftest import DEFAULT_PASSWORD

    response = client.post("/login", data={"login": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code in (302, 303), response.status_code


def test_racing_declines_never_double_offer(app, db, closed_round):
    ops.commit_allocation(db.session.get(Round, closed_round), actor=None)
    db.session.commit()
    offer_ids = list(db.session.scalars(sa.select(Offer.id).order_by(Offer.id)))

    def work(index):
        with app.app_context():
            try:
                offer = db.session.get(Offer, offer_ids[index % len(offer_ids)])
                ops.decline_offer(offer, actor=offer.user)
                db.session.commit()
                return "declined"
            except OfferClosed:
                db.session.rollback()
                return "closed"
            finally:
                db.session.remove()

    results = run_together(work, count=6)
    assert Counter(results) == {"declined": 3, "closed": 3}, results
    db.session.expire_all()
    open_offers = list(db.session.scalars(sa.select(Offer).where(Offer.status == OPEN)))
    assert len(open_offers) == 3
    assert len({o.unit_id for o in open_offers}) == 3 and len({o.user_id for o in open_offers}) == 3
