"""Plain helpers shared by the tests: reading responses, asserting problem+json, freezing the clock,
recording the SQL a block sends, and releasing threads at once for the PostgreSQL race tests."""
import threading
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from community.core import clock

PROBLEM = "application/problem+json"


def text(response):
    """The response body as text."""
    return response.get_data(as_text=True)


def assert_problem(response, status, code=None):
    """The RFC 9457 shape every API error has (and its ``code`` when given); returns the body."""
    assert response.status_code == status, text(response)[:500]
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body.get("detail", ""), str)
    assert "Traceback" not in text(response)
    if code:
        assert body["code"] == code
    return body


def frozen_at(instant):
    """An autouse fixture that stops ``clock.now()`` at ``instant`` for every test of a module.

    Use it at module level as ``frozen_clock = frozen_at(NOW)``; a test may still move the clock
    with ``clock.freeze(...)``, and tests/conftest.py lets it run again after each test."""

    @pytest.fixture(autouse=True)
    def frozen_clock():
        clock.freeze(instant)
        yield
        clock.freeze(None)

    return frozen_clock


@contextmanager
def recorded_statements(db, prefix=None):
    """The SQL statements sent to the database inside the block (only those starting with
    ``prefix``, case-insensitive, when given)."""
    statements = []

    def record(_conn, _cursor, statement, *_args):
        if prefix is None or statement.lstrip().upper().startswith(prefix.upper()):
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def run_together(work, count):
    """Run ``work(index)`` in ``count`` threads released at the same instant by a barrier and
    return their results in index order. An exception is recorded as ``"unexpected ..."`` so the
    test shows it instead of a hung thread; a thread still alive after two minutes fails the test."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(index):
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except Exception as exc:
            results[index] = f"unexpected {exc!r}"

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a racing thread hung"
    return results
