"""Display names for the audit entries payments operations write (see core.labels)."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from community.core.labels import register_audit_labels
from community.core.money import Money
from community.payments.presentation import method_label, problem_label


def amount_text(value, details):
    try:
        return Money(int(value), details.get("currency") or "CNY").display()
    except (TypeError, ValueError):
        return str(value)


def said_elsewhere(value):
    return None


register_audit_labels(
    "payments", label=_l("Payments"),
    actions={
        "payment.checkout_opened": _l("Online payment started"),
        "payment.recorded_offline": _l("Offline payment recorded"),
        "payment.reversed": _l("Payment reversed"),
        "payment.refund_opened": _l("Refund started"),
        "payment.refunded": _l("Refund completed"),
        "payment.problem_resolved": _l("Payment problem resolved"),
    },
    objects={
        "Payment": lazy_pgettext("payments", "Payment"),
        "PaymentProblem": lazy_pgettext("payments", "Payment problem"),
        "Refund": lazy_pgettext("payments", "Refund"),
    },
    details={
        "payable": lazy_pgettext("payments", "For"),
        "amount": lazy_pgettext("payments", "Amount"),
        "currency": lazy_pgettext("payments", "Currency"),
        "method": lazy_pgettext("payments", "Paid by"),
        "reference": lazy_pgettext("payments", "Reference"),
        "reason": lazy_pgettext("payments", "Reason"),
        "refund_id": lazy_pgettext("payments", "Refund"),
        "code": lazy_pgettext("payments", "Problem"),
        "resolution": lazy_pgettext("payments", "What was done"),
    },
    values={"amount": amount_text, "currency": said_elsewhere, "method": method_label, "code": problem_label},
)
