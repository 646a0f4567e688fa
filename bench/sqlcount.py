"""What the server says about each request, for the load generator to record.

``instrument(wsgi_app)`` wraps a WSGI app so every response carries
  X-Bench-Server-Ms  time from the request entering the app to its status line (the server's own
                     handling time, without the network and the client), always;
  X-Query-Count      SQL statements the request sent through SQLAlchemy, only when the server was
                     started with BENCH_COUNT_QUERIES=1 (a before_cursor_execute listener on every
                     Engine; off by default so it costs nothing in the throughput numbers).
Statements sent through a raw psycopg connection (floor b) are not counted.
Only bench/wsgi.py and bench/floors.py use this; the application itself is not changed.
"""
import os
import threading
import time

from bench.loadgen import QUERY_COUNT_HEADER, SERVER_TIME_HEADER

_local = threading.local()
_listening = False


def counting_enabled():
    return os.environ.get("BENCH_COUNT_QUERIES") == "1"


def _count(*_args, **_kwargs):
    _local.queries = getattr(_local, "queries", 0) + 1


def listen_to_engines():
    global _listening
    if _listening:
        return
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    event.listen(Engine, "before_cursor_execute", _count)
    _listening = True


def instrument(wsgi_app, *, count_queries=None):
    count_queries = counting_enabled() if count_queries is None else count_queries
    if count_queries:
        listen_to_engines()

    def middleware(environ, start_response):
        begin = time.perf_counter()
        _local.queries = 0

        def timed_start_response(status, headers, exc_info=None):
            headers = list(headers)
            headers.append((SERVER_TIME_HEADER, f"{(time.perf_counter() - begin) * 1000:.3f}"))
            if count_queries:
                headers.append((QUERY_COUNT_HEADER, str(_local.queries)))
            return start_response(status, headers, exc_info)

        return wsgi_app(environ, timed_start_response)

    return middleware
