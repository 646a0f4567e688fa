"""Every write of the apartments domain (actor passed in; flush, audit, signal, notify; never commit)."""
from community.apartments.operations.allocation import commit_allocation, plan  # noqa: F401
from community.apartments.operations.applications import (  # noqa: F401
    apply, check_eligibility, eligibility_of, facts_for, not_eligible, update_preferences, withdraw,
)
from community.apartments.operations.households import add_member, household_for, remove_member, save_household  # noqa: F401
from community.apartments.operations.offers import accept_offer, decline_offer, expire_offers, pass_down, remind_expiring  # noqa: F401
from community.apartments.operations.rounds import (  # noqa: F401
    create_round, offer_units, publish_round, remove_unit, round_rules, rules_of, update_round,
)
from community.apartments.operations.units import create_unit, import_units, set_unit_status, update_unit  # noqa: F401
