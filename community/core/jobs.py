"""Background jobs: idempotent functions registered by each domain, run by ``flask jobs run-due``.

cron or a systemd timer calls run-due every minute; each job remembers when it last ran and runs
again once its interval has passed. On PostgreSQL an advisory lock keeps two nodes from running the
same job at once. Each job is its own unit of work: it commits once, or rolls back on error.
"""
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.orm import Mapped, mapped_column

from community.core.clock import now
from community.core.registry import Registry, owner_of
from community.extensions import db


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[], object]
    every: timedelta


_registry: Registry = Registry("job")


def job(name: str, every: timedelta):
    """Register ``func`` as a job named ``name`` that is due every ``every`` (once per name: the
    same function registering again replaces itself, another function under the name is an error)."""

    def decorator(func):
        _registry.add(name, Job(name, func, every), owner=owner_of(func))
        return func

    return decorator


def registered() -> dict[str, Job]:
    return dict(_registry)


class JobRun(db.Model):
    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    last_started_at: Mapped[datetime | None]
    last_finished_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)


def _advisory_lock(name) -> bool:
    if db.engine.dialect.name != "postgresql":
        return True
    key = zlib.crc32(f"job:{name}".encode())
    return bool(db.session.execute(sa.text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}).scalar())


def _is_due(run: "JobRun | None", job_: Job, at: datetime) -> bool:
    return run is None or run.last_started_at is None or run.last_started_at + job_.every <= at


def run_job(job_: Job, *, force=False):
    """Run one job in its own transaction; returns what the job returned (None when skipped).

    Under the lock the job's last start is read again: another node may have run it between our
    look at what is due and the lock (the lock ends with that node's commit, not with the interval)."""
    if not _advisory_lock(job_.name):
        return None
    run = db.session.get(JobRun, job_.name, populate_existing=True)
    if not force and not _is_due(run, job_, now()):
        db.session.commit()
        return None
    run = run or JobRun(name=job_.name)
    db.session.add(run)
    run.last_started_at = now()
    try:
        result = job_.func()
        run.last_finished_at = now()
        run.last_error = None
        db.session.commit()
        return result
    except Exception as exc:  # a failed job must not stop the others
        db.session.rollback()
        current_app.logger.exception("job %s failed", job_.name)
        run = db.session.get(JobRun, job_.name) or JobRun(name=job_.name)
        db.session.add(run)
        run.last_error = repr(exc)[:2000]
        db.session.commit()
        raise


@dataclass(frozen=True)
class JobStatus:
    """A registered job and what its last run left, for the operator's jobs page."""

    job: Job
    last_started_at: datetime | None
    last_finished_at: datetime | None
    last_error: str | None
    due: bool

    @property
    def duration(self) -> timedelta | None:
        """How long the last successful run took. A failed run is rolled back, its start with it
        (so it is retried at the next run-due); only its error is kept."""
        if self.last_started_at and self.last_finished_at and self.last_finished_at >= self.last_started_at:
            return self.last_finished_at - self.last_started_at
        return None

    @property
    def next_due_at(self) -> datetime | None:
        """When the job falls due again; None for a job that never ran (it is due now)."""
        return self.last_started_at + self.job.every if self.last_started_at else None


def job_statuses(at: datetime) -> list[JobStatus]:
    """Every registered job, by name, with its last run (one query)."""
    runs = {r.name: r for r in db.session.scalars(sa.select(JobRun))}
    statuses = []
    for job_ in sorted(_registry.values(), key=lambda j: j.name):
        run = runs.get(job_.name)
        statuses.append(JobStatus(job_, run and run.last_started_at, run and run.last_finished_at,
                                  run and run.last_error, _is_due(run, job_, at)))
    return statuses


def due_jobs(at: datetime) -> list[Job]:
    runs = {r.name: r for r in db.session.scalars(sa.select(JobRun))}
    return [job_ for job_ in _registry.values() if _is_due(runs.get(job_.name), job_, at)]


jobs_cli = AppGroup("jobs", help="Run background jobs.")


@jobs_cli.command("run-due")
def run_due_command():
    """Run every job whose interval has passed (call this every minute from cron)."""
    failures = 0
    for job_ in due_jobs(now()):
        try:
            result = run_job(job_)
            click.echo(f"{job_.name}: {result}")
        except Exception as exc:
            failures += 1
            click.echo(f"{job_.name}: FAILED {exc!r}", err=True)
    if failures:
        raise SystemExit(1)


@jobs_cli.command("run")
@click.argument("name")
def run_command(name):
    """Run one job now, whether it is due or not."""
    job_ = _registry.get(name)
    if job_ is None:
        raise click.BadParameter(f"unknown job {name!r}; known: {', '.join(sorted(_registry))}")
    click.echo(f"{name}: {run_job(job_, force=True)}")


@jobs_cli.command("list")
def list_command():
    for job_ in sorted(_registry.values(), key=lambda j: j.name):
        click.echo(f"{job_.name}\tevery {job_.every}")
