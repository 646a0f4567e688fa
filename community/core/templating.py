"""Jinja filters and globals shared by every page."""
from flask import current_app, request, url_for
from flask_babel import format_datetime

from community.core.i18n import select_locale
from flask_login import current_user

from community.core.labels import (
    action_label, audit_details, audit_domain, object_label, role_label, talent_tier_label, talent_type_label,
)
from community.core.money import Money
from community.core.permissions import has_role


def money(fen, currency="CNY"):
    return Money(int(fen or 0), currency).display()


def localtime(instant, fmt="medium"):
    return format_datetime(instant, fmt) if instant else ""


def page_url(page):
    """This page's URL with ?page= changed, keeping the other filters."""
    args = {**(request.view_args or {}), **request.args.to_dict(), "page": page}
    return url_for(request.endpoint, **args)


def nav_items():
    """The menu for the current user's roles; each domain appends its entries to NAV."""
    items = []
    for entry in NAV:
        if entry.get("roles") and not any(has_role(current_user, r) for r in entry["roles"]):
            continue
        items.append(entry)
    return items


NAV: list[dict] = []


def add_nav(endpoint, label, *, roles=(), icon=""):
    NAV.append({"endpoint": endpoint, "label": label, "roles": tuple(roles), "icon": icon})


def init_app(app):
    app.add_template_filter(money, "money")
    app.add_template_filter(localtime, "localtime")
    app.add_template_global(nav_items)
    app.add_template_global(page_url)
    app.add_template_global(has_role)
    for helper in (role_label, talent_tier_label, talent_type_label, action_label, object_label, audit_details,
                   audit_domain):
        app.add_template_global(helper)

    @app.context_processor
    def inject():
        # Our own code ("zh_CN"), not str(get_locale()): Babel spells that "zh_Hans_CN".
        return {"languages": current_app.config["LANGUAGES"], "current_locale": select_locale()}
