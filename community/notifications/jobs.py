from datetime import timedelta

from community.core.jobs import job
from community.extensions import db
from community.notifications.operations import next_pending, send_one

BATCH = 200


@job("send-outbox", every=timedelta(minutes=1))
def send_outbox():
    """Each e-mail is its own unit of work: once it has left, its "sent" mark is committed at
    once, so a failure later in the batch (or a crash) never sends it a second time."""
    sent, tried = 0, []
    for _ in range(BATCH):
        message = next_pending(tried)
        if message is None:
            break
        tried.append(message.id)
        sent += send_one(message)
        db.session.commit()
    return sent
