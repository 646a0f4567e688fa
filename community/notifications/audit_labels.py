"""Display names for the audit entries notifications operations write (see core.labels)."""
from flask_babel import lazy_gettext as _l, lazy_pgettext

from community.core.labels import register_audit_labels
from community.notifications.kinds import get_group


def group_label(name):
    """An event group by the name the e-mail settings page gives it."""
    group = get_group(name)
    return group.label if group else name


register_audit_labels(
    "notifications",
    label=lazy_pgettext("notifications", "Notifications"),
    actions={"notifications.preferences_changed": _l("E-mail preferences changed")},
    objects={"Notice": _l("Notice"), "NotificationPreference": _l("E-mail preferences"),
             "OutboxEmail": _l("E-mail")},
    details={"email_on": _l("E-mails on"), "email_off": _l("E-mails off")},
    values={"email_on": group_label, "email_off": group_label},
)
