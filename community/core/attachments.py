"""Attachments: files that belong to a domain object (a ticket's photos, a lease inspection's
report, a talent application's evidence, a merchant's licence), stored outside the web root and
served only to those the owning domain lets see them.

Core imports no domain, so an attachment points at its owner by name and id
(``owner_type="tickets.Ticket", owner_id=12``) rather than by a foreign key, and each domain
registers, once at import, the rule for its owner types::

    register_attachment_owner("tickets.Ticket", model=Ticket, may_view=may_view_ticket_file,
                              may_delete=may_delete_ticket_file, max_bytes=5 * 1024 * 1024,
                              kinds=("image",), purposes=("photo",))

``may_view(user, attachment)`` and ``may_delete(user, attachment)`` answer True or False; they
are called with a logged-in user only. ``attach`` trusts its caller (the domain's operation has
already decided that this actor may add a file to this owner); the rule decides who may see and
delete it afterwards, wherever the request comes from (the serving view, an API, a domain page).

An owner that is deleted takes its attachments with it only if its domain says so
(``remove_attachments_of``): there is no foreign key to cascade.
"""
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l, lazy_pgettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core import audit, uploads
from community.core.clock import now
from community.core.errors import NotFound, PermissionDenied, RuleViolation
from community.core.labels import file_size, object_label, register_audit_labels
from community.extensions import db

OWNER_TYPE = re.compile(r"^[a-z][a-z_]*\.[A-Z][A-Za-z0-9]*$")  # "<domain>.<Model>"
PURPOSE = re.compile(r"^[a-z][a-z_]{0,31}$")
MAX_NAME_LENGTH = 120


