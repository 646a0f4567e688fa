"""Display names for the audit entries notifications operations write (see core.labels)."""
from flask_babel import lazy_gettext as _l

from community.core.labels import register_action_labels, register_detail_labels

register_action_labels({"notifications.preferences_changed": _l("E-mail preferences changed")})
register_detail_labels({"email_on": _l("E-mails on"), "email_off": _l("E-mails off")})
