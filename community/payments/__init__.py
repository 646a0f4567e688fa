"""Payments: the payables registry's other side. Stripe Checkout (card, Alipay, WeChat Pay in CNY),
webhooks applied exactly once, offline payments, refunds and the double-entry ledger. See
docs/payments.md."""
from flask_babel import lazy_gettext as _l


def register(app):
    """Pages, webhook, API, menu entries, jobs, notice kinds, audit labels, the ledger CLI, the
    listeners of the payables' signals, demo data."""
    from community.core.api import register_api_blueprint
    from community.core.security_headers import add_form_action_source
    from community.core.permissions import COMMUNITY_ADMIN, RESIDENT
    from community.core.templating import add_nav
    from community.payments import admin_views, api, audit_labels, demo, gateway, jobs, notices, views  # noqa: F401
    from community.payments.cli import cli
    from community.payments.operations import payables

    app.register_blueprint(views.bp)
    app.register_blueprint(admin_views.bp)
    register_api_blueprint(app, api.blp)
    app.cli.add_command(cli)
    payables.connect()
    add_form_action_source("payments.checkout", gateway.checkout_origins)
    add_nav("payments.index", _l("My payments"), roles=(RESIDENT,))
    add_nav("payments_admin.index", _l("Payments"), roles=(COMMUNITY_ADMIN,), menu="admin")
