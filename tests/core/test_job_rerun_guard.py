"""A job another node has just run is not run again by a node that saw it due a moment earlier."""
from datetime import datetime, timedelta, timezone

from community.core import clock, jobs
from community.core.jobs import Job, JobRun, due_jobs, run_job


def test_a_job_run_meanwhile_is_skipped_unless_forced(db):
    calls = []
    job = Job("test-guard", lambda: calls.append(1) or "ran", timedelta(minutes=5))
    jobs._registry[job.name] = job
    try:
        start = datetime(2030, 1, 1, 8, 0, tzinfo=timezone.utc)
        clock.freeze(start)
        assert job in due_jobs(start)                     # this node looks: due
        db.session.add(JobRun(name=job.name, last_started_at=start))  # another node runs it meanwhile
        db.session.commit()
        assert run_job(job) is None and calls == []       # under the lock we see it ran: skip
        assert run_job(job, force=True) == "ran" and calls == [1]
        clock.freeze(start + timedelta(minutes=5))
        assert run_job(job) == "ran" and calls == [1, 1]  # due again after its interval
    finally:
        jobs._registry.pop(job.name, None)
