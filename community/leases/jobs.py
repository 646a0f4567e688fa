"""Lease jobs, run by ``flask jobs run-due``; each is idempotent."""
from datetime import timedelta

from community.core.clock import now
from community.core.jobs import job
from community.extensions import db
from community.leases.operations import issue_bills, mark_overdue, notify_new_bills, remind_ending


@job("leases-issue-bills", every=timedelta(hours=1))
def issue_bills_job():
    """Issue the month's bill of every active lease on its payment day (once: a unique key). It
    commits after each chunk of leases (operations.bills.CHUNK): a crash leaves whole bills with
    their charges, and the next run issues the rest."""
    return {"issued": issue_bills(now(), after_chunk=db.session.commit)}


@job("leases-bill-notices", every=timedelta(minutes=5))
def bill_notices_job():
    """Tell residents of their new bills, NOTIFY_BATCH a run (about 7 s: a month's 100,000 bills are
    told in 20 runs, bench/README.md)."""
    return {"notified": notify_new_bills(now())}


@job("leases-overdue-bills", every=timedelta(hours=1))
def overdue_job():
    """Open bills past their due day become overdue."""
    return {"overdue": mark_overdue(now())}


@job("leases-ending-reminders", every=timedelta(hours=6))
def ending_job():
    """Remind residents whose lease ends within 60 days (once a lease)."""
    return {"reminded": remind_ending(now())}
