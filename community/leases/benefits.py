"""What a talent tier earns in leases (免申即享): the rent subsidy on every monthly bill, at the
rate of the holder's community (the defaults when it set none)."""
from flask_babel import lazy_gettext as _l

from community.core.benefits import talent_benefit
from community.leases.rules import DEFAULT_SUBSIDY_PERCENT


@talent_benefit("leases.rent_subsidy", order=50)
def rent_subsidy(user, tier, today):
    if tier is None:
        return None
    from community.leases.operations.bills import subsidy_rates

    community_id = getattr(user, "community_id", None)
    percent = (subsidy_rates(community_id) if community_id else DEFAULT_SUBSIDY_PERCENT).get(tier, 0)
    if not percent:
        return None
    return _l("Talent apartments: %(percent)s%% of the rent paid by the subsidy on every bill, applied "
              "automatically", percent=percent)
