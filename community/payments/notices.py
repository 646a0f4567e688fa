"""What payers are told: payment received, refunded, failed. Each once per payment or refund (the
notice's dedup key), in the payer's language. (Bill overdue belongs to the rent bills' domain.)"""
from flask_babel import lazy_gettext as _l

from community.notifications.kinds import register_group, register_kind
from community.notifications.operations import notify

PAYMENTS = "payments"
MY_PAYMENTS = "payments.index"
RECEIVED_KIND = "payments.received"
REFUNDED_KIND = "payments.refunded"
FAILED_KIND = "payments.failed"

register_group(PAYMENTS, _l("Payments"), description=_l("Payments received, refunds and failed payments."))
register_kind(RECEIVED_KIND, PAYMENTS, link=MY_PAYMENTS,
              subject=_l("Payment received: %(amount)s"),
              body=_l("We received your payment of %(amount)s for %(title)s. Thank you."))
register_kind(REFUNDED_KIND, PAYMENTS, link=MY_PAYMENTS,
              subject=_l("Refunded: %(amount)s"),
              body=_l("%(amount)s was refunded to you for %(title)s.\nReason: %(reason)s"))
register_kind(FAILED_KIND, PAYMENTS, link=MY_PAYMENTS,
              subject=_l("Payment not completed: %(title)s"),
              body=_l("Your payment of %(amount)s for %(title)s did not go through. Nothing was charged; "
                      "you can try again from My payments."))


def payment_received(payment) -> None:
    notify(payment.payer, RECEIVED_KIND, obj=payment, once=True, link=(MY_PAYMENTS, {}),
           amount=payment_amount(payment), title=payment.title)


def payment_failed(payment) -> None:
    notify(payment.payer, FAILED_KIND, obj=payment, once=True, amount=payment_amount(payment), title=payment.title)


def refunded(refund) -> None:
    payment = refund.payment
    notify(payment.payer, REFUNDED_KIND, obj=refund, once=True, amount=_display(refund.amount_fen, refund.currency),
           title=payment.title, reason=refund.reason or "-")


def payment_amount(payment) -> str:
    return _display(payment.amount_fen, payment.currency)


def _display(fen, currency) -> str:
    from community.core.money import Money

    return Money(fen, currency).display()
