"""What every benchmark gets: parsed options, server settings, and helpers to start a server,
run a bounded load, read the pre-issued tokens and talk to the database directly (setup only)."""
import json
import os
from dataclasses import dataclass, field

from bench.loadgen import run_load
from bench.results import REPO_DIR, machine_cpu_seconds, plain_dsn, summarize
from bench.server import GunicornServer, ServerSettings

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/talent_bench"
DEFAULT_TOKENS_FILE = os.path.join(REPO_DIR, "instance", "bench-tokens.json")


@dataclass
class Context:
    args: object
    settings: ServerSettings
    database_url: str
    tokens_file: str = DEFAULT_TOKENS_FILE
    notes: list = field(default_factory=list)

    def server(self, app_spec="bench.wsgi:app", *, name="app", env=None, health_path="/healthz"):
        """A GunicornServer on this run's settings (use it as a context manager)."""
        return GunicornServer(app_spec, self.settings, name=name, health_path=health_path,
                              env={"DATABASE_URL": self.database_url, **(env or {})})

    def load(self, server, plans, *, requests=None, seconds=None, start_together=False):
        """Run plans against a started server, bounded; return (summary dict, LoadResult)."""
        cpu_before, machine_before = server.cpu_seconds(), machine_cpu_seconds()
        result = run_load(server.base_url, plans,
                          max_requests=requests or self.args.requests,
                          max_seconds=seconds or self.args.seconds,
                          processes=self.args.loadgen_procs, start_together=start_together,
                          transport=self.args.client)
        summary = summarize(result.samples, result.elapsed_s)
        summary["clients"] = len(plans)
        summary["server_cpu_s"] = round(server.cpu_seconds() - cpu_before, 2)
        summary["client_cpu_s"] = round(result.client_cpu_s, 2)
        # What else the machine did meanwhile. other = processes that are neither gunicorn nor the
        # load generator: PostgreSQL (ours and anyone's) and any other work on a shared machine, so
        # a high value on floor (a), which has no database, means the numbers are low.
        machine = {k: v - machine_before[k] for k, v in machine_cpu_seconds().items()}
        summary["other_cpu_s"] = round(machine["busy"] - summary["server_cpu_s"]
                                       - summary["client_cpu_s"], 2)
        summary["irq_cpu_s"] = round(machine["irq"], 2)
        summary["steal_cpu_s"] = round(machine["steal"], 2)
        if result.setup_errors:
            summary["setup_errors"] = result.setup_errors[:5]
        if result.timed_out:
            summary["timed_out"] = True
        return summary, result

    def connect(self, **kwargs):
        """A plain psycopg connection to the benchmark database (setup and checks, not load)."""
        import psycopg

        return psycopg.connect(plain_dsn(self.database_url), **kwargs)

    def tokens(self, minimum=1):
        """The clear tokens `flask demo generate` pre-issued: [{user_id, community_id, email, token}]."""
        if not os.path.exists(self.tokens_file):
            raise SystemExit(f"No token file {self.tokens_file}: run `flask demo generate` against "
                             f"{self.database_url} first (see bench/README.md).")
        with open(self.tokens_file) as handle:
            data = json.load(handle)
        if data.get("database") != _without_password(self.database_url):
            raise SystemExit(f"{self.tokens_file} was written for {data.get('database')}, "
                             f"not {self.database_url}: generate again for this database.")
        tokens = data["tokens"]
        if len(tokens) < minimum:
            raise SystemExit(f"This benchmark needs {minimum} tokens; the file has {len(tokens)}. "
                             f"Generate with --tokens {minimum} or more.")
        return tokens


def _without_password(url):
    import re

    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1@", url)
