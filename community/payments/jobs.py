"""Payment jobs, run by ``flask jobs run-due``; each is idempotent."""
from datetime import timedelta

from community.core.jobs import job
from community.payments.operations import expire_stale_checkouts, submit_pending_refunds


@job("payments-submit-refunds", every=timedelta(minutes=5))
def submit_refunds_job():
    """Online refunds Stripe has not acknowledged yet (it was unreachable) are sent again, with
    the same idempotency key."""
    return {"submitted": submit_pending_refunds()}


@job("payments-expire-checkouts", every=timedelta(hours=1))
def expire_checkouts_job():
    """Checkout Sessions past their lifetime stop being offered."""
    return {"expired": expire_stale_checkouts()}
