"""What a talent tier earns in apartments (免申即享): the priority points the default scoring rule
gives the tier in rental rounds. A round may set its own weights; the card says "by default"."""
from flask_babel import lazy_gettext as _l

from community.apartments.rules import DEFAULT_TIER_POINTS
from community.core.benefits import talent_benefit


@talent_benefit("apartments.priority_points")
def priority_points(user, tier, today):
    points = DEFAULT_TIER_POINTS.get(tier)
    if not points:
        return None
    return _l("Talent apartments: %(points)s priority points in rental rounds (default scoring)", points=points)
