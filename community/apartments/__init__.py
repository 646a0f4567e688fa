"""Talent apartments: units, households, rental rounds (招租公告), eligibility with reasons, a
fair and reproducible allocation, offers and the waitlist. See docs/apartments.md."""
from flask_babel import lazy_gettext as _l


def register(app):
    """Pages, API, menu entries, jobs, notice kinds, audit labels, the tier benefit and demo data."""
    from community.apartments import admin_views, api, views
    from community.apartments import audit_labels, benefits, demo, jobs, notices  # noqa: F401
    from community.core.api import register_api_blueprint
    from community.core.permissions import COMMUNITY_ADMIN, RESIDENT
    from community.core.templating import add_nav

    # audit_labels, benefits, demo, jobs and notices register what they hold when first imported,
    # in keyed registries, so a second app adds nothing twice.
    app.register_blueprint(views.bp)
    app.register_blueprint(admin_views.bp)
    register_api_blueprint(app, api.blp)
    add_nav("apartments.index", _l("Apartments"), roles=(RESIDENT,))
    add_nav("apartments_admin.index", _l("Apartments admin"), roles=(COMMUNITY_ADMIN,))
