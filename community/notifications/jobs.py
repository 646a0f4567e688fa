"""The send-outbox job."""
from datetime import timedelta

from community.core.jobs import job
from community.extensions import db
from community.notifications.operations import claim_next, send_one

BATCH = 200


@job("send-outbox", every=timedelta(minutes=1))
def send_outbox():
    """Each e-mail is its own unit of work: its claim is committed before the mail server is
    reached, and its "sent" mark right after, so neither a second sender running at the same time
    nor a failure later in the batch sends it twice. Returns how many e-mails left."""
    sent, tried = 0, []
    for _ in range(BATCH):
        message = claim_next(tried)
        db.session.commit()
        if message is None:
            break
        tried.append(message.id)
        sent += send_one(message)
        db.session.commit()
    return sent
