"""The payer is told once, in their own language: payment received, refunded, failed."""
from community.extensions import db
from community.notifications.models import Notice, OutboxEmail
from community.payments.models import Payment


def test_payment_received_once_in_the_payers_language(client, login, resident, unpaid, stripe_on, deliver,
                                                      pay_online):
    resident.locale = "en"
    db.session.commit()
    payment = db.session.get(Payment, pay_online(resident, unpaid))
    for _ in range(2):
        deliver(stripe_on.complete(payment.stripe_session_id))
    notices = db.session.scalars(db.select(Notice).where(Notice.user_id == resident.id,
                                                         Notice.kind == "payments.received")).all()
    assert len(notices) == 1
    mails = db.session.scalars(db.select(OutboxEmail).where(OutboxEmail.kind == "payments.received")).all()
    assert len(mails) == 1 and "Payment received" in mails[0].subject and "¥30.00" in mails[0].subject
    page = client.get("/notifications").get_data(as_text=True)
    assert "We received your payment of ¥30.00" in page, page[page.find("<main"):][:3000]


def test_chinese_by_default(client, resident, unpaid, stripe_on, pay_online):
    pay_online(resident, unpaid)
    mail = db.session.scalars(db.select(OutboxEmail).where(OutboxEmail.kind == "payments.received")).one()
    assert "已收到" in mail.subject or "收款" in mail.subject
