from datetime import timedelta

from community.core.jobs import job
from community.notifications.operations import send_pending


@job("send-outbox", every=timedelta(minutes=1))
def send_outbox():
    return send_pending()
