"""Leases operations (writes). Actor passed in; they flush, audit, signal and notify, never commit."""
from community.leases.operations.bills import (  # noqa: F401
    cut_bills_to_end, issue_bills, mark_bill_paid, mark_bill_unpaid, mark_overdue, notify_new_bills, set_subsidy_rate,
    subsidy_rates, waive_bill,
)
from community.leases.operations.inspections import (  # noqa: F401
    add_item, dispute_settlement, mark_deposit_paid, open_inspection, remove_item, sign_inspection,
)
from community.leases.operations.leases import (  # noqa: F401
    countersign, create_from_draft, decide_renewal, give_notice, remind_ending, request_renewal, sign, terminate,
)
