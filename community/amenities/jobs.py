"""Amenity jobs, run by ``flask jobs run-due``."""
from datetime import timedelta

from community.amenities.operations.attendance import expire_unconfirmed, release_no_shows
from community.core.clock import now
from community.core.jobs import job


@job("amenities-release-no-shows", every=timedelta(minutes=5))
def release_no_shows_job():
    """Free the places of bookings nobody checked in to (counting no-shows and suspending repeat
    offenders), and of bookings still unapproved or unpaid when they start."""
    at = now()
    return {"no_shows": release_no_shows(at), "expired": expire_unconfirmed(at)}
