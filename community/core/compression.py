"""gzip for text responses when the client accepts it (an after_request of the app, the last to run).

Pages, JSON and problem+json of more than COMPRESS_MIN_SIZE bytes (default 500) are gzipped at
COMPRESS_LEVEL (default 5: most of level 9's gain for a fraction of its CPU) when Accept-Encoding
allows gzip; every such response says ``Vary: Accept-Encoding``, compressed or not, so a shared
cache keeps the two apart. A compressed response's ETag turns weak (W/"..."): the bytes are not the
ones the strong tag named, and core.conditional compares If-None-Match weakly, so the client's copy
still answers 304. Files (send_file: passed through, streamed), partial content, responses that are
already encoded and HEAD answers are left alone. COMPRESS = False turns it off (behind a proxy that
compresses).

BREACH: a page holds the session's CSRF token beside text an attacker may choose, and compressed
sizes over many requests could give the token away. Those requests have to be sent by the victim's
browser from the attacker's page, so the browser marks them ``Sec-Fetch-Site: cross-site`` (or
same-site); pages (HTML) are therefore compressed only for requests the browser marks same-origin or
``none`` (typed, bookmarked), and never for a client that sends no fetch metadata. JSON, CSS, scripts
and the rest carry no such secret and are compressed for anyone who asks."""
import gzip

from flask import current_app, request

TEXT_TYPES = ("text/html", "text/plain", "text/css", "text/csv", "text/calendar", "application/json",
              "application/problem+json", "application/javascript", "text/javascript", "image/svg+xml")


def _accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0 or request.accept_encodings["x-gzip"] > 0


#: Fetch-metadata values of requests an attacker's page cannot have made the browser send.
_OWN_REQUEST_SITES = ("same-origin", "none")


def _may_compress(mimetype: str) -> bool:
    if mimetype != "text/html":
        return True
    return request.headers.get("Sec-Fetch-Site") in _OWN_REQUEST_SITES


def compress_response(response):
    config = current_app.config
    if not config.get("COMPRESS", True):
        return response
    if response.status_code == 304:  # the validator the 200 would carry: weak once compressed
        tag, weak = response.get_etag()
        if tag and not weak and _accepts_gzip():
            response.set_etag(tag, weak=True)
            response.vary.add("Accept-Encoding")
        return response
    if response.mimetype not in TEXT_TYPES:
        return response
    if response.direct_passthrough or response.is_streamed or response.status_code in (204, 206, 304):
        return response
    response.vary.add("Accept-Encoding")
    if "Content-Encoding" in response.headers or request.method == "HEAD" or not _accepts_gzip():
        return response
    if not _may_compress(response.mimetype):
        return response
    body = response.get_data()
    if len(body) < config.get("COMPRESS_MIN_SIZE", 500):
        return response
    response.set_data(gzip.compress(body, compresslevel=config.get("COMPRESS_LEVEL", 5), mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    tag, weak = response.get_etag()
    if tag and not weak:
        response.set_etag(tag, weak=True)
    return response


def init_app(app):
    app.after_request(compress_response)