class Attachment(db.Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_type: Mapped[str] = mapped_column(sa.String(64))
    owner_id: Mapped[int]
    purpose: Mapped[str] = mapped_column(sa.String(32))
    stored_path: Mapped[str] = mapped_column(sa.String(255), unique=True)  # relative to UPLOAD_ROOT
    original_name: Mapped[str] = mapped_column(sa.String(255))  # sanitised; shown as text only
    mimetype: Mapped[str] = mapped_column(sa.String(64))  # the detected type, never the client's
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    community_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communities.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    uploaded_by = relationship("User")

    __table_args__ = (
        sa.Index("ix_attachments_owner", "owner_type", "owner_id"),
        sa.CheckConstraint("size > 0", name="size_positive"),
        # uploads.absolute_path refuses these too; the database keeps them from being stored at all.
        sa.CheckConstraint("stored_path NOT LIKE '/%' AND stored_path NOT LIKE '%..%'", name="stored_path_relative"),
    )

    @property
    def file_name(self) -> str:
        """The stored file's own name (random, with the detected extension): the URL's last part."""
        return os.path.basename(self.stored_path)

    @property
    def is_image(self) -> bool:
        return self.mimetype.startswith("image/")

    def __repr__(self):
        return f"<Attachment {self.id} {self.owner_type}:{self.owner_id} {self.purpose}>"


# -- the rules, one per owner type -------------------------------------------------------------------

@dataclass(frozen=True)
class OwnerRule:
    owner_type: str
    model: type
    may_view: Callable
    may_delete: Callable | None
    max_bytes: int | Callable[[], int]
    kinds: tuple[str, ...]
    purposes: tuple[str, ...] | None

    def limit(self) -> int:
        """The size limit now (a callable reads it from the config at the time of the upload)."""
        return self.max_bytes() if callable(self.max_bytes) else self.max_bytes

    def folder(self) -> str:
        """attachments/<domain>/<year-month>: a month's files stay together for backups."""
        return f"attachments/{self.owner_type.split('.')[0]}/{now():%Y-%m}"


_RULES: dict[str, OwnerRule] = {}


def register_attachment_owner(owner_type: str, *, model: type, may_view: Callable, may_delete: Callable | None = None,
                              max_bytes: int | Callable[[], int], kinds=("image", "pdf"),
                              purposes: tuple[str, ...] | None = None) -> OwnerRule:
    """Say who may see and delete the attachments of ``model`` objects, and what they may be.

    ``owner_type`` is "<domain>.<Model>"; ``may_delete=None`` means nobody may (evidence that must
    stay); ``max_bytes`` is an int or a callable read at upload time (e.g. from the config), and
    must not exceed MAX_CONTENT_LENGTH, which refuses the whole request first; ``purposes=None``
    allows any purpose."""
    if not OWNER_TYPE.match(owner_type):
        raise ValueError(f"owner type must look like 'domain.Model': {owner_type!r}")
    if owner_type in _RULES or any(rule.model is model for rule in _RULES.values()):
        raise ValueError(f"attachment owner registered twice: {owner_type!r}")
    unknown = set(kinds) - set(uploads.KINDS)
    if unknown or not kinds:
        raise ValueError(f"unknown file kinds: {sorted(unknown)}")
    for purpose in purposes or ():
        if not PURPOSE.match(purpose):
            raise ValueError(f"bad purpose: {purpose!r}")
    rule = OwnerRule(owner_type, model, may_view, may_delete, max_bytes, tuple(kinds),
                     tuple(purposes) if purposes is not None else None)
    _RULES[owner_type] = rule
    return rule


def unregister_attachment_owner(owner_type: str) -> None:
    """For tests that register an owner type of their own."""
    _RULES.pop(owner_type, None)


def rule_for_type(owner_type: str) -> OwnerRule | None:
    return _RULES.get(owner_type)


def rule_for_owner(owner) -> OwnerRule:
    for cls in type(owner).__mro__:
        for rule in _RULES.values():
            if rule.model is cls:
                return rule
    raise LookupError(f"no attachment rule registered for {type(owner).__name__}")


# -- refusals ----------------------------------------------------------------------------------------

class AttachmentRefused(RuleViolation):
    """The file is not acceptable here; ``reason`` ("type", "size", "empty") is in ``extra``."""

    code = "attachment_refused"

    def __init__(self, reason: str, *, kinds, max_bytes: int):
        super().__init__(refusal_message(reason, kinds, max_bytes), reason=reason, max_bytes=max_bytes)
        self.reason = reason


def refusal_message(reason: str, kinds, max_bytes: int):
    """What the uploader reads when a file is refused."""
    if reason == "size":
        return _l("The file is larger than %(size)s. Choose a smaller one.", size=human_size(max_bytes))
    if reason == "empty":
        return _l("The chosen file is empty.")
    if tuple(kinds) == ("image",):
        return _l("Choose an image in JPEG, PNG or WebP format (the file itself is checked, not only its name).")
    if tuple(kinds) == ("pdf",):
        return _l("Choose a PDF file (the file itself is checked, not only its name).")
    return _l("Choose a PDF file or an image in JPEG, PNG or WebP format (the file itself is checked, "
              "not only its name).")


def human_size(n: int) -> str:
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= factor:
            return f"{n / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} B"


def clean_file_name(name: str | None, fallback: str = "file") -> str:
    """The uploader's file name, fit to show as text: no folders, no control or formatting
    characters (a right-to-left override can make "gpj.exe" read "exe.jpg"), at most
    MAX_NAME_LENGTH characters with the extension kept; ``fallback`` when nothing is left."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]  # some browsers send the whole client-side path
    # Any space (a tab, a new line, an ideographic space) becomes one plain space; other control
    # and formatting characters go.
    name = "".join(" " if ch.isspace() else ch for ch in name if ch.isspace() or unicodedata.category(ch)[0] != "C")
    name = " ".join(name.split()).strip(" .")
    if len(name) > MAX_NAME_LENGTH:
        stem, extension = os.path.splitext(name)
        extension = extension[:16]
        name = stem[:MAX_NAME_LENGTH - len(extension)].rstrip(" .") + extension
    return name or fallback


# -- operations ----------------------------------------------------------------------------------------

def attach(file, *, owner, purpose: str, actor, community_id: int | None = None) -> Attachment:
    """Check ``file`` against the owner type's rule, store it, add the row, flush and audit.

    ``owner`` must have an ``id`` (flush it first); ``community_id`` defaults to the owner's.
    Raises AttachmentRefused (422) for a file of the wrong kind, too large or empty. The stored
    file is removed again if the unit of work rolls back."""
    rule = rule_for_owner(owner)
    if owner.id is None:
        raise ValueError("the owner has no id yet: flush it before attaching files")
    if rule.purposes is not None and purpose not in rule.purposes:
        raise ValueError(f"purpose {purpose!r} is not one of {rule.owner_type}'s {rule.purposes}")
    limit = rule.limit()
    try:
        stored = uploads.save_file(file, rule.folder(), limit, rule.kinds)
    except uploads.UploadRefused as refused:
        raise AttachmentRefused(refused.reason, kinds=rule.kinds, max_bytes=limit) from None
    attachment = Attachment(
        owner_type=rule.owner_type, owner_id=owner.id, purpose=purpose, stored_path=stored.relative_path,
        original_name=clean_file_name(file.filename, fallback=stored.relative_path.rsplit("/", 1)[1]),
        mimetype=stored.mimetype, size=stored.size, uploaded_by_id=getattr(actor, "id", None),
        community_id=community_id if community_id is not None else getattr(owner, "community_id", None),
    )
    db.session.add(attachment)
    db.session.flush()
    audit.record(actor, "attachment.added", attachment, owner_type=rule.owner_type, owner_id=owner.id,
                 purpose=purpose, file_name=attachment.original_name, size=attachment.size)
    return attachment


def remove_attachment(attachment: Attachment, actor) -> None:
    """Delete the row now and the file after the commit, if the owner type's rule lets ``actor``
    delete it. Someone who may not even see it gets NotFound (404), like an unknown id; someone who
    may see it but not delete it gets PermissionDenied (403)."""
    rule = rule_for_type(attachment.owner_type)
    if rule is None or not may_view(actor, attachment):
        raise NotFound(_l("We could not find what you were looking for."), code="attachment_not_found")
    if rule.may_delete is None or not rule.may_delete(actor, attachment):
        raise PermissionDenied(_l("You may not delete this file."), code="attachment_not_deletable")
    _delete(attachment, actor)


def remove_attachments_of(owner, *, actor) -> int:
    """Delete every attachment of ``owner`` (for a domain that deletes the owner itself; its own
    operation has decided that ``actor`` may). Returns how many went."""
    removed = attachments_of(owner)
    for attachment in removed:
        _delete(attachment, actor)
    return len(removed)


def _delete(attachment: Attachment, actor) -> None:
    uploads.delete_after_commit(attachment.stored_path)
    audit.record(actor, "attachment.removed", attachment, owner_type=attachment.owner_type,
                 owner_id=attachment.owner_id, purpose=attachment.purpose, file_name=attachment.original_name)
    db.session.delete(attachment)
    db.session.flush()


# -- reads -----------------------------------------------------------------------------------------------

def may_view(user, attachment: Attachment) -> bool:
    """The owner type's rule, asked only for a logged-in user; no rule, no access."""
    rule = rule_for_type(attachment.owner_type)
    if rule is None or user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(rule.may_view(user, attachment))


def attachments_of(owner, purpose: str | None = None) -> list[Attachment]:
    """The owner's attachments (of one purpose when given), oldest first."""
    rule = rule_for_owner(owner)
    stmt = sa.select(Attachment).where(Attachment.owner_type == rule.owner_type, Attachment.owner_id == owner.id)
    if purpose is not None:
        stmt = stmt.where(Attachment.purpose == purpose)
    return list(db.session.scalars(stmt.order_by(Attachment.created_at, Attachment.id)))


def visible_attachment(user, attachment_id: int) -> Attachment:
    """The attachment if ``user`` may see it; NotFound otherwise, exactly as for an unknown id."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or not may_view(user, attachment):
        raise NotFound(_l("We could not find what you were looking for."), code="attachment_not_found")
    return attachment


register_audit_labels(
    "core",
    label=lazy_pgettext("core", "Platform"),
    actions={"attachment.added": _l("File attached"), "attachment.removed": _l("Attached file removed")},
    objects={"Attachment": _l("Attached file")},
    details={"file_name": _l("File name"), "purpose": _l("Purpose"), "owner_type": _l("Belongs to"),
             "owner_id": _l("Belongs to (id)"), "size": _l("Size")},
    values={"owner_type": object_label, "size": file_size},
    refs={"owner_id": lambda details: details.get("owner_type")},  # named by the owner's domain
    names={"Attachment": lambda ids, viewer: dict(db.session.execute(
        sa.select(Attachment.id, Attachment.original_name).where(Attachment.id.in_(ids))).all())},
)
