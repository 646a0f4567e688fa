"""Talent classification and review: configured types and tiers, applications with evidence,
staged review, public notice and objections, the registry (人才库) with yearly re-review, lapse
and revocation, and the signed talent card. See docs/talent.md."""
from flask_babel import lazy_gettext as _l


def register(app):
    """Pages, API, menu entries, dashboard panel, jobs, notice kinds, audit labels, evidence rule
    and demo data."""
    from community.core.api import register_api_blueprint
    from community.core.permissions import (
        COMMUNITY_ADMIN, MERCHANT_STAFF, PLATFORM_ADMIN, RESIDENT, SPECIALIST, TALENT_REVIEWER,
    )
    from community.core.templating import add_nav
    from community.talent import admin_views, api, views
    from community.talent import audit_labels, dashboard, demo, evidence, generate, jobs, notices  # noqa: F401

    app.register_blueprint(views.bp)
    app.register_blueprint(admin_views.bp)
    register_api_blueprint(app, api.blp)
    add_nav("talent.index", _l("My talent status"), roles=(RESIDENT,))
    add_nav("talent.notices", _l("Public notices"), roles=(RESIDENT, COMMUNITY_ADMIN, TALENT_REVIEWER))
    add_nav("talent.verify", _l("Verify talent card"), roles=(MERCHANT_STAFF, SPECIALIST, COMMUNITY_ADMIN))
    add_nav("talent_admin.reviews", _l("Talent reviews"), roles=(TALENT_REVIEWER, COMMUNITY_ADMIN), menu="admin")
    add_nav("talent_admin.registry", _l("Talent registry"), roles=(COMMUNITY_ADMIN,), menu="admin")
    add_nav("talent_admin.types", _l("Talent types"), roles=(PLATFORM_ADMIN,), menu="admin")
