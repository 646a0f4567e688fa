"""What a talent tier earns in the alliance (the talent card lists it): the perks and campaigns
open to that tier today, counted from the tables, not promised."""
from flask import has_app_context
from flask_babel import lazy_gettext as _l

from community.core.benefits import talent_benefit
from community.perks.queries import count_open_for_tier


@talent_benefit("perks.alliance", order=60)
def alliance_benefit(user, tier, today):
    if not tier or not has_app_context():  # nothing to count without the database
        return None
    perks, campaigns = count_open_for_tier(tier, today)
    if not perks and not campaigns:
        return None
    return _l("Merchant alliance: %(perks)s perks and %(campaigns)s voucher campaigns open to your tier",
              perks=perks, campaigns=campaigns)
