"""Writing a notice out: its subject and body in one language, and where it leads.

Texts are plain text. Pages put them through Jinja's autoescaping and e-mails are text/plain, so
what a person typed (a display name, a reason) is shown as typed and never interpreted."""
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, has_request_context, request, url_for
from flask_babel import format_datetime, gettext as _
from werkzeug.routing import BuildError

from community.core.i18n import force_locale
from community.core.clock import DEFAULT_TZ
from community.core.urls import external_url, public_base_url
from community.notifications.kinds import Kind, get_kind


@dataclass(frozen=True)
class NoticeText:
    subject: str
    body: str


class _Params(dict):
    """A parameter a text asks for but an old notice lacks reads as empty, instead of failing
    the page that lists it."""

    def __missing__(self, key):
        return ""


def recipient_locale(user) -> str:
    """The language a person reads their notices and e-mails in: their own choice, else their
    community's, else the default. Never the language of whoever caused the notice."""
    languages = current_app.config["LANGUAGES"]
    if getattr(user, "locale", None) in languages:
        return user.locale
    community = getattr(user, "community", None)
    if community is not None and community.default_locale in languages:
        return community.default_locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _zone(name) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_TZ)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TZ)


def _instant(value: str, tz: ZoneInfo) -> str:
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return value
    if instant.tzinfo is None:
        return value
    return format_datetime(instant.astimezone(tz), "short", rebase=False)


def display_params(params: dict, reader_tz: str | None) -> _Params:
    """Stored params as a text shows them: instants (``*_at``) as local dates in this language."""
    tz = _zone(params.get("tz") or reader_tz)
    shown = _Params()
    for key, value in (params or {}).items():
        shown[key] = _instant(value, tz) if key.endswith("_at") and isinstance(value, str) else value
    return shown


def _fill(template, params: _Params) -> str:
    if callable(template):
        template = template(params)
    return str(template) % params


def render_kind(kind: Kind | None, params: dict, *, reader_tz: str | None) -> NoticeText:
    """The texts in the current language (the request's, or one forced by force_locale)."""
    if kind is None:  # a kind no longer registered: say something rather than fail the list
        return NoticeText(_("Notice"), "")
    shown = display_params(params, reader_tz)
    return NoticeText(_fill(kind.subject, shown), _fill(kind.body, shown))


def render_notice(notice, *, reader_tz: str | None) -> NoticeText:
    return render_kind(get_kind(notice.kind), notice.params or {}, reader_tz=reader_tz)


def render_for(user, kind_name: str, params: dict) -> NoticeText:
    """The texts in ``user``'s language and time zone (for their e-mail)."""
    with force_locale(recipient_locale(user)):
        return render_kind(get_kind(kind_name), params, reader_tz=user.timezone)


# -- links ------------------------------------------------------------------------------------

def is_local_path(url: str | None) -> bool:
    """A path on this site: no scheme, no host, not "//host" nor "/\\host" (browsers read both
    as another site)."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return False
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and not any(ord(ch) < 32 for ch in url)


def notice_path(notice) -> str | None:
    """Where the notice leads on this site, or None (no link, or a page that no longer exists)."""
    if notice.link_endpoint:
        try:
            return url_for(notice.link_endpoint, **(notice.link_args or {}))
        except BuildError:
            return None
    return notice.link_url if is_local_path(notice.link_url) else None


def absolute_url(endpoint: str, args: dict | None = None) -> str | None:
    """A full URL for an e-mail, on PUBLIC_BASE_URL (never the request's Host: core/urls.py);
    None when the endpoint no longer exists."""
    try:
        return external_url(endpoint, **(args or {}))
    except BuildError:
        return None


def absolute_link(link_endpoint, link_args, link_url) -> str | None:
    if link_endpoint:
        return absolute_url(link_endpoint, link_args)
    if not is_local_path(link_url):
        return None
    return public_base_url() + link_url
