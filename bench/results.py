"""Numbers out: percentiles, summaries, an aligned table, and the JSON result file.

Percentiles use linear interpolation between closest ranks (numpy's default "linear" method),
so p50 of [1, 2, 3, 4] is 2.5 and a single sample is every percentile of itself.
"""
import json
import os
import platform
import re
import subprocess
import sys
from datetime import datetime, timezone

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(BENCH_DIR)
RESULTS_DIR = os.path.join(BENCH_DIR, "results")
RESULT_FORMAT = 1  # bump when the JSON shape changes


def percentile(values, pct):
    """The pct-th percentile (0..100) of values, linear interpolation; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * pct / 100.0
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize(samples, elapsed_s):
    """Summarize loadgen samples (dicts with status, latency_s, ...) measured over elapsed_s.

    requests/s counts every completed request (any status); ok_per_s counts 2xx/3xx only.
    Latencies are in milliseconds. Transport errors have status 0.
    """
    latencies = [s["latency_s"] * 1000.0 for s in samples]
    statuses = {}
    for s in samples:
        statuses[str(s["status"])] = statuses.get(str(s["status"]), 0) + 1
    ok = sum(1 for s in samples if 200 <= s["status"] < 400)
    server = [s["server_ms"] for s in samples if s.get("server_ms") is not None]
    queries = [s["queries"] for s in samples if s.get("queries") is not None]
    sizes = [s["bytes"] for s in samples if s.get("bytes") is not None]
    summary = {
        "requests": len(samples),
        "ok": ok,
        "elapsed_s": round(elapsed_s, 3),
        "rps": round(len(samples) / elapsed_s, 1) if elapsed_s > 0 else None,
        "ok_per_s": round(ok / elapsed_s, 1) if elapsed_s > 0 else None,
        "statuses": dict(sorted(statuses.items())),
        "p50_ms": _round(percentile(latencies, 50)),
        "p95_ms": _round(percentile(latencies, 95)),
        "p99_ms": _round(percentile(latencies, 99)),
        "max_ms": _round(max(latencies) if latencies else None),
    }
    if server:
        summary["server_p50_ms"] = _round(percentile(server, 50))
        summary["server_p95_ms"] = _round(percentile(server, 95))
    if queries:
        summary["queries_min"] = min(queries)
        summary["queries_max"] = max(queries)
    if sizes:
        summary["bytes_p50"] = int(percentile(sizes, 50))
    return summary


def _round(value, digits=2):
    return None if value is None else round(value, digits)


def format_table(rows, columns):
    """An aligned plain-text table. rows: list of dicts; columns: list of (key, heading)."""
    cells = [[heading for _key, heading in columns]]
    for row in rows:
        cells.append([_cell(row.get(key)) for key, _heading in columns])
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    lines = []
    for index, line in enumerate(cells):  # first column to the left, numbers to the right
        lines.append("  ".join(text.ljust(width) if column == 0 else text.rjust(width)
                               for column, (text, width) in enumerate(zip(line, widths))))
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _cell(value):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) >= 100 else f"{value:.2f}"
    if isinstance(value, dict):
        return " ".join(f"{k}:{v}" for k, v in value.items())
    return str(value)


# -- the result file -----------------------------------------------------------------------------

def machine_info(database_url=None):
    info = {
        "hostname": platform.node(),
        "platform": platform.platform(),
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "python": sys.version.split()[0],
    }
    if database_url:
        info["postgresql"] = postgres_version(database_url)
        info["postgresql_settings"] = postgres_settings(database_url)
    return info


def machine_cpu_seconds():
    """{"busy", "irq", "steal"}: CPU-seconds since boot of the whole machine (all cores, /proc/stat).
    busy = user + nice + system (processes); irq = irq + softirq (the kernel's loopback network work
    lands here, attributed to no process); steal = time the hypervisor gave to other guests."""
    try:
        with open("/proc/stat") as handle:
            fields = [int(v) for v in handle.readline().split()[1:]]
    except OSError:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    return {"busy": sum(fields[0:3]) / tick, "irq": (fields[5] + fields[6]) / tick,
            "steal": fields[7] / tick if len(fields) > 7 else 0.0}


def cpu_idle_pct(seconds=1.0):
    """Share of CPU time the whole machine spent idle over the next ``seconds`` (from /proc/stat):
    other work on the machine (another engineer's tests) shows here and skews every number."""
    import time

    def sample():
        with open("/proc/stat") as handle:
            fields = [int(v) for v in handle.readline().split()[1:]]
        return fields[3] + fields[4], sum(fields)

    try:
        idle0, total0 = sample()
        time.sleep(seconds)
        idle1, total1 = sample()
    except OSError:
        return None
    return round(100.0 * (idle1 - idle0) / max(1, total1 - total0), 1)


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _memory_gb():
    try:
        with open("/proc/meminfo") as handle:
            match = re.search(r"MemTotal:\s+(\d+) kB", handle.read())
        return round(int(match.group(1)) / 1024 / 1024, 1) if match else None
    except OSError:
        return None


def postgres_version(database_url):
    if not database_url.startswith("postgresql"):
        return None
    try:
        import psycopg

        with psycopg.connect(plain_dsn(database_url), connect_timeout=5) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except Exception as error:  # the result file still records why
        return f"unknown ({error.__class__.__name__})"


PG_SETTINGS = ("max_connections", "shared_buffers", "work_mem", "synchronous_commit", "fsync",
               "wal_sync_method", "effective_cache_size", "random_page_cost", "jit")


def postgres_settings(database_url):
    if not database_url.startswith("postgresql"):
        return None
    try:
        import psycopg

        with psycopg.connect(plain_dsn(database_url), connect_timeout=5) as conn:
            rows = conn.execute("SELECT name, setting, unit FROM pg_settings WHERE name = ANY(%s)",
                                (list(PG_SETTINGS),)).fetchall()
        return {name: f"{setting}{' ' + unit if unit else ''}" for name, setting, unit in rows}
    except Exception as error:
        return f"unknown ({error.__class__.__name__})"


def plain_dsn(database_url):
    """SQLAlchemy URL -> libpq URL: postgresql+psycopg://... -> postgresql://..."""
    return re.sub(r"^postgresql\+\w+://", "postgresql://", database_url)


def git_commit():
    def run(*args):
        return subprocess.run(["git", *args], cwd=REPO_DIR, capture_output=True, text=True).stdout.strip()

    commit = run("rev-parse", "HEAD") or None
    return {"commit": commit, "branch": run("rev-parse", "--abbrev-ref", "HEAD") or None,
            "dirty": bool(run("status", "--porcelain", "--untracked-files=no"))}


def build_result(name, settings, numbers, *, database_url=None, notes=None):
    return {
        "format": RESULT_FORMAT,
        "benchmark": name,
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "git": git_commit(),
        "machine": machine_info(database_url),
        "settings": settings,
        "results": numbers,
        "notes": notes or [],
    }


def write_result(result, directory=RESULTS_DIR):
    os.makedirs(directory, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = os.path.join(directory, f"{result['benchmark']}-{stamp}.json")
    with open(path + ".tmp", "w") as handle:
        json.dump(result, handle, indent=2, sort_keys=False, default=str)
        handle.write("\n")
    os.replace(path + ".tmp", path)
    return path
