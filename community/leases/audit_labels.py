"""Display names for the audit entries leases operations write (see core.labels)."""
from flask_babel import lazy_gettext as _l

from community.core.labels import register_audit_labels

register_audit_labels(
    "leases",
    label=_l("Leases"),
    actions={
        "lease.created": _l("Lease drafted"),
        "lease.signed": _l("Lease signed by the resident"),
        "lease.countersigned": _l("Lease countersigned"),
        "lease.notice_given": _l("Notice given"),
        "lease.renewal_requested": _l("Renewal requested"),
        "lease.renewal_offered": _l("Renewal offered"),
        "lease.renewal_declined": _l("Renewal declined"),
        "lease.terminated": _l("Lease ended early"),
        "lease.inspection_opened": _l("Inspection started"),
        "lease.inspection_item": _l("Inspection item added"),
        "lease.inspection_item_removed": _l("Inspection item removed"),
        "lease.inspection_signed": _l("Inspection signed"),
        "lease.moved_in": _l("Moved in"),
        "lease.moved_out": _l("Moved out"),
        "lease.deposit_paid": _l("Deposit paid"),
        "lease.deposit_settled": _l("Deposit settled"),
        "lease.deposit_disputed": _l("Deposit settlement disputed"),
        "lease.bills_issued": _l("Rent bills issued"),
        "lease.bill_paid": _l("Rent bill paid"),
        "lease.bill_unpaid": _l("Rent bill payment reversed"),
        "lease.bill_waived": _l("Rent bill waived"),
        "lease.subsidy_rate": _l("Subsidy rate set"),
    },
    objects={"Lease": _l("Lease"), "Bill": _l("Rent bill"), "Deposit": _l("Deposit"),
             "Inspection": _l("Inspection"), "SubsidyRate": _l("Subsidy rate"), "RenewalRequest": _l("Renewal")},
    details={"reason": _l("Reason"), "ends_on": _l("Last day"), "starts_on": _l("First day"),
             "terms_version": _l("Terms version"), "ip": _l("IP address"), "count": _l("Bills"),
             "period": _l("Month"), "amount": _l("Amount"), "tier": _l("Tier"), "percent": _l("Percent"),
             "deductions": _l("Deductions"), "refund": _l("Refund"), "balance_owed": _l("Still owed"),
             "kind": _l("Kind"), "party": _l("Party"), "room": _l("Room"), "item": _l("Item"),
             "condition": _l("Condition"), "cost": _l("Cost"), "rent": _l("Monthly rent"),
             "lease_id": _l("Lease"), "unit_id": _l("Unit"), "renewal_id": _l("Renewal"),
             "new_lease_id": _l("New lease"), "previous_end": _l("Previous last day"),
             "inspected_on": _l("Inspection day"), "draft_id": _l("Lease draft")},
)
