"""The load generator: asyncio + httpx, run in other processes than the caller (and the server).

``run_load(base_url, plans, max_requests=..., max_seconds=...)`` starts ``processes`` child
processes (spawn), hands each a share of the client plans, and returns every request's sample.
Every run is bounded twice: by the total number of requests and by wall-clock seconds; a child
that overstays ``max_seconds + grace`` is terminated. Nothing here loops forever.

A *plan* is one simulated client: an object (picklable, so define its class at module level)
with ``async setup(client)`` (not measured: log in, open the connection) and
``next_request(n) -> Request | None`` (n = requests this client has sent; None = done).
Each client owns one connection and its own cookies. Two transports: ``raw`` (default,
bench/rawhttp.py: lean, so the client leaves the CPU to the server) and ``httpx``
(httpx.AsyncClient, one connection a client); both expose request/get/post and a cookie jar.
"""
import asyncio
import multiprocessing
import os
import queue
import random
import resource
import time
from dataclasses import dataclass, field

SERVER_TIME_HEADER = "X-Bench-Server-Ms"
QUERY_COUNT_HEADER = "X-Query-Count"


@dataclass
class Request:
    method: str
    path: str
    headers: dict | None = None
    json: object = None
    data: dict | None = None
    label: str = "default"


class Plan:
    """Base plan: no setup; subclasses say what to send."""

    warmup_path: str | None = None  # a GET sent once before the start, to open the connection
    think_s: float = 0.0  # pause after each answer (a person reading the page); 0 = closed loop

    async def setup(self, client):
        if self.warmup_path:
            await client.get(self.warmup_path)

    def next_request(self, n):
        raise NotImplementedError


class RepeatPlan(Plan):
    """Send the same request until the run's bounds stop it."""

    def __init__(self, request, warmup_path=None, think_s=0.0):
        self.request = request
        self.warmup_path = warmup_path
        self.think_s = think_s

    def next_request(self, n):
        return self.request


class ListPlan(Plan):
    """Send each request of a list once, in order (e.g. distinct slots for one client)."""

    def __init__(self, requests, warmup_path=None):
        self.requests = list(requests)
        self.warmup_path = warmup_path

    def next_request(self, n):
        return self.requests[n] if n < len(self.requests) else None


class CyclePlan(ListPlan):
    """Send a list of requests round and round (e.g. the pages of a resident's visit)."""

    def next_request(self, n):
        return self.requests[n % len(self.requests)] if self.requests else None


@dataclass
class LoadResult:
    samples: list = field(default_factory=list)
    elapsed_s: float = 0.0
    client_cpu_s: float = 0.0
    setup_errors: list = field(default_factory=list)
    timed_out: bool = False


def run_load(base_url, plans, *, max_requests, max_seconds, processes=1, start_together=False,
             timeout_s=30.0, grace_s=30.0, transport="raw"):
    """Run plans against base_url in ``processes`` child processes; return a LoadResult.

    start_together: every client finishes setup, then all start at one barrier (contention).
    """
    if not plans:
        return LoadResult()
    processes = max(1, min(processes, len(plans)))
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    barrier = ctx.Barrier(processes)
    shares = [plans[i::processes] for i in range(processes)]
    budgets = _split(max_requests, [len(s) for s in shares])
    children = [
        ctx.Process(target=_child_main, daemon=True,
                    args=(base_url, share, budget, max_seconds, start_together, timeout_s, barrier,
                          results, transport))
        for share, budget in zip(shares, budgets)
    ]
    for child in children:
        child.start()
    deadline = time.monotonic() + max_seconds + grace_s + 60  # setup time included
    collected, timed_out = [], False
    while len(collected) < len(children):
        try:
            collected.append(results.get(timeout=max(0.1, deadline - time.monotonic())))
        except queue.Empty:
            timed_out = True
            break
    for child in children:
        child.join(timeout=5)
        if child.is_alive():
            child.terminate()
            child.join(timeout=5)
    return _merge(collected, timed_out)


