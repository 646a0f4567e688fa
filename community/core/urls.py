"""Absolute URLs for everything that leaves a request: e-mailed links, QR codes, calendar feeds,
URLs in API answers.

They are built from the configured ``PUBLIC_BASE_URL``, never from the request. The Host and
X-Forwarded-Host headers are the client's to choose: ``url_for(..., _external=True)`` would put an
attacker's host into a password-reset e-mail sent to someone else (issue 9). Pages link with plain
``url_for`` (relative paths); only a URL read outside this site needs to be absolute.
"""
from urllib.parse import quote, urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of ``endpoint`` (a full name such as "accounts.reset_password") under
    PUBLIC_BASE_URL. Values that are not part of the route become the query string, as with
    url_for; ``_anchor`` adds a fragment. Works without a request (jobs, CLI commands)."""
    anchor = values.pop("_anchor", None)
    current_app.inject_url_defaults(endpoint, values)
    url = _public_adapter().build(endpoint, values, force_external=True)
    if anchor is not None:
        url += "#" + quote(anchor, safe="%!#$&'()*+,/:;=?@")
    return url


def public_base_url() -> str:
    """PUBLIC_BASE_URL without a trailing slash, e.g. "https://community.example.cn"."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def _public_adapter():
    """A URL adapter bound to the public address instead of the request's: scheme, host[:port],
    and the path prefix when a proxy serves the site under one."""
    base = urlsplit(public_base_url())
    return current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
