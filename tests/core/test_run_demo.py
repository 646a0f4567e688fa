"""``make run``'s supervisor (scripts/run_demo.py): jobs every interval beside the server, and
nothing left running once either the server, a signal or make itself ends it."""
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "run_demo.py"

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads process states from /proc")


def _alive(pid: int) -> bool:
    try:
        state = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")  # a zombie has stopped; only its exit status is left


def _wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def _pids(path: pathlib.Path) -> list[int]:
    return [int(line) for line in path.read_text().split()] if path.exists() else []


@pytest.fixture
def fakes(tmp_path):
    """A fake server (writes its pid, sleeps, exits with the status given) and a fake jobs command
    (appends its pid to a file on every run, then sleeps as long as told)."""
    server_pids, job_pids = tmp_path / "server.pids", tmp_path / "job.pids"
    stub = ("import os, sys, time\nopen(sys.argv[1], 'a').write(f'{os.getpid()}\\n')\n"
            "time.sleep(float(sys.argv[2]))\nsys.exit(int(sys.argv[3]))\n")
    (tmp_path / "stub.py").write_text(stub)

    def server(seconds=60, status=0):
        return [sys.executable, str(tmp_path / "stub.py"), str(server_pids), str(seconds), str(status)]

    def jobs(seconds=0):
        return f"{sys.executable} {tmp_path / 'stub.py'} {job_pids} {seconds} 0"

    return server, jobs, server_pids, job_pids


def _supervisor(server_cmd, jobs_cmd, every=0.2, **popen):
    return subprocess.Popen([sys.executable, str(SCRIPT), "--every", str(every), "--jobs", jobs_cmd, "--",
                             *server_cmd], **popen)


def test_jobs_run_every_interval_and_stop_when_the_server_exits(fakes):
    server, jobs, server_pids, job_pids = fakes
    supervisor = _supervisor(server(seconds=1.2, status=3), jobs())
    assert supervisor.wait(timeout=30) == 3  # the server's status is make's
    runs = _pids(job_pids)
    assert len(runs) >= 2, runs
    time.sleep(0.6)  # a loop left behind would start another run within an interval
    assert len(_pids(job_pids)) == len(runs)
    assert not any(_alive(pid) for pid in runs + _pids(server_pids))


def test_a_long_jobs_run_is_not_doubled(fakes):
    server, jobs, _server_pids, job_pids = fakes
    supervisor = _supervisor(server(seconds=1.0), jobs(seconds=0.7), every=0.05)
    supervisor.wait(timeout=30)
    assert 1 <= len(_pids(job_pids)) <= 2  # 1 s of server, runs of 0.7 s one after the other


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_stops_the_server_and_a_running_jobs_run(fakes, signum):
    server, jobs, server_pids, job_pids = fakes
    supervisor = _supervisor(server(), jobs(seconds=60))
    assert _wait_for(lambda: _pids(server_pids) and _pids(job_pids))
    supervisor.send_signal(signum)
    assert supervisor.wait(timeout=30) == 128 + signum
    assert not any(_alive(pid) for pid in _pids(server_pids) + _pids(job_pids))


def test_everything_stops_when_its_parent_is_killed(fakes, tmp_path):
    """make killed with SIGKILL passes no signal on: the supervisor notices it was re-parented."""
    server, jobs, server_pids, job_pids = fakes
    parent_code = textwrap.dedent(f"""
        import subprocess, sys, time
        child = subprocess.Popen({[sys.executable, str(SCRIPT), "--every", "0.2", "--jobs", jobs(seconds=60),
                                   "--", *server()]!r})
        print(child.pid, flush=True)
        time.sleep(120)
    """)
    parent = subprocess.Popen([sys.executable, "-c", parent_code], stdout=subprocess.PIPE, text=True)
    supervisor_pid = int(parent.stdout.readline())
    assert _wait_for(lambda: _pids(server_pids) and _pids(job_pids))
    parent.kill()
    parent.wait()
    assert _wait_for(lambda: not _alive(supervisor_pid))
    assert _wait_for(lambda: not any(_alive(pid) for pid in _pids(server_pids) + _pids(job_pids)))


@pytest.fixture
def fake_venv(tmp_path):
    """A venv for the real Makefile whose flask and gunicorn are fakes (nothing is installed):
    flask logs its arguments, gunicorn writes its pid and sleeps."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    venv, bin_ = tmp_path / "venv", tmp_path / "venv" / "bin"
    bin_.mkdir(parents=True)
    log = tmp_path / "flask.log"
    (bin_ / "python").write_text(f'#!/bin/sh\nexec {sys.executable} "$@"\n')  # the real one, venv and all
    (bin_ / "activate").write_text("")
    (bin_ / "flask").write_text(f"#!{sys.executable}\nimport sys\nopen({str(log)!r}, 'a').write(' '.join(sys.argv[1:]) + '\\n')\n")
    (bin_ / "gunicorn").write_text(f"#!{sys.executable}\nimport os, time\nopen({str(tmp_path / 'server.pids')!r}, 'a')"
                                   f".write(f'{{os.getpid()}}\\n')\ntime.sleep(60)\n")
    for name in ("python", "flask", "gunicorn"):
        (bin_ / name).chmod(0o755)
    for stamp in (".installed", ".installed-dev"):  # newer than requirements*.txt: nothing to install
        (venv / stamp).touch()
    return venv, log, tmp_path / "server.pids"


def test_make_run_starts_the_jobs_loop_beside_gunicorn_and_stops_it_with_make(fake_venv):
    venv, flask_log, server_pids = fake_venv
    output = venv.parent / "make.out"
    with output.open("w") as out:
        make = subprocess.Popen(["make", "--no-print-directory", "run", f"VENV={venv}", "JOBS_EVERY=0.2"],
                                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert _wait_for(lambda: flask_log.exists() and flask_log.read_text().count("jobs run-due") >= 2, 60), \
            output.read_text()
        lines = flask_log.read_text().splitlines()
        assert lines[:2] == ["db upgrade", "demo load"]
        make.terminate()  # what `kill <make>` does: make passes SIGTERM to the recipe
        assert make.wait(timeout=30) != 0
        assert not any(_alive(pid) for pid in _pids(server_pids))
        ran = flask_log.read_text().count("jobs run-due")
        time.sleep(1.0)  # five intervals: a loop left behind would have run again
        assert flask_log.read_text().count("jobs run-due") == ran
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
