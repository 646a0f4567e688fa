"""Display names for payment codes and the helpers payment templates (and a domain's pay prompt)
use. Labels are translated in the "payments" contexts: the catalogs of all domains are merged."""
from flask_babel import format_datetime, lazy_pgettext

from community.payments import gateway
from community.payments.models import (
    AMOUNT_MISMATCH, BANK_TRANSFER, CASH, CURRENCY_MISMATCH, EXPIRED, FAILED, NOT_OPEN, OPEN, PAID, POS,
    REFUND_FAILED, REFUND_PENDING, REFUND_REFUSED, REFUND_SUCCEEDED, REVERSED, STRIPE, SURPLUS, UNKNOWN_SESSION,
)

METHOD_LABELS = {
    STRIPE: lazy_pgettext("payments.method", "Online (Stripe)"),
    CASH: lazy_pgettext("payments.method", "Cash"),
    BANK_TRANSFER: lazy_pgettext("payments.method", "Bank transfer"),
    POS: lazy_pgettext("payments.method", "Card terminal (POS)"),
}
STATUS_LABELS = {
    OPEN: lazy_pgettext("payments.status", "Processing"),
    PAID: lazy_pgettext("payments.status", "Paid"),
    FAILED: lazy_pgettext("payments.status", "Failed"),
    EXPIRED: lazy_pgettext("payments.status", "Not completed"),
    REVERSED: lazy_pgettext("payments.status", "Reversed"),
    SURPLUS: lazy_pgettext("payments.status", "Paid twice, refunded"),
}
STATUS_COLOURS = {OPEN: "warning", PAID: "success", FAILED: "danger", EXPIRED: "secondary", REVERSED: "secondary",
                  SURPLUS: "info"}
REFUND_LABELS = {
    REFUND_PENDING: lazy_pgettext("payments.refund", "Refund pending"),
    REFUND_SUCCEEDED: lazy_pgettext("payments.refund", "Refunded"),
    REFUND_FAILED: lazy_pgettext("payments.refund", "Refund failed"),
}
PROBLEM_LABELS = {
    AMOUNT_MISMATCH: lazy_pgettext("payments.problem", "Amount does not match"),
    CURRENCY_MISMATCH: lazy_pgettext("payments.problem", "Currency does not match"),
    UNKNOWN_SESSION: lazy_pgettext("payments.problem", "Unknown checkout session"),
    NOT_OPEN: lazy_pgettext("payments.problem", "Paid when no longer owed"),
    REFUND_REFUSED: lazy_pgettext("payments.problem", "Refund failed"),
}


ACCOUNT_LABELS = {
    "receivable": lazy_pgettext("payments.account", "Owed by the payer"),
    "revenue": lazy_pgettext("payments.account", "Revenue"),
    "subsidy": lazy_pgettext("payments.account", "Subsidy"),
    "cash_stripe": lazy_pgettext("payments.account", "Held at Stripe"),
    "cash_offline": lazy_pgettext("payments.account", "Taken at the office"),
    "unapplied": lazy_pgettext("payments.account", "Received, not owed"),
    "write_off": lazy_pgettext("payments.account", "Written off"),
}
MOVEMENT_LABELS = {
    "charge": lazy_pgettext("payments.movement", "Charge"),
    "payment": lazy_pgettext("payments.movement", "Payment"),
    "refund": lazy_pgettext("payments.movement", "Refund"),
    "reversal": lazy_pgettext("payments.movement", "Reversal"),
    "write_off": lazy_pgettext("payments.movement", "Write-off"),
    "credit": lazy_pgettext("payments.movement", "Credit"),
}


def method_label(code):
    return METHOD_LABELS.get(code, code)


def payment_status_label(code):
    return STATUS_LABELS.get(code, code)


def refund_label(code):
    return REFUND_LABELS.get(code, code)


def problem_label(code):
    return PROBLEM_LABELS.get(code, code)


def payment_time(instant, tz="Asia/Shanghai"):
    """An instant in the community's zone, short, in the reader's language ("" for none)."""
    if instant is None:
        return ""
    return format_datetime(instant.astimezone(_zone(tz)), "short", rebase=False)


def _zone(name):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name or "Asia/Shanghai")


def online_payment_available() -> bool:
    return gateway.configured()


TEMPLATE_GLOBALS = {
    "payment_method_label": method_label, "payment_status_label": payment_status_label,
    "payment_status_colour": lambda code: STATUS_COLOURS.get(code, "secondary"),
    "refund_status_label": refund_label, "payment_problem_label": problem_label, "payment_time": payment_time,
    "online_payment_available": online_payment_available,
    "ledger_account_label": lambda code: ACCOUNT_LABELS.get(code, code),
    "ledger_movement_label": lambda code: MOVEMENT_LABELS.get(code, code),
}


def register_template_globals(blueprint) -> None:
    for name, helper in TEMPLATE_GLOBALS.items():
        blueprint.add_app_template_global(helper, name)
