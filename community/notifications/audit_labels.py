"""Display names for the audit entries notifications operations write (see core.labels)."""
from flask_babel import lazy_gettext as _l, lazy_pgettext

from community.core.labels import register_audit_labels

register_audit_labels(
    "notifications",
    label=lazy_pgettext("notifications", "Notifications"),
    actions={"notifications.preferences_changed": _l("E-mail preferences changed")},
    objects={"Notice": _l("Notice"), "NotificationPreference": _l("E-mail preferences"),
             "OutboxEmail": _l("E-mail")},
    details={"email_on": _l("E-mails on"), "email_off": _l("E-mails off")},
)
