"""Words for the leases domain's codes and template helpers. Imports no operations."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from community.core.labels import talent_tier_label

LEASE_STATUS_LABELS = {"draft": lazy_pgettext("lease", "Draft"), "signed": lazy_pgettext("lease", "Signed"),
                       "active": lazy_pgettext("lease", "Active"), "ending": lazy_pgettext("lease", "Ending"),
                       "ended": lazy_pgettext("lease", "Ended"), "terminated": lazy_pgettext("lease", "Terminated")}
BILL_STATUS_LABELS = {"open": lazy_pgettext("bill", "Open"), "paid": lazy_pgettext("bill", "Paid"),
                      "overdue": lazy_pgettext("bill", "Overdue"), "waived": lazy_pgettext("bill", "Waived")}
DEPOSIT_STATUS_LABELS = {"unpaid": lazy_pgettext("deposit", "Unpaid"), "held": lazy_pgettext("deposit", "Held"),
                         "settled": lazy_pgettext("deposit", "Settled")}
CONDITION_LABELS = {"good": _l("Good"), "worn": _l("Worn"), "damaged": _l("Damaged"), "missing": _l("Missing")}
INSPECTION_LABELS = {"move_in": _l("Move-in inspection"), "move_out": _l("Move-out inspection")}
PARTY_LABELS = {"resident": _l("Resident"), "office": _l("Office")}
RENEWAL_STATUS_LABELS = {"requested": lazy_pgettext("renewal", "Requested"),
                         "offered": lazy_pgettext("renewal", "Offered"), "declined": lazy_pgettext("renewal", "Declined")}
STATUS_CLASSES = {"draft": "secondary", "signed": "info", "active": "success", "ending": "warning",
                  "ended": "secondary", "terminated": "danger", "open": "primary", "paid": "success",
                  "overdue": "danger", "waived": "secondary", "unpaid": "warning", "held": "info", "settled": "success"}


def lease_status_label(code):
    return LEASE_STATUS_LABELS.get(code, code)


def bill_status_label(code):
    return BILL_STATUS_LABELS.get(code, code)


def deposit_status_label(code):
    return DEPOSIT_STATUS_LABELS.get(code, code)


def subsidy_rule(bill) -> str:
    """The rule that gave a bill its subsidy, in words."""
    if not bill.subsidy_percent:
        return str(_l("No talent subsidy (no tier valid on %(day)s)", day=bill.period_start.isoformat()))
    return str(_l("Talent subsidy: %(tier)s tier, %(percent)s%% (valid on %(day)s)",
                  tier=talent_tier_label(bill.tier), percent=bill.subsidy_percent, day=bill.period_start.isoformat()))


def fold_bills(bills, keep: int = 3):
    """(shown, folded) of a lease's bills, newest first: every bill still to pay and the latest
    ``keep`` stay in view; older settled ones fold away, so a phone shows what needs doing."""
    shown = [bill for i, bill in enumerate(bills) if i < keep or bill.is_payable]
    kept = {bill.id for bill in shown}
    return shown, [bill for bill in bills if bill.id not in kept]


def register_template_globals(bp):
    @bp.app_context_processor
    def helpers():
        return {"lease_status_label": lease_status_label, "bill_status_label": bill_status_label,
                "deposit_status_label": deposit_status_label, "condition_label": CONDITION_LABELS.get,
                "inspection_label": INSPECTION_LABELS.get, "party_label": PARTY_LABELS.get,
                "renewal_status_label": RENEWAL_STATUS_LABELS.get, "lease_class": STATUS_CLASSES.get,
                "subsidy_rule": subsidy_rule, "tier_label": talent_tier_label}
