"""Notifications: notify() writes in-app notices and e-mails (through the outbox) in the
recipient's language; people choose e-mails per event group; the send-outbox job delivers.

Public API: operations.notify / mark_read / mark_all_read / set_email_preferences / queue_email,
kinds.register_group / register_kind, queries.unread_count / notices_for / notice_for."""
from flask_babel import lazy_gettext as _l


def register(app):
    """The notices pages and API, the outbox page (Administration menu), the send-outbox job,
    the account notice kinds and the audit labels."""
    from community.core.api import register_api_blueprint
    from community.core.permissions import PLATFORM_ADMIN
    from community.core.templating import ADMIN_MENU, add_nav
    from community.notifications import api, views
    from community.notifications import audit_labels, jobs, kinds  # noqa: F401  (register when imported)

    app.register_blueprint(views.bp)
    register_api_blueprint(app, api.blp)
    add_nav("notifications.outbox", _l("Outbox"), roles=(PLATFORM_ADMIN,), menu=ADMIN_MENU)
