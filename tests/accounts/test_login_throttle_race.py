"""Parallel guesses are throttled like serial ones: the pair's and the network's rows are locked
while the password is checked (a row lock on PostgreSQL, the write lock on SQLite), so each attempt
sees the failures committed before it. Without the lock every thread would read "no failures yet"
and all of them would get to check a password."""
import threading
from datetime import datetime, timezone

import sqlalchemy as sa

from community.accounts.models import LoginThrottle
from community.core import clock

THREADS = 12


def test_parallel_wrong_passwords_get_only_the_free_attempts(app, db, resident):
    clock.freeze(datetime(2026, 5, 1, 2, 0, tzinfo=timezone.utc))  # no delay runs out meanwhile
    barrier, statuses = threading.Barrier(THREADS), [None] * THREADS
    login = resident.email

    def guess(index):
        client = app.test_client()
        try:
            barrier.wait(timeout=30)
            statuses[index] = client.post("/login", data={"login": login, "password": f"guess-{index}x"},
                                          environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code
        except Exception as exc:  # shown by the assertion instead of a hung thread
            statuses[index] = repr(exc)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    free = app.config["LOGIN_THROTTLE_FREE_FAILURES"]
    assert sorted(statuses, key=str) == [401] * free + [429] * (THREADS - free), statuses
    db.session.expire_all()
    assert sorted(db.session.scalars(sa.select(LoginThrottle.failures))) == [free, free]
