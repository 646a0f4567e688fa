"""The pure pieces of the benchmark harness: percentiles, summaries, the table, the result file,
plan slots and benchmark discovery. No server, no load."""
import json
from datetime import datetime

import pytest

from bench.results import build_result, format_table, percentile, summarize, write_result


def test_percentile_interpolates_between_ranks():
    assert percentile([], 50) is None
    assert percentile([7], 99) == 7
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)
    assert percentile([5, 1, 3], 0) == 1 and percentile([5, 1, 3], 100) == 5


def test_summarize_counts_statuses_and_rates():
    samples = [{"status": 201, "latency_s": 0.010, "server_ms": 4.0, "queries": 6, "bytes": 100}] * 3 + \
              [{"status": 409, "latency_s": 0.020, "bytes": 50}, {"status": 0, "latency_s": 0.5}]
    summary = summarize(samples, 2.0)
    assert summary["requests"] == 5 and summary["ok"] == 3
    assert summary["rps"] == 2.5 and summary["ok_per_s"] == 1.5
    assert summary["statuses"] == {"0": 1, "201": 3, "409": 1}
    assert summary["p50_ms"] == 10.0 and summary["max_ms"] == 500.0
    assert summary["server_p95_ms"] == 4.0 and summary["queries_max"] == 6


def test_table_is_aligned():
    text = format_table([{"name": "floor a", "rps": 1234.5}, {"name": "b", "rps": 3.14159}],
                        [("name", "name"), ("rps", "req/s")])
    lines = text.splitlines()
    assert len({len(line) for line in lines}) == 1
    assert "1234.5" in lines[2] and "3.14" in lines[3]


def test_result_file_shape(tmp_path):
    result = build_result("floors", {"server": {"workers": 2}}, {"a": {"1": {"rps": 1.0}}}, notes=["n"])
    assert {"format", "benchmark", "finished_at", "git", "machine", "settings", "results", "notes"} <= set(result)
    assert {"cpu_model", "cores", "memory_gb", "python"} <= set(result["machine"])
    assert {"commit", "branch", "dirty"} <= set(result["git"])
    path = write_result(result, directory=str(tmp_path))
    assert path.endswith(".json") and path.split("/")[-1].startswith("floors-")
    assert json.loads(open(path).read())["results"]["a"]["1"]["rps"] == 1.0


def test_synthetic_slots_never_overlap():
    from bench.plans import synthetic_slots

    slots = synthetic_slots([[1, 2], [3], [4, 5]], clients=3, per_client=50)
    starts = [datetime.fromisoformat(start) for client in slots for _, start, _ in client]
    assert len(starts) == len(set(starts)) == 150
    assert {rid for rid, _, _ in slots[1]} == {3}


def test_benchmarks_are_discovered():
    from bench.__main__ import discover

    found = discover()
    assert {"floors", "booking_throughput", "contention", "availability", "pages"} <= set(found)
    assert all(callable(module.run) and module.DESCRIPTION for module in found.values())


def test_server_headers_are_read_from_either_client():
    """The raw client lower-cases header names; the server time and query count must still be read."""
    import httpx

    from bench.loadgen import QUERY_COUNT_HEADER, SERVER_TIME_HEADER, _header
    from bench.rawhttp import Response

    raw = Response(200, {"x-bench-server-ms": "3.5", "x-query-count": "7"}, b"")
    assert _header(raw, SERVER_TIME_HEADER) == "3.5" and _header(raw, QUERY_COUNT_HEADER) == "7"
    viahttpx = httpx.Response(200, headers={"X-Bench-Server-Ms": "1.0"})
    assert _header(viahttpx, SERVER_TIME_HEADER) == "1.0"


def test_perks_benchmark_takes_its_own_world_and_the_profile_its_paths():
    import argparse

    from bench import profile
    from bench.benchmarks import perks

    parser = argparse.ArgumentParser()
    perks.add_arguments(parser)
    args = parser.parse_args(["--world", "own", "--residents", "300", "--total", "100"])
    assert (args.world, args.residents, args.total, args.clients, args.counters) == ("own", 300, 100, 64, 16)
    with pytest.raises(SystemExit):
        parser.parse_args(["--world", "elsewhere"])
    assert {"claim", "redeem", "me"} <= set(profile.PATHS)
    world = {"community_id": 1, "tokens": [{"user_id": n, "token": f"t{n}"} for n in range(20)]}
    scenario = profile.Scenario.__new__(profile.Scenario)
    scenario.tokens, scenario.merchant_ids = world, []
    me = scenario.perks_requests("me", 4)  # distinct residents, never the staff tokens at the end
    assert [r[2]["headers"]["Authorization"] for r in me] == [f"Bearer t{n}" for n in range(4)]
    with pytest.raises(SystemExit):
        scenario.perks_requests("claim", 5)  # 20 tokens - 16 staff = 4 residents


def test_access_log_lines_are_summarised_per_worker():
    from bench.accesslog import parse_line, summarize

    lines = ["<101> 12000 10.500 GET /api/v1/me 200\n", "<101> 30000 20.000 GET /api/v1/me 200\n",
             "<102> 5000 4.000 POST /api/v1/bookings 201\n",
             "<102> 2152 - GET /healthz 200\n",  # no app time: not a bench request
             "garbage\n"]
    records = [record for record in map(parse_line, lines) if record]
    assert [record["worker"] for record in records] == ["101", "101", "102"]
    rows = {row["worker"]: row for row in summarize(records)}
    assert rows["101"]["requests"] == 2 and rows["102"]["requests"] == 1
    assert rows["101"]["thread_seconds"] == 0.04
    assert rows["102"]["gunicorn_p50_ms"] == 5.0 and rows["102"]["app_p50_ms"] == 4.0
    assert rows["all"]["requests"] == 3 and rows["all"]["thread_seconds"] == 0.05
    assert rows["102"]["after_app_p95_ms"] == 1.0


def test_the_server_writes_an_access_log_only_when_asked():
    from bench.server import GunicornServer, ServerSettings

    quiet = GunicornServer("bench.wsgi:app", ServerSettings())
    assert "--access-logfile" not in quiet.command()
    logged = GunicornServer("bench.wsgi:app", ServerSettings(access_log=True))
    logged.access_log_path = "/tmp/x.access.log"
    command = logged.command()
    assert command[command.index("--access-logfile") + 1] == "/tmp/x.access.log"


def test_readers_start_spread_over_one_think_time_and_closed_loop_clients_at_once():
    import random

    from bench.loadgen import RepeatPlan, Request, first_pause_s

    reader = RepeatPlan(Request("GET", "/"), think_s=1.0)
    pauses = [first_pause_s(reader, random.Random(seed)) for seed in range(32)]
    assert all(0 <= pause < 1.0 for pause in pauses)
    assert max(pauses) - min(pauses) > 0.5  # spread, not one burst
    assert first_pause_s(RepeatPlan(Request("GET", "/")), random.Random(1)) == 0.0


def test_every_benchmark_of_people_takes_the_same_think_option():
    import argparse

    from bench.__main__ import discover

    for name in ("pages", "tickets", "apartments_eligibility", "leases"):
        parser = argparse.ArgumentParser()
        discover()[name].add_arguments(parser)
        assert parser.parse_args(["--think-ms", "1000"]).think_ms == 1000.0
        assert parser.parse_args([]).think_ms == 0
        assert "random share" in parser.format_help()
