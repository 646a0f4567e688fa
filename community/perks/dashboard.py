"""Dashboard panels: the merchant's home (its merchants, counter, campaigns) and the resident's
vouchers."""
import sqlalchemy as sa

from community.core.dashboard import dashboard_panel
from community.core.permissions import MERCHANT_STAFF, RESIDENT, holds_role
from community.extensions import db
from community.perks import queries
from community.perks.models import V_ACTIVE, Voucher


@dashboard_panel(20, (), "perks/panels/merchant.html")
def merchant_panel(user):
    """Where the person works, and the applications they sent (an applicant holds no grant until
    the office approves); a grant made before merchants existed names no merchant, and the panel
    says to ask the owner for an invitation. Nothing for people with neither."""
    merchants = queries.merchants_of_user(user)
    if not merchants and not holds_role(user, MERCHANT_STAFF):
        return None
    return {"merchants": merchants}


@dashboard_panel(35, (RESIDENT,), "perks/panels/resident.html")
def resident_panel(user):
    active = db.session.scalar(sa.select(sa.func.count(Voucher.id)).where(Voucher.user_id == user.id,
                                                                          Voucher.status == V_ACTIVE))
    return {"active_vouchers": active or 0}
