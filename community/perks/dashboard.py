"""Dashboard panels: the merchant's home (its merchants, counter, campaigns) and the resident's
vouchers."""
import sqlalchemy as sa

from community.core.dashboard import dashboard_panel
from community.core.permissions import MERCHANT_STAFF, RESIDENT
from community.extensions import db
from community.perks import queries
from community.perks.models import V_ACTIVE, Voucher


@dashboard_panel(20, (MERCHANT_STAFF,), "perks/panels/merchant.html")
def merchant_panel(user):
    """Where the person works; a grant made before merchants existed names no merchant, and the
    panel says to ask the owner for an invitation."""
    return {"merchants": queries.merchants_of_user(user)}


@dashboard_panel(35, (RESIDENT,), "perks/panels/resident.html")
def resident_panel(user):
    active = db.session.scalar(sa.select(sa.func.count(Voucher.id)).where(Voucher.user_id == user.id,
                                                                          Voucher.status == V_ACTIVE))
    return {"active_vouchers": active or 0}
