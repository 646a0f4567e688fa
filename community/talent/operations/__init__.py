"""Talent operations: one module a subject. Actor passed in; flush, audit, notify; never commit."""
from community.talent.operations.applications import (  # noqa: F401
    APPROVE, DECISIONS, EVIDENCE, REJECT, RETURN, add_evidence, create_application, decide, has_open_objection,
    lodge_objection, may_decide, resolve_objection, stage_of, submit_application, update_application,
    withdraw_application,
)
from community.talent.operations.config import ensure_default_types, ensure_stages, replace_stages, save_type  # noqa: F401
from community.talent.operations.registry import (  # noqa: F401
    active_entry_of, carry_over_profiles, correct, enter_after_notice, enter_registry, lapse_expired,
    open_rereviews, renew_entry, revoke_entry,
)
