"""Leases: from an accepted offer's draft to signing, move-in, bills with the talent subsidy
applied automatically (免申即享), renewal or notice, move-out and the deposit settlement.
See docs/leases.md."""
from flask_babel import lazy_gettext as _l


def _on_offer_accepted(offer, *, lease_draft=None, actor=None, **_):
    from community.leases.operations import create_from_draft

    if lease_draft is not None:
        create_from_draft(lease_draft, actor=actor)


def register(app):
    """Pages, API, menu entries, jobs, notice kinds, payables, audit labels, the tier benefit,
    the offer_accepted listener and demo data."""
    from community.core import signals
    from community.core.api import register_api_blueprint
    from community.core.permissions import COMMUNITY_ADMIN, RESIDENT
    from community.core.templating import add_nav
    from community.leases import admin_views, api, views
    from community.leases import attachments, audit_labels, benefits, demo, jobs, notices, payables  # noqa: F401

    app.register_blueprint(views.bp)
    app.register_blueprint(admin_views.bp)
    register_api_blueprint(app, api.blp)
    add_nav("leases.my_apartment", _l("My apartment"), roles=(RESIDENT,))
    add_nav("leases_admin.index", _l("Leases admin"), roles=(COMMUNITY_ADMIN,))
    signals.offer_accepted.connect(_on_offer_accepted)
