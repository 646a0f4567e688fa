"""``python -m bench list`` · ``python -m bench <name> [options]`` · ``python -m bench <name> -h``.

A benchmark is one module in bench/benchmarks/ with NAME, DESCRIPTION, ``add_arguments(parser)``
and ``run(ctx) -> dict`` (see bench/README.md, "Adding a benchmark"). The runner starts nothing by
itself: each benchmark starts the servers it needs through ``ctx.server(...)``.
"""
import argparse
import importlib
import os
import pkgutil
import sys

from bench import benchmarks as benchmarks_pkg
from bench.context import DEFAULT_DATABASE_URL, DEFAULT_TOKENS_FILE, Context, _without_password
from bench.results import build_result, cpu_idle_pct, format_table, write_result
from bench.server import ServerSettings

REQUIRED = ("NAME", "DESCRIPTION", "run")


def discover():
    """{name: module} of every module in bench/benchmarks/ that looks like a benchmark."""
    found = {}
    for info in pkgutil.iter_modules(benchmarks_pkg.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{benchmarks_pkg.__name__}.{info.name}")
        if all(hasattr(module, attr) for attr in REQUIRED):
            found[module.NAME] = module
    return dict(sorted(found.items()))


def common_arguments(parser):
    defaults = ServerSettings()
    group = parser.add_argument_group("server (gunicorn, same for the app and the floors)")
    group.add_argument("--workers", type=int, default=defaults.workers)
    group.add_argument("--worker-class", default=defaults.worker_class, choices=("sync", "gthread"))
    group.add_argument("--threads", type=int, default=defaults.threads)
    group.add_argument("--app-config", default=defaults.app_config,
                       help="APP_CONFIG for the app under test (default: %(default)s)")
    group.add_argument("--keep-alive", type=int, default=defaults.keepalive, metavar="SECONDS",
                       help="gunicorn --keep-alive (default: %(default)s); 0 closes every connection "
                            "after its answer, as behind a proxy that keeps no upstream connections")
    group.add_argument("--access-log", action="store_true",
                       help="write gunicorn's access log with its time a request and the worker "
                            "(python -m bench.accesslog reads it); costs the server some CPU")
    group.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    group = parser.add_argument_group("load (every step is bounded by both)")
    group.add_argument("--requests", type=int, default=20000, help="max requests per step")
    group.add_argument("--seconds", type=float, default=10.0, help="max seconds per step")
    group.add_argument("--loadgen-procs", type=int, default=1,
                       help="load generator processes (clients are split among them)")
    group.add_argument("--client", default="raw", choices=("raw", "httpx"),
                       help="load generator transport (default: %(default)s; see bench/rawhttp.py)")
    group.add_argument("--tokens-file", default=DEFAULT_TOKENS_FILE)
    group.add_argument("--no-save", action="store_true", help="print only; write no JSON")
    group.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                       help="first wait up to this long for the machine to be >= 85%% idle")


def wait_for_idle(limit_s):
    """Idle % of the machine over one second, waiting (bounded) for it to reach 85 % first."""
    import time

    deadline = time.monotonic() + limit_s
    idle = cpu_idle_pct()
    while idle is not None and idle < 85 and time.monotonic() < deadline:
        idle = cpu_idle_pct(2.0)
    return idle


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    found = discover()
    if not argv or argv[0] in ("list", "-h", "--help"):
        print("usage: python -m bench <name> [options]   (python -m bench <name> -h for options)\n")
        width = max(len(name) for name in found)
        for name, module in found.items():
            print(f"  {name.ljust(width)}  {module.DESCRIPTION}")
        return 0
    name = argv[0]
    if name not in found:
        print(f"unknown benchmark {name!r}; known: {', '.join(found)}", file=sys.stderr)
        return 2
    module = found[name]
    parser = argparse.ArgumentParser(prog=f"python -m bench {name}", description=module.DESCRIPTION)
    common_arguments(parser)
    if hasattr(module, "add_arguments"):
        module.add_arguments(parser)
    args = parser.parse_args(argv[1:])
    settings = ServerSettings(workers=args.workers, worker_class=args.worker_class,
                              threads=args.threads, keepalive=args.keep_alive,
                              app_config=args.app_config,
                              access_log=args.access_log)
    ctx = Context(args=args, settings=settings, database_url=args.database_url,
                  tokens_file=args.tokens_file)
    idle_before = wait_for_idle(args.wait_idle)
    outcome = module.run(ctx)
    idle_after = cpu_idle_pct()
    for title, rows, columns in outcome.get("tables", []):
        print(f"\n{title}\n{format_table(rows, columns)}")
    run_settings = {"server": settings.as_dict(), "database": _without_password(args.database_url),
                    "machine_idle_pct": {"before": idle_before, "after": idle_after,
                                         "loadavg_after": os.getloadavg()},
                    "load": {"requests": args.requests, "seconds": args.seconds,
                             "loadgen_procs": args.loadgen_procs, "client": args.client},
                    **outcome.get("settings", {})}
    result = build_result(name, run_settings, outcome.get("results", {}),
                          database_url=args.database_url, notes=ctx.notes + outcome.get("notes", []))
    if idle_before is not None and idle_before < 85:
        result["notes"].append(f"the machine was only {idle_before}% idle before the run: other work "
                               "shared the CPU, so these numbers are low; rerun when it is quiet")
    for note in result["notes"]:
        print(f"note: {note}")
    if not args.no_save:
        print(f"\nresult: {os.path.relpath(write_result(result))}")
    return 1 if outcome.get("failed") else 0


if __name__ == "__main__":
    sys.exit(main())
