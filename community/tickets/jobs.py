"""Ticket jobs, run by ``flask jobs run-due``; both are idempotent."""
from datetime import timedelta

from community.core.clock import now
from community.core.jobs import job
from community.tickets.operations import auto_close, mark_breaches


@job("tickets-sla-breaches", every=timedelta(minutes=5))
def sla_breaches_job():
    """Mark first-response and resolution targets missed, and escalate each ticket to its
    community's admins once."""
    return mark_breaches(now())


@job("tickets-auto-close", every=timedelta(hours=1))
def auto_close_job():
    """Close tickets resolved 7 days ago that the resident neither confirmed nor reopened."""
    return {"closed": auto_close(now())}
