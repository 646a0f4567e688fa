"""Merchant alliance (人才生活服务联盟): merchants and their staff, perks, voucher campaigns,
claiming, counter redemption. See docs/perks.md."""
from flask_babel import lazy_gettext as _l


def register(app):
    from community.core.api import register_api_blueprint
    from community.core.permissions import COMMUNITY_ADMIN, MERCHANT_STAFF, RESIDENT
    from community.core.templating import ADMIN_MENU, add_nav
    from community.perks import admin_views, api, merchant_views, views
    from community.perks import audit_labels, benefits, dashboard, demo, images, jobs, notices, presentation  # noqa: F401

    # Code lookups (the counter page and the API's lookup and redeem): per staff account and per
    # address, so codes cannot be walked through; a busy counter confirms a few a minute.
    app.config.setdefault("VOUCHER_LOOKUP_RATE_LIMIT_ACCOUNT", "30 per minute")
    app.config.setdefault("VOUCHER_LOOKUP_RATE_LIMIT_IP", "120 per minute")
    from community.core.labels import register_merchant_choices, register_merchant_name_resolver
    from community.perks.labels import approved_merchant_choices, merchant_name

    register_merchant_name_resolver(merchant_name)
    register_merchant_choices(approved_merchant_choices)
    app.register_blueprint(views.bp)
    app.register_blueprint(merchant_views.bp)
    app.register_blueprint(admin_views.bp)
    register_api_blueprint(app, api.blp)
    presentation.init_app(app)
    add_nav("perks.index", _l("Perks"), roles=(RESIDENT,))
    add_nav("perks.my_vouchers", _l("My vouchers"), roles=(RESIDENT,))
    add_nav("merchant.home", _l("My merchant"), roles=(MERCHANT_STAFF,))
    add_nav("perks_admin.index", _l("Merchant alliance"), roles=(COMMUNITY_ADMIN,), menu=ADMIN_MENU)
