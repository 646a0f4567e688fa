"""Start gunicorn on a free loopback port with stated settings, wait until it answers, stop it.

    with GunicornServer("bench.wsgi:app", settings, env={"DATABASE_URL": url}) as server:
        run_load(server.base_url, ...)

The server's stderr (gunicorn's error log and the app's log) goes to bench/results/logs/.
No access log is written unless the settings ask for one (``--access-log``): it costs the server
time the real deployment may spend elsewhere. When asked, it is written beside the error log in
bench.accesslog's format (the worker, gunicorn's own time for the request, the app's) so
``python -m bench.accesslog <file>`` can tell waiting for a worker thread from the handling itself.
"""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from bench.accesslog import ACCESS_LOG_FORMAT
from bench.results import REPO_DIR, RESULTS_DIR

LOG_DIR = os.path.join(RESULTS_DIR, "logs")


@dataclass
class ServerSettings:
    # 2 cores: one process a core, threads to overlap database waits (bench/README.md, "Settings").
    workers: int = 2
    worker_class: str = "gthread"
    threads: int = 4
    timeout: int = 30
    keepalive: int = 5
    app_config: str = "default"
    access_log: bool = False

    def as_dict(self):
        return asdict(self)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class GunicornServer:
    def __init__(self, app_spec, settings, *, env=None, health_path="/healthz", name="server",
                 startup_timeout_s=60):
        self.app_spec = app_spec
        self.settings = settings
        self.env = env or {}
        self.health_path = health_path
        self.name = name
        self.startup_timeout_s = startup_timeout_s
        self.port = None
        self.process = None
        self.log_path = None
        self.access_log_path = None

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def command(self):
        s = self.settings
        return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(s.workers), "--worker-class", s.worker_class,
                "--threads", str(s.threads), "--timeout", str(s.timeout),
                "--keep-alive", str(s.keepalive), "--error-logfile", "-", "--log-level", "warning",
                *self._access_log_args(), self.app_spec]

    def _access_log_args(self):
        if not self.access_log_path:
            return []
        return ["--access-logfile", self.access_log_path, "--access-logformat", ACCESS_LOG_FORMAT]

    def start(self):
        self.port = free_port()
        os.makedirs(LOG_DIR, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        self.log_path = os.path.join(LOG_DIR, f"{self.name}-{stamp}-{self.port}.log")
        if self.settings.access_log:
            self.access_log_path = self.log_path[:-len(".log")] + ".access.log"
        env = dict(os.environ, APP_CONFIG=self.settings.app_config, PYTHONPATH=REPO_DIR,
                   **self.env)
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(self.command(), cwd=REPO_DIR, env=env, stdout=self._log,
                                        stderr=subprocess.STDOUT)
        self._wait_ready()
        return self

    def _wait_ready(self):
        deadline = time.monotonic() + self.startup_timeout_s
        url = self.base_url + self.health_path
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}:\n"
                                   + self.log_tail())
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status < 500:
                        return
            except Exception:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer {url} within {self.startup_timeout_s} s; "
                           f"see {self.log_path}")

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # graceful: workers finish their request
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self._log.close()
        if self.access_log_path:
            print(f"access log of {self.name}: python -m bench.accesslog {self.access_log_path}",
                  file=sys.stderr)

    def cpu_seconds(self):
        """CPU time (user + system) of the gunicorn master and its workers so far, from /proc."""
        if self.process is None:
            return None
        pids = [self.process.pid] + _children(self.process.pid)
        return round(sum(_proc_cpu(pid) for pid in pids), 3)

    def log_tail(self, lines=30):
        try:
            with open(self.log_path, "rb") as handle:
                return b"".join(handle.readlines()[-lines:]).decode("utf-8", "replace")
        except OSError:
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _children(parent):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == parent:
                    found.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return found


def _proc_cpu(pid):
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0
