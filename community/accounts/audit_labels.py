"""Display names for the audit entries accounts operations write (see core.labels)."""
from flask_babel import lazy_gettext as _l

from community.core.labels import register_action_labels, register_object_labels

register_action_labels({
    "user.registered": _l("Account registered"),
    "user.locked": _l("Account locked after failed logins"),
    "user.password_reset_requested": _l("Password reset requested"),
    "user.password_reset": _l("Password reset"),
    "user.password_changed": _l("Password changed"),
    "user.profile_updated": _l("Profile updated"),
    "api_token.issued": _l("API token created"),
    "api_token.revoked": _l("API token revoked"),
    "community.created": _l("Community created"),
    "building.created": _l("Building added"),
    "role.granted": _l("Role granted"),
    "role.revoked": _l("Role removed"),
    "talent.updated": _l("Talent profile set"),
})
register_object_labels({
    "User": _l("User"),
    "ApiToken": _l("API token"),
    "Community": _l("Community"),
    "Building": _l("Building"),
})
