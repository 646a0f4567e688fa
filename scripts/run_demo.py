"""``make run``: the web server, and beside it ``flask jobs run-due`` every minute, as cron does in
production, so no-shows are released and e-mails leave in the demo too.

    python scripts/run_demo.py [--every 60] [--jobs "flask jobs run-due"] -- gunicorn ... wsgi:app

Both stop together, and nothing is left behind:
- when the server exits, the loop stops (and a jobs run still going is stopped);
- Ctrl-C (SIGINT to the whole foreground group), SIGTERM (what make forwards when it is
  terminated) or SIGHUP (the terminal closed) stop the server and the loop;
- when the process that started us dies without passing a signal on (make killed with SIGKILL),
  we are re-parented, notice within a poll, and stop everything.
A jobs run that outlasts the interval is not doubled: the next one starts when it has finished.
"""
import argparse
import os
import shlex
import signal
import subprocess
import sys
import time

POLL_SECONDS = 0.5
STOP_GRACE_SECONDS = 10  # after SIGTERM, before SIGKILL
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Stop(Exception):
    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def log(message):
    print(f"run_demo: {message}", file=sys.stderr, flush=True)


def _raise_stop(signum, _frame):
    raise Stop(signum)


def supervise(server_cmd, jobs_cmd, every, *, poll=POLL_SECONDS, grace=STOP_GRACE_SECONDS) -> int:
    """Run ``server_cmd`` and, every ``every`` seconds while it runs, ``jobs_cmd``; returns the
    server's exit status (128 + the signal when we were told to stop)."""
    parent = os.getppid()
    poll = min(poll, every)
    for signum in STOP_SIGNALS:
        signal.signal(signum, _raise_stop)
    server = jobs = None
    try:
        server = subprocess.Popen(server_cmd)
        next_run = time.monotonic()
        while True:
            if server.poll() is not None:
                log(f"the server exited ({server.returncode}); stopping the jobs loop")
                return server.returncode
            if os.getppid() != parent:
                log("the process that started us is gone; stopping")
                return 1
            jobs = _reap(jobs, jobs_cmd)
            if jobs is None and time.monotonic() >= next_run:
                jobs = subprocess.Popen(jobs_cmd)
                next_run = time.monotonic() + every
            time.sleep(poll)
    except Stop as stop:
        return 128 + stop.signum
    finally:
        for signum in STOP_SIGNALS:  # a second Ctrl-C must not cut the clean-up short
            signal.signal(signum, signal.SIG_IGN)
        _stop([p for p in (jobs, server) if p is not None], grace)


def _reap(jobs, jobs_cmd):
    """None once the jobs run has finished (saying so when it failed), else the running process."""
    if jobs is None or jobs.poll() is None:
        return jobs
    if jobs.returncode:
        log(f"`{shlex.join(jobs_cmd)}` exited with {jobs.returncode}")
    return None


def _stop(processes, grace):
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log(f"pid {process.pid} did not stop in {grace} s; killing it")
            process.kill()
            process.wait()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--every", type=float, default=60.0, help="seconds between jobs runs (default 60)")
    parser.add_argument("--jobs", default="flask jobs run-due", help="the jobs command (default: %(default)s)")
    parser.add_argument("server", nargs=argparse.REMAINDER, help="the server command, after --")
    args = parser.parse_args(argv)
    server = args.server[1:] if args.server[:1] == ["--"] else args.server
    if not server:
        parser.error("give the server command after --")
    return supervise(server, shlex.split(args.jobs), args.every)


if __name__ == "__main__":
    sys.exit(main())
