"""Audit log: who did what to which object, when. Written by operations, never by views.

An entry's ``object_type`` is "<domain>.<Model>" ("amenities.Booking", "accounts.User"), so models of
the same name in two domains never meet; its ``action`` starts with a prefix a domain claimed in
core.labels.register_audit_labels ("amenity.booked" belongs to amenities)."""
import sys
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core.clock import now
from community.core.db import insert_now, nothing_pending
from community.core.jsonable import jsonable
from community.core.labels import ensure_recordable
from community.extensions import db

CODE_LENGTH = 64  # action and object_type; "<domain>.<Model>" fits with room to spare


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=now, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    community_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("communities.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(CODE_LENGTH), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(CODE_LENGTH))
    object_id: Mapped[int | None]
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    actor = relationship("User", lazy="joined")

    __table_args__ = (sa.Index("ix_audit_entries_object", "object_type", "object_id"),)


def record(actor, action: str, obj=None, *, community_id=None, object_type=None, **details) -> AuditEntry:
    """Write an audit entry; it commits with the rest of the unit of work. When the session holds
    nothing still to insert or delete (the operation flushed), the entry is INSERTed at once through
    Core (core.db.insert_now); otherwise it is added, and the flush orders it after what it names.

    ``object_type`` overrides the "<domain>.<Model>" derived from ``obj`` (for an object that is
    not a model of a community package). ValueError for an action whose prefix no domain
    registered, or a code too long for its column: a programming error, found by any test that
    runs the operation, rather than an entry the audit page could not place."""
    ensure_recordable(action)
    object_type = object_type if object_type is not None else object_type_of(obj)
    _check_code("action", action)
    _check_code("object_type", object_type)
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None) if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=getattr(obj, "id", None),
        community_id=community_id if community_id is not None else getattr(obj, "community_id", None),
        details={k: jsonable(v) for k, v in details.items()},
    )
    if nothing_pending(db.session):
        insert_now(db.session, entry)  # one Core INSERT now, instead of a flush of its own later
    else:
        db.session.add(entry)  # the unit of work inserts it after the rows it refers to
    return entry


def object_type_of(obj) -> str:
    """ "<domain>.<Model>": the domain is the package under ``community`` that defines the class
    (community.amenities.models.Booking -> "amenities.Booking"; core models -> "core.<Model>")."""
    if obj is None:
        return ""
    # A model class, or an instance: obj.__class__, not type(obj), so that through current_user's
    # LocalProxy it is the User it stands for.
    cls = obj if isinstance(obj, type) else obj.__class__
    package, _, rest = cls.__module__.partition(".")
    domain = rest.partition(".")[0]
    in_a_package = hasattr(sys.modules.get(f"community.{domain}"), "__path__")
    if package != "community" or not domain or not in_a_package:
        raise ValueError(f"audit: {cls.__module__}.{cls.__name__} is not in a domain package; "
                         "pass object_type='<domain>.<Model>'")
    return f"{domain}.{cls.__name__}"


def _check_code(name, code) -> None:
    if len(code) > CODE_LENGTH:
        raise ValueError(f"audit {name} {code!r} is longer than {CODE_LENGTH} characters")
    if name == "object_type" and code and code.count(".") != 1:
        raise ValueError(f"audit object_type {code!r}: write it as '<domain>.<Model>'")
