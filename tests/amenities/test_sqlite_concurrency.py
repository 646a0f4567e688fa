"""No overbooking on SQLite either: the lock_version UPDATE opens the write transaction, and SQLite's
single write lock (busy_timeout 30 s) makes concurrent bookers queue. tests/pg/ proves the same on
PostgreSQL with fifty threads; this runs wherever the suite runs on SQLite."""
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from community.accounts.models import User
from community.amenities import operations as ops
from community.amenities.errors import SlotFull
from community.amenities.models import HOLDING_STATUSES, Booking, Resource
from community.core import clock

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 3, 10, 0, tzinfo=SH)
THREADS = 20


@pytest.fixture
def sqlite_only(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite run; tests/pg/ covers PostgreSQL")


@pytest.mark.parametrize("capacity", [1, 3])
def test_concurrent_bookers_on_sqlite_never_overbook(sqlite_only, app, db, make_resource, create_user, capacity):
    clock.freeze(datetime(2026, 3, 2, 9, 0, tzinfo=SH))
    resource_id = make_resource(kind="gym", name="Gym", capacity=capacity).id
    user_ids = [create_user(f"racer{i}@example.test").id for i in range(THREADS)]
    barrier, results = threading.Barrier(THREADS), [None] * THREADS

    def run(index):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                ops.book(db.session.get(User, user_ids[index]), db.session.get(Resource, resource_id),
                         START, START + timedelta(hours=1))
                db.session.commit()
                results[index] = "booked"
            except SlotFull:
                results[index] = "slot_full"
            except Exception as exc:
                results[index] = repr(exc)
            finally:
                db.session.rollback()
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(set(results)) == ["booked", "slot_full"], results
    assert results.count("booked") == capacity
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Booking.id)).where(
        Booking.resource_id == resource_id, Booking.status.in_(HOLDING_STATUSES))) == capacity
