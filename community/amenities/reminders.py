"""The 1-hour booking reminder job, run by ``flask jobs run-due``."""
from datetime import timedelta

from community.amenities import notices
from community.core.clock import now
from community.core.jobs import job


@job("amenities-reminders", every=timedelta(minutes=5))
def send_reminders_job():
    """Every five minutes: remind residents of confirmed bookings that start within the hour.
    Each booking is reminded once, however often (or however many nodes at once) this runs."""
    return notices.send_reminders(now())
