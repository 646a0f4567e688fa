"""Account jobs, run by ``flask jobs run-due``."""
from datetime import timedelta

from community.accounts import throttle
from community.core.clock import now
from community.core.jobs import job


@job("accounts-forget-login-failures", every=timedelta(hours=1))
def forget_login_failures_job():
    """Delete failed-login counts past their window: they delay nobody any more."""
    return {"throttles": throttle.forget_stale(now())}
