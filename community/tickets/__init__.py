"""Tickets: residents' service requests (诉求) to the community's talent service specialists,
answered under business-hours SLAs, with the report that proves it. See docs/tickets.md."""
from flask_babel import lazy_gettext as _l


def register(app):
    """Pages, the API, menu entries, dashboard panels, jobs, notice kinds, audit labels, the
    attachment rule for ticket photos, demo data and the benchmark's bulk data."""
    from community.core.api import register_api_blueprint
    from community.core.permissions import COMMUNITY_ADMIN, RESIDENT, SPECIALIST
    from community.core.templating import ADMIN_MENU, add_nav
    from community.tickets import admin_views, api, views
    from community.tickets import attachments, audit_labels, dashboard, demo, generate, jobs, notices  # noqa: F401

    # The modules above register what they hold when first imported, in keyed registries, so a
    # second app adds nothing twice (the attachment rule guards itself).
    app.register_blueprint(views.bp)
    app.register_blueprint(admin_views.bp)
    register_api_blueprint(app, api.blp)
    views.register_template_globals(app)
    add_nav("tickets.index", _l("My requests"), roles=(RESIDENT,))
    add_nav("tickets.queue", _l("Request queue"), roles=(SPECIALIST, COMMUNITY_ADMIN))
    add_nav("tickets_admin.report", _l("Service report"), roles=(COMMUNITY_ADMIN,))
    add_nav("tickets_admin.index", _l("Service desk settings"), roles=(COMMUNITY_ADMIN,), menu=ADMIN_MENU)
