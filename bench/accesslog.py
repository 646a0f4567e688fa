"""Where a request's time goes on the server: gunicorn's access log, read back.

A benchmark run with ``--access-log`` writes one line a request in ACCESS_LOG_FORMAT:

    <worker pid> <gunicorn's time for the request, µs> <X-Bench-Server-Ms> <method> <path> <status>

gunicorn's time starts when a worker thread has parsed the request and ends when the response is
written; X-Bench-Server-Ms (bench/sqlcount.py) is the app's part of it, up to the status line. So
for each worker the summary says how many requests it took, how long they held a thread, and how
long the app took; what the client saw beyond gunicorn's time was spent waiting for a thread of a
worker (and the network). ``thread-seconds`` is the sum of gunicorn's times: a worker whose sum
over a step is close to threads × step seconds kept every thread busy.

    python -m bench.accesslog bench/results/logs/<server>.access.log [--path-prefix /api/v1/rounds]
"""
import argparse
import sys
from collections import defaultdict

from bench.results import percentile

ACCESS_LOG_FORMAT = "%(p)s %(D)s %({x-bench-server-ms}o)s %(m)s %(U)s %(s)s"


def parse_line(line):
    """One access-log line -> dict, or None for a line that is not ours (or has no app time)."""
    fields = line.split()
    if len(fields) != 6:
        return None
    worker, micros, app_ms, method, path, status = fields
    try:
        return {"worker": worker.strip("<>"), "gunicorn_ms": int(micros) / 1000,
                "app_ms": float(app_ms), "method": method, "path": path, "status": int(status)}
    except ValueError:
        return None  # "-": no X-Bench-Server-Ms (not the bench app)


def summarize(records):
    """Per worker (and "all"): requests, gunicorn and app time p50/p95, thread-seconds."""
    groups = defaultdict(list)
    for record in records:
        groups[record["worker"]].append(record)
        groups["all"].append(record)
    rows = []
    for worker, items in sorted(groups.items(), key=lambda item: (item[0] == "all", item[0])):
        held = [item["gunicorn_ms"] for item in items]
        app = [item["app_ms"] for item in items]
        outside_app = [item["gunicorn_ms"] - item["app_ms"] for item in items]
        rows.append({"worker": worker, "requests": len(items),
                     "gunicorn_p50_ms": round(percentile(held, 50), 2),
                     "gunicorn_p95_ms": round(percentile(held, 95), 2),
                     "app_p50_ms": round(percentile(app, 50), 2),
                     "app_p95_ms": round(percentile(app, 95), 2),
                     "after_app_p95_ms": round(percentile(outside_app, 95), 2),
                     "thread_seconds": round(sum(held) / 1000, 2)})
    return rows


COLUMNS = [("worker", "worker"), ("requests", "requests"), ("gunicorn_p50_ms", "gunicorn p50 ms"),
           ("gunicorn_p95_ms", "gunicorn p95 ms"), ("app_p50_ms", "app p50 ms"),
           ("app_p95_ms", "app p95 ms"), ("after_app_p95_ms", "after status line p95 ms"),
           ("thread_seconds", "thread-seconds")]


def main(argv=None):
    from bench.results import format_table

    parser = argparse.ArgumentParser(prog="python -m bench.accesslog", description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--path-prefix", default="", help="only requests whose path starts with this")
    args = parser.parse_args(argv)
    with open(args.path, encoding="utf-8") as handle:
        records = [record for record in map(parse_line, handle)
                   if record is not None and record["path"].startswith(args.path_prefix)]
    if not records:
        print("no bench requests in this log", file=sys.stderr)
        return 1
    print(format_table(summarize(records), COLUMNS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
