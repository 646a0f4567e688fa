"""No overbooking under concurrency, proven on PostgreSQL.

Fifty threads, each with its own app context and therefore its own session and connection, wait
at a barrier and then book the same slot at once. The resource row lock taken by the
lock_version UPDATE makes them queue, so a capacity-1 room gets exactly one booking and a
capacity-10 gym exactly ten; everybody else gets SlotFull (409), and nobody an unexpected error.
Two ways in: the operation + commit (as a job or CLI would), and the real HTTP API.
"""
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from community.accounts import operations as account_ops
from community.accounts.models import User
from community.amenities import operations as ops
from community.amenities.errors import SlotFull
from community.amenities.models import HOLDING_STATUSES, Booking, Resource
from tests.helpers import frozen_at, run_together as release_together

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
frozen_clock = frozen_at(NOW)
SLOT_START = datetime(2026, 3, 3, 10, 0, tzinfo=SH)
SLOT_END = SLOT_START + timedelta(hours=1)
THREADS = 50


@pytest.fixture
def bookers(db, community, create_user):
    return [create_user(f"racer{i}@example.test").id for i in range(THREADS)]


@pytest.fixture
def resource_of_capacity(make_resource):
    """resource_of_capacity(n) -> the id of a committed room (n == 1) or gym (n > 1), open 08:00-22:00."""

    def _make(capacity):
        return make_resource(kind="gym" if capacity > 1 else "meeting_room", name=f"Capacity {capacity}",
                             capacity=capacity).id

    return _make


def run_together(work, count=THREADS):
    return release_together(work, count)


def book_via_operation(app, resource_id, user_ids):
    from community.extensions import db

    def work(index):
        with app.app_context():
            try:
                user = db.session.get(User, user_ids[index])
                resource = db.session.get(Resource, resource_id)
                ops.book(user, resource, SLOT_START, SLOT_END)
                db.session.commit()
                return "booked"
            except SlotFull:
                db.session.rollback()
                return "slot_full"
            finally:
                db.session.remove()

    return work


def book_via_api(app, resource_id, tokens):
    def work(index):
        client = app.test_client()
        response = client.post("/api/v1/bookings", headers={"Authorization": f"Bearer {tokens[index]}"},
                               json={"resource_id": resource_id, "start": SLOT_START.isoformat(),
                                     "end": SLOT_END.isoformat()})
        if response.status_code == 201:
            return "booked"
        if response.status_code == 409 and response.get_json().get("code") == "slot_full":
            return "slot_full"
        return f"HTTP {response.status_code} {response.get_data(as_text=True)[:200]}"

    return work


def holding(db, resource_id):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count(Booking.id)).where(
        Booking.resource_id == resource_id, Booking.status.in_(HOLDING_STATUSES)))


def issue_tokens(db, user_ids):
    tokens = [account_ops.issue_api_token(db.session.get(User, uid), "race")[1] for uid in user_ids]
    db.session.commit()
    return tokens


EXPECTED_OUTCOMES = {"booked", "slot_full"}


def assert_exact_outcomes(results, capacity):
    """Every thread answered either "booked" or "slot_full" (a set comparison: anything else, an
    "HTTP 500 ..." or an "unexpected ...", fails), and exactly ``capacity`` of them booked."""
    unexpected = [r for r in results if r not in EXPECTED_OUTCOMES]
    assert set(results) <= EXPECTED_OUTCOMES, unexpected
    assert Counter(results) == {"booked": capacity, "slot_full": THREADS - capacity}


def test_the_outcome_check_refuses_errors_and_wrong_counts():
    """The check itself can fail: a server error among the answers, or one booking too many."""
    with pytest.raises(AssertionError):
        assert_exact_outcomes(["HTTP 500 oops"] * (THREADS - 1) + ["booked"], 1)
    with pytest.raises(AssertionError):
        assert_exact_outcomes(["booked"] * 2 + ["slot_full"] * (THREADS - 2), 1)
    with pytest.raises(AssertionError):
        assert_exact_outcomes(["booked"] + ["slot_full"] * (THREADS - 2) + [None], 1)  # a thread never answered
    assert_exact_outcomes(["booked"] + ["slot_full"] * (THREADS - 1), 1)


@pytest.mark.parametrize("capacity", [1, 10])
def test_concurrent_operations_never_overbook(pg_only, app, db, resource_of_capacity, bookers, capacity):
    resource_id = resource_of_capacity(capacity)
    results = run_together(book_via_operation(app, resource_id, bookers))
    assert_exact_outcomes(results, capacity)
    assert holding(db, resource_id) == capacity


@pytest.mark.parametrize("capacity", [1, 10])
def test_concurrent_api_requests_never_overbook(pg_only, app, db, resource_of_capacity, bookers, capacity):
    resource_id = resource_of_capacity(capacity)
    tokens = issue_tokens(db, bookers)
    results = run_together(book_via_api(app, resource_id, tokens))
    assert_exact_outcomes(results, capacity)
    assert holding(db, resource_id) == capacity
