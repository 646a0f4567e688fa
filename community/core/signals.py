"""Domain signals, documented in one place. Listeners connect in each domain's __init__.py."""
from blinker import Namespace

_signals = Namespace()

user_registered = _signals.signal("user-registered", doc="sender: the new User.")
role_granted = _signals.signal("role-granted", doc="sender: the RoleGrant created.")
role_revoked = _signals.signal("role-revoked", doc="sender: the RoleGrant removed.")
talent_tier_changed = _signals.signal("talent-tier-changed", doc="sender: the TalentProfile.")
