"""Security headers on every response: pages, API answers, error pages, static files.

The Content-Security-Policy allows scripts and styles from this site, and inline ``<script>`` and
``<style>`` elements that carry this request's nonce (``<script nonce="{{ csp_nonce() }}">``).
Inline event handlers (``onclick=``), ``javascript:`` URLs and ``style=`` attributes are blocked (no
'unsafe-inline', no 'unsafe-hashes'), so behaviour is declared with data attributes read by
static/app.js and looks live in CSS classes. Even if user text ever
reached a page unescaped, the browser would not run it.

A response that brings its own policy (attachments: ``default-src 'none'; sandbox``) keeps it.
"""
import secrets

from flask import current_app, g, request

POLICY = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:"),  # Bootstrap draws its icons (close, select arrow) as data: SVGs
    "font-src": ("'self'",),
    "connect-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'none'",),
    # Also limits where a form's POST may redirect (a payment page elsewhere must be listed here).
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}

# Functions answering more origins a form's POST may redirect to (a domain sending people to a
# payment page elsewhere: payments adds Stripe Checkout's while online payment is configured).
_form_action_sources: dict = {}


def add_form_action_source(name: str, sources) -> None:
    """Register ``sources() -> [origin, ...]``, asked on every response (keyed: registering again
    replaces)."""
    _form_action_sources[name] = sources


HEADERS = {
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "X-Content-Type-Options": "nosniff",
    # Reset links, calendar feeds and check-in URLs carry tokens in the path: other sites get nothing.
    "Referrer-Policy": "same-origin",
}


def csp_nonce() -> str:
    """This request's script nonce (a template global); made on first use, 128 random bits."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(nonce: str | None = None) -> str:
    directives = {name: list(sources) for name, sources in POLICY.items()}
    for sources in _form_action_sources.values():
        directives["form-action"].extend(origin for origin in sources() if origin not in directives["form-action"])
    if nonce:
        directives["script-src"].append(f"'nonce-{nonce}'")
        directives["style-src"].append(f"'nonce-{nonce}'")
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def set_security_headers(response):
    """after_request: the headers, unless the view set its own. HSTS only when this request came
    over HTTPS (as ProxyFix reports it behind a trusted proxy) and HSTS_SECONDS is set (Production):
    over plain HTTP browsers ignore it, and a developer's localhost must not be pinned to HTTPS."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(g.get("csp_nonce")))
    for name, value in HEADERS.items():
        headers.setdefault(name, value)
    max_age = current_app.config.get("HSTS_SECONDS")
    if max_age and request.is_secure:
        headers.setdefault("Strict-Transport-Security", f"max-age={max_age}")
    return response


def init_app(app):
    app.add_template_global(csp_nonce)
    app.after_request(set_security_headers)
