"""Display names for the audit entries accounts operations write (see core.labels).

Object and detail labels are short words other domains use too ("User", "Community"), so they are
translated in the "accounts" context; action labels are whole phrases."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from community.accounts import queries
from community.core.labels import register_audit_labels
from community.core.labels import merchant_label as _merchant_label


def merchant_label(merchant_id):
    """A merchant by its name (the perks domain registers the resolver), else its number."""
    return _merchant_label(merchant_id)


register_audit_labels(
    "accounts",
    label=lazy_pgettext("accounts", "Accounts"),
    actions={
        "user.registered": _l("Account registered"),
        "user.locked": _l("Account locked after failed logins"),  # old rows: lock-out ended in 3c5e8a1f7b20
        "user.logged_out_everywhere": _l("Logged out on every device"),
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
        # The talent profile is set in accounts today; when the talent domain arrives it takes this
        # prefix over (move the action there, or rename it), since a prefix has one owner.
        "talent.updated": _l("Talent profile set"),
    },
    objects={
        "User": lazy_pgettext("accounts", "User"),
        "ApiToken": lazy_pgettext("accounts", "API token"),
        "Community": lazy_pgettext("accounts", "Community"),
        "Building": lazy_pgettext("accounts", "Building"),
    },
    details={
        "tokens_revoked": _l("API tokens revoked"),
        "sessions_ended": _l("Logins ended"),
        "merchant_id": lazy_pgettext("accounts", "Merchant"),
    },
    values={"merchant_id": merchant_label},
    names={"User": queries.audit_user_names, "Community": queries.audit_community_names,
           "Building": queries.audit_building_names, "ApiToken": queries.audit_token_names},
)
