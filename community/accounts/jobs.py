"""Account jobs, run by ``flask jobs run-due``."""
from datetime import timedelta

from community.accounts import throttle
from community.accounts.operations import forget_expired_sessions
from community.core.clock import now
from community.core.jobs import job


@job("accounts-forget-login-failures", every=timedelta(hours=1))
def forget_login_failures_job():
    """Delete failed-login counts past their window: they delay nobody any more."""
    return {"throttles": throttle.forget_stale(now())}


@job("accounts-forget-expired-sessions", every=timedelta(hours=6))
def forget_expired_sessions_job():
    """Delete login sessions past LOGIN_SESSION_LIFETIME: their cookies no longer log anyone in."""
    return {"sessions": forget_expired_sessions(now())}
