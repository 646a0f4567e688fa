"""Apartment jobs, run by ``flask jobs run-due``."""
from datetime import timedelta

from community.apartments.notices import send_pending_offers, send_pending_results
from community.apartments.operations.offers import expire_offers, remind_expiring
from community.core.clock import now
from community.core.jobs import job


@job("apartments-offers", every=timedelta(minutes=15))
def offers_job():
    """Close offers past their deadline and pass their units down the waitlist; remind residents
    whose offer closes within a day (once each). Running it twice changes nothing more."""
    at = now()
    return {"expired": expire_offers(at), "reminded": remind_expiring(at)}


@job("apartments-send-offers", every=timedelta(minutes=1))
def send_offers_job():
    """Tell the applicants of an allocated round their result (1,000 a run, in the app) and send
    the offers it made (500 a run, in the app and by e-mail)."""
    return {"results": send_pending_results(), "sent": send_pending_offers()}
