"""Uploaded files: checked by content and size, stored outside the web root, tied to the unit of work.

Files live under UPLOAD_ROOT (instance/uploads by default), which no static route serves; each
domain serves its files through a view that checks access first. A stored file is named by a
random token plus the extension of its *detected* type, so neither the uploader's file name nor
a lying extension ever reaches the disk.

Files are not transactional, so they follow the database session: a file saved during a request
that then rolls back is removed again, and a file replaced or deleted is only removed once the
commit has happened (a rolled-back change keeps pointing at a file that still exists).
"""
import os
import secrets

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

# Signatures (magic bytes) of the image types we accept, and the extension each is stored with.
IMAGE_TYPES = {"jpeg": ".jpg", "png": ".png", "webp": ".webp"}
IMAGE_MIMETYPES = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp"}
SNIFF_BYTES = 16
CHUNK = 64 * 1024


class UploadRefused(ValueError):
    """The upload is not acceptable; ``reason`` is one of "type", "size", "empty"."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def image_type(head: bytes) -> str | None:
    """'jpeg', 'png' or 'webp' from a file's first bytes, else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def upload_root() -> str:
    return current_app.config.get("UPLOAD_ROOT") or os.path.join(current_app.instance_path, "uploads")


def absolute_path(relative: str) -> str:
    """Where a stored relative path lives; refuses anything that would leave UPLOAD_ROOT."""
    root = os.path.realpath(upload_root())
    path = os.path.realpath(os.path.join(root, relative))
    if os.path.commonpath([root, path]) != root or path == root:
        raise ValueError(f"upload path outside the upload root: {relative!r}")
    return path


def check_image(file, max_bytes: int) -> str:
    """The detected type of an uploaded image (a werkzeug FileStorage or any object with
    ``filename`` and ``stream``); raises UploadRefused. Leaves the stream at its start."""
    name = (getattr(file, "filename", "") or "").lower()
    if os.path.splitext(name)[1] not in IMAGE_EXTENSIONS:
        raise UploadRefused("type")
    stream = file.stream
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    size = len(head)
    while size <= max_bytes:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
    stream.seek(0)
    if size == 0:
        raise UploadRefused("empty")
    if size > max_bytes:
        raise UploadRefused("size")
    kind = image_type(head)
    if kind is None:
        raise UploadRefused("type")
    return kind


def save_image(file, folder: str, max_bytes: int) -> str:
    """Check and store an image under UPLOAD_ROOT/<folder>/<random name>; returns the path
    relative to UPLOAD_ROOT. Removed again if the session rolls back."""
    kind = check_image(file, max_bytes)
    relative = f"{folder}/{secrets.token_urlsafe(18)}{IMAGE_TYPES[kind]}"
    path = absolute_path(relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    partial = path + ".part"
    with open(partial, "wb") as out:
        stream = file.stream
        stream.seek(0)
        while chunk := stream.read(CHUNK):
            out.write(chunk)
    os.replace(partial, path)  # readers never see half a file
    _pending(_session(), "new").add(relative)
    return relative


def delete_after_commit(relative: str | None) -> None:
    """Remove a stored file once the current transaction commits (never if it rolls back)."""
    if relative:
        _pending(_session(), "old").add(relative)


def mimetype_of(relative: str) -> str:
    return IMAGE_MIMETYPES.get(os.path.splitext(relative)[1], "application/octet-stream")


# -- tie files to the session's transaction ---------------------------------------------------------

def _session() -> Session:
    from community.extensions import db

    return db.session()


def _pending(session: Session, which: str) -> set:
    return session.info.setdefault(f"uploads_{which}", set())


def _remove_quietly(session: Session, which: str, root: str | None) -> None:
    for relative in session.info.pop(f"uploads_{which}", set()):
        try:
            if root is not None:
                os.remove(os.path.join(root, relative))
        except FileNotFoundError:
            pass


def _root_or_none():
    try:
        return upload_root()
    except RuntimeError:  # outside an app context nothing was uploaded through us
        return None


@sa.event.listens_for(Session, "after_commit")
def _after_commit(session):
    session.info.pop("uploads_new", None)  # kept: the rows that point at them are committed
    _remove_quietly(session, "old", _root_or_none())


@sa.event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session, previous_transaction):
    if previous_transaction.nested or previous_transaction.parent is not None:
        return  # a savepoint: the outer transaction decides
    session.info.pop("uploads_old", None)  # the old rows still point at them
    _remove_quietly(session, "new", _root_or_none())
