"""Talent apartments: units, households, rental rounds (招租公告), eligibility with reasons, a
fair and reproducible allocation, offers and the waitlist. See docs/apartments.md."""


def register(app):
    """Pages, API, menu entries, dashboard panel, jobs, notice kinds, audit labels, the tier
    benefit and demo data."""
    from community.apartments import audit_labels, benefits, jobs, notices  # noqa: F401

    # The rest registers when the pages exist (below); keyed registries make a second app harmless.
    _register_pages(app)


def _register_pages(app):
    try:
        from community.apartments import admin_views, api, views  # noqa: F401
    except ImportError:
        return
