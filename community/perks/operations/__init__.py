"""The alliance's writes. Each takes the actor, flushes, audits and notifies; none commits."""
from community.perks.operations.campaigns import create_campaign, create_perk, decide_campaign, set_perk_hidden  # noqa: F401
from community.perks.operations.merchants import (  # noqa: F401
    accept_invitation, apply_merchant, decide_merchant, invite_staff, remove_staff, update_application,
)
from community.perks.operations.vouchers import (  # noqa: F401
    claim, expire_vouchers, inspect_code, redeem, remind_expiring, revoke_voucher, undo_redemption,
)
