"""Jinja filters and globals shared by every page."""
from flask import current_app, request, url_for
from flask_babel import format_datetime, format_timedelta

from community.core.i18n import current_translations, select_locale
from flask_login import current_user

from community.core.labels import (
    action_label, audit_details, audit_domain, grant_scope_label, object_label, role_label, talent_tier_label, talent_type_label,
)
from community.core.money import Money
from community.core.permissions import PLATFORM_ADMIN, has_role
from community.core.registry import Registry

MAIN_MENU, ADMIN_MENU = "main", "admin"
NAV: Registry = Registry("menu entry")  # (menu, endpoint) -> entry


def money(fen, currency="CNY"):
    return Money(int(fen or 0), currency).display()


def localtime(instant, fmt="medium"):
    return format_datetime(instant, fmt) if instant else ""


INTERVAL_UNITS = (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))


def interval(delta):
    """A period in the largest unit that states it exactly: "5 minutes", "1 day", "90 minutes"
    (Babel alone would round 90 minutes to "2 hours")."""
    seconds = int(delta.total_seconds())
    unit = next((name for name, size in INTERVAL_UNITS if seconds and seconds % size == 0), "second")
    return format_timedelta(delta, granularity=unit, threshold=10**9, add_direction=False)


def translated(text):
    """A stored text (a job's ``N_`` reason, kept in English) in the reader's language, as plain
    text the page escapes. Jinja's own ``_()`` is for literals written in the template: it marks
    what it returns as safe HTML and %-formats it, so ``_(booking.decision_reason)`` would put
    whatever is stored (an office's reason, once its author is gone) into the page as markup, and a
    reason with a "%" in it would fail the page."""
    return current_translations().ugettext(text) if text else ""  # gettext(text), catalog found once a request


def page_url(page):
    """This page's URL with ?page= changed, keeping the other filters."""
    args = {**(request.view_args or {}), **request.args.to_dict(), "page": page}
    return url_for(request.endpoint, **args)


def nav_items(menu=MAIN_MENU):
    """The entries of ``menu`` the current user's roles may see, in the order they were added.
    The user and their roles are read once a call (``has_role`` somewhere, with no scope, is "holds
    the role in any grant"; a platform admin holds every role), not once an entry."""
    user = current_user._get_current_object()
    if user is None or not getattr(user, "is_authenticated", False):
        held, everything = set(), False
    else:
        held = {grant.role for grant in user.role_grants}
        everything = PLATFORM_ADMIN in held
    items = []
    for (entry_menu, _endpoint), entry in NAV.items():
        if entry_menu != menu:
            continue
        if entry["roles"] and not everything and held.isdisjoint(entry["roles"]):
            continue
        items.append(entry)
    return items


def add_nav(endpoint, label, *, roles=(), icon="", menu=MAIN_MENU):
    """Add a link to ``menu`` ("main": the top bar; "admin": the Administration drop-down), shown to
    users who hold one of ``roles`` (everyone logged in when empty). Called from a domain's
    ``register(app)``; keyed by menu and endpoint, so a second app does not list it twice."""
    NAV.add((menu, endpoint), {"endpoint": endpoint, "label": label, "roles": tuple(roles), "icon": icon})


def init_app(app):
    app.add_template_filter(money, "money")
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(interval, "interval")
    app.add_template_global(nav_items)
    app.add_template_global(page_url)
    app.add_template_global(translated)
    app.add_template_global(has_role)
    for helper in (role_label, talent_tier_label, talent_type_label, action_label, object_label, audit_details,
                   audit_domain, grant_scope_label):
        app.add_template_global(helper)

    @app.context_processor
    def inject():
        # Our own code ("zh_CN"), not str(get_locale()): Babel spells that "zh_Hans_CN".
        return {"languages": current_app.config["LANGUAGES"], "current_locale": select_locale()}
