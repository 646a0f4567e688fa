"""Shared building blocks every domain uses: db base, clock, money, errors, permissions, audit,
jobs, the API, the menu and dashboard registries. Core imports no domain (a test holds that)."""


def register(app):
    """Core's own part of the app, wired before any domain: template helpers, the landing and
    dashboard pages, attached files, the /api/v1 Api the domains add to, and the ``demo`` and ``jobs`` commands."""
    from community.core import api, attachment_views, i18n, security_headers, templating, views
    from community.core.demo import demo_cli
    from community.core.jobs import jobs_cli

    i18n.init_app(app)  # JSON writes lazy strings as text (they escape themselves for HTML)
    templating.init_app(app)
    security_headers.init_app(app)  # CSP with a nonce, frame and sniffing rules, HSTS over HTTPS
    app.register_blueprint(views.bp)
    app.register_blueprint(attachment_views.bp)
    api.init_api(app)
    app.cli.add_command(demo_cli)
    app.cli.add_command(jobs_cli)
