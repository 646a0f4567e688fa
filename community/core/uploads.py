"""Uploaded files: checked by content and size, stored outside the web root, tied to the unit of work.

Files live under UPLOAD_ROOT (instance/uploads by default), which no static route serves; each
file is served by a view that checks access first (amenity photos by the amenities views, every
other file as an attachment, core/attachments.py). A stored file is named by a random token plus
the extension of its *detected* type, so neither the uploader's file name nor a lying extension
ever reaches the disk.

The type is read from the content (the magic bytes), and the name must agree with it: a file
named ``.pdf`` must be a PDF, and a file named like an image must be an image (a PNG called
``.jpg`` is fine, a PNG called ``.pdf`` or a PDF called ``.png`` is not). A mismatch is either a
mistake the uploader wants to hear about or a disguise; neither is stored.

Files are not transactional, so they follow the database session: a file saved during a request
that then rolls back is removed again, and a file replaced or deleted is only removed once the
commit has happened (a rolled-back change keeps pointing at a file that still exists).
"""
import os
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class FileType:
    kind: str       # the family a use allows: "image" or "pdf"
    extension: str  # what the stored file is named with
    mimetype: str   # what it is served as


FILE_TYPES = {
    "jpeg": FileType("image", ".jpg", "image/jpeg"),
    "png": FileType("image", ".png", "image/png"),
    "webp": FileType("image", ".webp", "image/webp"),
    "pdf": FileType("pdf", ".pdf", "application/pdf"),
}
KINDS = ("image", "pdf")
# The family an uploader's file name claims; a name outside this list is refused whatever it holds.
NAME_KINDS = {".jpg": "image", ".jpeg": "image", ".png": "image", ".webp": "image", ".pdf": "pdf"}

# Kept for the amenity photo code and its tests.
IMAGE_TYPES = {name: t.extension for name, t in FILE_TYPES.items() if t.kind == "image"}
IMAGE_MIMETYPES = {t.extension: t.mimetype for t in FILE_TYPES.values() if t.kind == "image"}
IMAGE_EXTENSIONS = {ext for ext, kind in NAME_KINDS.items() if kind == "image"}
MIMETYPES = {t.extension: t.mimetype for t in FILE_TYPES.values()}

SNIFF_BYTES = 16
CHUNK = 64 * 1024
# "%PDF-" and a version such as 1.7 or 2.0: every PDF writer puts this first. Readers tolerate
# junk before it; we do not, so a file is a PDF from byte 0 or not at all.
PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")


class UploadRefused(ValueError):
    """The upload is not acceptable; ``reason`` is one of "type", "size", "empty"."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CheckedFile:
    type: str  # a key of FILE_TYPES
    size: int

    @property
    def kind(self) -> str:
        return FILE_TYPES[self.type].kind

    @property
    def mimetype(self) -> str:
        return FILE_TYPES[self.type].mimetype


@dataclass(frozen=True)
class StoredFile:
    relative_path: str  # relative to UPLOAD_ROOT
    type: str
    size: int

    @property
    def mimetype(self) -> str:
        return FILE_TYPES[self.type].mimetype


def detect_type(head: bytes) -> str | None:
    """'jpeg', 'png', 'webp' or 'pdf' from a file's first bytes, else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if PDF_HEADER.match(head):
        return "pdf"
    return None


def image_type(head: bytes) -> str | None:
    """'jpeg', 'png' or 'webp' from a file's first bytes, else None."""
    detected = detect_type(head)
    return detected if detected in IMAGE_TYPES else None


def upload_root() -> str:
    return current_app.config.get("UPLOAD_ROOT") or os.path.join(current_app.instance_path, "uploads")


def absolute_path(relative: str) -> str:
    """Where a stored relative path lives; refuses anything that would leave UPLOAD_ROOT (``..``,
    an absolute path, a symbolic link pointing out)."""
    root = os.path.realpath(upload_root())
    path = os.path.realpath(os.path.join(root, relative))
    if os.path.commonpath([root, path]) != root or path == root:
        raise ValueError(f"upload path outside the upload root: {relative!r}")
    return path


def check_file(file, max_bytes: int, kinds=KINDS) -> CheckedFile:
    """Check an uploaded file (a werkzeug FileStorage or any object with ``filename`` and
    ``stream``): its content is one of ``kinds``, its name claims the same kind, and it holds
    1..max_bytes bytes. Raises UploadRefused; leaves the stream at its start."""
    claimed = NAME_KINDS.get(os.path.splitext((getattr(file, "filename", "") or "").lower())[1])
    if claimed is None or claimed not in kinds:
        raise UploadRefused("type")
    head, size = _measure(file.stream, max_bytes)
    if size == 0:
        raise UploadRefused("empty")
    if size > max_bytes:
        raise UploadRefused("size")
    detected = detect_type(head)
    if detected is None or FILE_TYPES[detected].kind != claimed:
        raise UploadRefused("type")
    return CheckedFile(detected, size)


def check_image(file, max_bytes: int) -> str:
    """The detected type of an uploaded image ('jpeg', 'png' or 'webp'); raises UploadRefused."""
    return check_file(file, max_bytes, kinds=("image",)).type


def save_file(file, folder: str, max_bytes: int, kinds=KINDS) -> StoredFile:
    """Check and store a file under UPLOAD_ROOT/<folder>/<random name><extension of its detected
    type>. Removed again if the session rolls back."""
    checked = check_file(file, max_bytes, kinds)
    relative = f"{folder}/{secrets.token_urlsafe(18)}{FILE_TYPES[checked.type].extension}"
    path = absolute_path(relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    partial = path + ".part"
    _pending(_session(), "new").add(relative)  # before writing: a failed write is cleaned up too
    try:
        with open(partial, "wb") as out:
            stream = file.stream
            stream.seek(0)
            while chunk := stream.read(CHUNK):
                out.write(chunk)
        os.replace(partial, path)  # readers never see half a file
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return StoredFile(relative, checked.type, checked.size)


def save_image(file, folder: str, max_bytes: int) -> str:
    """Check and store an image; returns the path relative to UPLOAD_ROOT."""
    return save_file(file, folder, max_bytes, kinds=("image",)).relative_path


def delete_after_commit(relative: str | None) -> None:
    """Remove a stored file once the current transaction commits (never if it rolls back)."""
    if relative:
        _pending(_session(), "old").add(relative)


def mimetype_of(relative: str) -> str:
    return MIMETYPES.get(os.path.splitext(relative)[1], "application/octet-stream")


def _measure(stream, max_bytes: int) -> tuple[bytes, int]:
    """The first SNIFF_BYTES and the size, reading no further than one chunk past max_bytes."""
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    size = len(head)
    while size <= max_bytes:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
    stream.seek(0)
    return head, size


# -- tie files to the session's transaction ---------------------------------------------------------

def _session() -> Session:
    from community.extensions import db

    return db.session()


def _pending(session: Session, which: str) -> set:
    if not session.in_transaction():
        # A rollback without a transaction is a no-op that fires no event; begin one (as the
        # first query would) so that the file is removed if this unit of work is rolled back.
        session.begin()
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