def _split(total, sizes):
    """Split a request budget across processes in proportion to their client counts."""
    whole = sum(sizes)
    budgets = [total * size // whole for size in sizes]
    budgets[0] += total - sum(budgets)
    return budgets


def _merge(collected, timed_out):
    result = LoadResult(timed_out=timed_out)
    starts, ends = [], []
    for part in collected:
        result.timed_out = result.timed_out or part["timed_out"]
        result.samples.extend(part["samples"])
        result.client_cpu_s += part["cpu_s"]
        result.setup_errors.extend(part["setup_errors"])
        if part["started"] is not None:
            starts.append(part["started"])
            ends.append(part["ended"])
    if starts:
        result.elapsed_s = max(ends) - min(starts)
    return result


def _header(response, name):
    """A response header by name: the raw client keeps names lower-cased, httpx in any case."""
    return response.headers.get(name.lower())


def _child_main(base_url, plans, budget, max_seconds, start_together, timeout_s, barrier, results,
                transport):
    cpu_before = _cpu_seconds()
    try:
        part = asyncio.run(_drive(base_url, plans, budget, max_seconds, start_together, timeout_s,
                                  barrier, transport))
    except BaseException as error:  # report instead of leaving the parent waiting
        part = {"samples": [], "started": None, "ended": None, "timed_out": False,
                "setup_errors": [f"load process failed: {error!r}"]}
    part["cpu_s"] = _cpu_seconds() - cpu_before
    results.put(part)


def _cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def make_client(base_url, timeout_s, transport):
    if transport == "httpx":
        import httpx

        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        return httpx.AsyncClient(base_url=base_url, limits=limits, timeout=timeout_s)
    from bench.rawhttp import RawClient

    return RawClient(base_url, timeout=timeout_s)


async def _drive(base_url, plans, budget, max_seconds, start_together, timeout_s, barrier, transport):
    clients = [make_client(base_url, timeout_s, transport) for _ in plans]
    setup_errors = []
    state = {"sent": 0, "budget": budget}
    samples = []
    try:
        setups = await asyncio.gather(*(plan.setup(client) for plan, client in zip(plans, clients)),
                                      return_exceptions=True)
        setup_errors = [repr(error) for error in setups if isinstance(error, BaseException)]
        if start_together:
            await asyncio.get_running_loop().run_in_executor(None, barrier.wait, 120)
        started = time.monotonic()
        deadline = started + max_seconds
        timed_out = False
        try:
            await asyncio.wait_for(
                asyncio.gather(*(_client_loop(plan, client, state, deadline, samples, started)
                                 for plan, client in zip(plans, clients))),
                timeout=max_seconds + timeout_s)
        except asyncio.TimeoutError:
            timed_out = True
        ended = time.monotonic()
    finally:
        await asyncio.gather(*(client.aclose() for client in clients), return_exceptions=True)
    return {"samples": samples, "started": started, "ended": ended, "setup_errors": setup_errors,
            "timed_out": timed_out, "pid": os.getpid()}


def add_think_argument(parser, reader="user", reads="page"):
    """``--think-ms``, the same for every benchmark of people: how long each one reads an answer."""
    parser.add_argument("--think-ms", type=float, default=0,
                        help=f"each {reader} pauses about this long (+-50 %%) after each {reads}, and "
                             f"starts after a random share of it; 0 (default): closed loop, every "
                             f"{reader} asks again at once, the hardest reading of '32 clients'")


def first_pause_s(plan, pauses):
    """How long a client that reads waits before its first request: a share of one think time, so
    32 readers do not all send their first request at the same instant (that burst is a closed-loop
    round, and with one request a client a second it was a tenth of a 10 s step's samples: the p95).
    Closed-loop clients (think_s 0) start at once."""
    return plan.think_s * pauses.random() if plan.think_s else 0.0


async def _client_loop(plan, client, state, deadline, samples, started):
    n = 0
    pauses = random.Random(id(plan))  # think times spread +-50 % so clients do not march in step
    if plan.think_s:
        await asyncio.sleep(min(first_pause_s(plan, pauses), max(0.0, deadline - time.monotonic())))
    while state["sent"] < state["budget"] and time.monotonic() < deadline:
        request = plan.next_request(n)
        if request is None:
            return
        state["sent"] += 1
        n += 1
        samples.append(await _send(client, request, started))
        if plan.think_s:
            await asyncio.sleep(min(plan.think_s * pauses.uniform(0.5, 1.5), max(0.0, deadline - time.monotonic())))


async def _send(client, request, started):
    begin = time.perf_counter()
    sample = {"label": request.label, "t": round(time.monotonic() - started, 4)}
    try:
        response = await client.request(request.method, request.path, headers=request.headers,
                                        json=request.json, data=request.data)
        body = response.content
        sample.update(status=response.status_code, bytes=len(body),
                      server_ms=_float(_header(response, SERVER_TIME_HEADER)),
                      queries=_int(_header(response, QUERY_COUNT_HEADER)))
        if response.status_code >= 500 or response.status_code in (409, 422):
            sample["detail"] = body[:200].decode("utf-8", "replace")
    except Exception as error:  # timeouts, refused connections: status 0, named
        sample.update(status=0, bytes=None, error=error.__class__.__name__)
    sample["latency_s"] = time.perf_counter() - begin
    return sample


def _float(text):
    return float(text) if text else None


def _int(text):
    return int(text) if text else None
