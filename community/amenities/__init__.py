"""Amenities: bookable shared resources (rooms, gym, laundry, bars), bookings, check-in, no-shows
and the private iCalendar feed. See docs/amenities.md."""
from flask_babel import lazy_gettext as _l


def register(app):
    """Residents' and operators' pages, the API, menu entries, dashboard panels, jobs, audit
    labels, demo data and the city's resources and bookings for ``flask demo generate``."""
    from community.amenities import admin_views, api, views
    from community.amenities import (  # noqa: F401
        audit_labels, benefits, dashboard, demo, generate, jobs, payables, reminders,
    )
    from community.core.api import register_api_blueprint
    from community.core.permissions import COMMUNITY_ADMIN, RESIDENT
    from community.core.templating import add_nav

    # audit_labels, dashboard, demo, generate, jobs, payables (the paid booking kind and its signal
    # listeners) and reminders (its job and notice kinds) register what they hold when first
    # imported, in keyed registries, so a second app adds nothing twice.
    app.register_blueprint(views.bp)
    app.register_blueprint(admin_views.bp)
    register_api_blueprint(app, api.blp)
    add_nav("amenities.index", _l("Amenities"), roles=views.BOOKER_ROLES)
    add_nav("amenities.my_bookings", _l("My bookings"), roles=(RESIDENT,))
    add_nav("amenities.checkin", _l("Check-in desk"), roles=(COMMUNITY_ADMIN,))
    add_nav("amenities_admin.index", _l("Amenities admin"), roles=(COMMUNITY_ADMIN,))
