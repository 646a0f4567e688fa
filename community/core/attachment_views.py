"""Serving attachments: ``/attachments/<id>/<stored file name>``, to those the owner type's rule
lets see the file, and to nobody else (404, as for an id that does not exist).

Images are shown inline; PDFs are always downloaded (``Content-Disposition: attachment``), so a
document with scripts in it never opens as a page of this site. The type is the one detected at
upload, never guessed again (``nosniff``), and a sandboxing CSP covers the response in case a
browser renders it anyway. Caching is private and revalidated every time (``no-cache`` with an
ETag): a browser may keep the bytes, but each use asks the rule again, so access withdrawn is
withdrawn at once, and an unchanged file costs a 304.
"""
import os
import re
import unicodedata
from urllib.parse import quote

from flask import Blueprint, current_app, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from community.core import uploads
from community.core.attachments import Attachment, visible_attachment
from community.core.errors import NotFound

bp = Blueprint("attachments", __name__, url_prefix="/attachments")


@bp.route("/<int:attachment_id>/<name>")
@login_required
def download(attachment_id, name):
    attachment = visible_attachment(current_user, attachment_id)
    if name != attachment.file_name:
        raise _not_found()
    path = _file_on_disk(attachment)
    response = send_file(path, mimetype=attachment.mimetype, conditional=True, max_age=None)
    response.headers["Content-Disposition"] = content_disposition(attachment)
    response.cache_control.no_cache = True
    response.cache_control.public = False
    response.cache_control.private = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@bp.app_template_global()
def attachment_url(attachment: Attachment, **kwargs) -> str:
    """The serving URL of an attachment on pages; e-mails and API schemas need an absolute one:
    core.urls.external_url("attachments.download", attachment_id=..., name=...)."""
    return url_for("attachments.download", attachment_id=attachment.id, name=attachment.file_name, **kwargs)


def content_disposition(attachment: Attachment) -> str:
    """``inline`` for images, ``attachment`` for everything else, with the original name: an ASCII
    fallback for old clients and the exact name in RFC 5987 ``filename*`` (Chinese names)."""
    disposition = "inline" if attachment.is_image else "attachment"
    name = attachment.original_name
    fallback = ascii_file_name(name, default_stem=f"file-{attachment.id}")
    if name == fallback:
        return f'{disposition}; filename="{fallback}"'
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def ascii_file_name(name: str, *, default_stem: str) -> str:
    """``name`` reduced to characters safe inside a quoted header value; "报告.pdf" has no ASCII
    stem left, so it becomes ``<default_stem>.pdf``."""
    stem, extension = (_ascii(part) for part in os.path.splitext(name))
    return (stem.strip(" ._") or default_stem) + extension


def _ascii(text: str) -> str:
    simple = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9._()\- ]+", "_", simple)


def _file_on_disk(attachment: Attachment) -> str:
    try:
        path = uploads.absolute_path(attachment.stored_path)
    except ValueError:
        current_app.logger.error("attachment %s points outside the upload root: %r", attachment.id,
                                 attachment.stored_path)
        raise _not_found() from None
    if not os.path.isfile(path):
        current_app.logger.warning("attachment %s: file missing on disk: %s", attachment.id, attachment.stored_path)
        raise _not_found()
    return path


def _not_found():
    return NotFound(_l("We could not find what you were looking for."), code="attachment_not_found")
