"""Operator pages: communities, buildings, users and roles, talent profiles, audit log, jobs."""
from flask_babel import lazy_gettext as _l


def register(app):
    """The /admin pages and their entries in the Administration menu."""
    from community.admin import views
    from community.core.permissions import COMMUNITY_ADMIN, PLATFORM_ADMIN
    from community.core.templating import ADMIN_MENU, add_nav

    app.register_blueprint(views.bp)
    operators = (COMMUNITY_ADMIN,)  # platform admins pass every role check
    add_nav("admin.communities", _l("Communities"), roles=operators, menu=ADMIN_MENU)
    add_nav("admin.users", _l("Users"), roles=operators, menu=ADMIN_MENU)
    add_nav("admin.roles", _l("Grant a role"), roles=operators, menu=ADMIN_MENU)
    add_nav("admin.audit", _l("Audit log"), roles=operators, menu=ADMIN_MENU)
    add_nav("admin.jobs", _l("Background jobs"), roles=(PLATFORM_ADMIN,), menu=ADMIN_MENU)
