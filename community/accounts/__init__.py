"""Users, roles, communities and buildings, talent profiles, API tokens."""


def register(app):
    """Pages, the token and /me API, login loaders, dashboard panels, audit labels, demo data
    and the city's people for ``flask demo generate``."""
    from community.accounts import api, views
    from community.accounts import audit_labels, auth, dashboard, demo, generate, jobs  # noqa: F401
    from community.core.api import register_api_blueprint

    # audit_labels, auth (Flask-Login loaders), dashboard, demo, generate and jobs register what they
    # hold when first imported, in keyed registries, so a second app adds nothing twice.
    app.register_blueprint(views.bp)
    register_api_blueprint(app, api.blp)
