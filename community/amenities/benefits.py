"""What a talent tier earns in amenities (core.benefits): the resources reserved for some tiers
that this tier may book. Listed on the talent card; nothing to apply for."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community.amenities.models import ACTIVE, Resource
from community.core.benefits import talent_benefit
from community.extensions import db


@talent_benefit("amenities.reserved_resources", order=30)
def reserved_resources(user, tier, today):
    if not tier or getattr(user, "community_id", None) is None:
        return None
    rows = db.session.scalars(sa.select(Resource).where(Resource.community_id == user.community_id,
                                                        Resource.status == ACTIVE)).all()
    names = sorted(r.name for r in rows if r.visible_tiers and tier in r.visible_tiers)
    if not names:
        return None
    return _l("Amenities reserved for your tier: %(names)s", names="、".join(names))
