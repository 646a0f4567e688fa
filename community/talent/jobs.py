"""Talent jobs, run by ``flask jobs run-due``; each is idempotent (run twice, nothing changes)."""
from datetime import timedelta

from community.core.jobs import job
from community.talent.operations.registry import enter_after_notice, lapse_expired, open_rereviews


@job("talent-enter-after-notice", every=timedelta(hours=1))
def enter_after_notice_job():
    """Enter the talents whose public notice ended without an open objection (建库颁证)."""
    return {"entered": enter_after_notice()}


@job("talent-rereview", every=timedelta(hours=6))
def rereview_job():
    """Open the yearly re-review 30 days before valid-until, and lapse tiers the day after it."""
    return {"opened": open_rereviews(), "lapsed": lapse_expired()}
