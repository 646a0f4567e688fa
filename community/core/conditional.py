"""Conditional GETs: an ETag derived from what a response shows, and 304 Not Modified for a client
that already holds it (a phone polling availability gets a few header bytes instead of the week).

A view computes its tag from the data it read (before building the body), asks ``not_modified``
whether the client already has it, and otherwise tags its response with ``tagged``. Tags are strong
as the view makes them; compression (core.compression) turns them weak, since the bytes differ, and
If-None-Match is compared weakly (RFC 9110 13.1.2), so a tag that went out weak still matches.
Responses are private and ``no-cache``: kept by the browser, asked again every time."""
import hashlib
from functools import lru_cache

from flask import current_app, request
from flask_babel import get_locale
from werkzeug.wrappers import Response

CACHE_CONTROL = "private, no-cache"


def locale_part() -> str:
    """The language a response is written in, for its tag."""
    return str(get_locale() or "")


def not_modified(tag: str) -> Response | None:
    """304 with the tag when the request's If-None-Match names it; else None."""
    if request.method not in ("GET", "HEAD") or not request.if_none_match:
        return None
    if not request.if_none_match.contains_weak(tag):
        return None
    response = Response(status=304)
    return tagged(response, tag)


def tagged(response: Response, tag: str) -> Response:
    response.set_etag(tag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def templates_version(*names: str) -> str:
    """A digest of these templates' source, for the tag of a page rendered from them: a deploy that
    changes the markup changes the tag. Read once a process (templates do not change under it)."""
    return _templates_digest(current_app.jinja_env, names)


@lru_cache(maxsize=32)
def _templates_digest(env, names) -> str:
    digest = hashlib.blake2b(digest_size=8)
    for name in names:
        source, _filename, _uptodate = env.loader.get_source(env, name)
        digest.update(source.encode())
    return digest.hexdigest()
