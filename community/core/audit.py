"""Audit log: who did what to which object, when. Written by operations, never by views."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core.clock import now
from community.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=now, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    community_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("communities.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(64))
    object_id: Mapped[int | None]
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    actor = relationship("User", lazy="joined")

    __table_args__ = (sa.Index("ix_audit_entries_object", "object_type", "object_id"),)


def record(actor, action: str, obj=None, *, community_id=None, **details) -> AuditEntry:
    """Add an audit entry to the session; it commits with the rest of the unit of work."""
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None) if actor is not None else None,
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=getattr(obj, "id", None),
        community_id=community_id if community_id is not None else getattr(obj, "community_id", None),
        details={k: _jsonable(v) for k, v in details.items()},
    )
    db.session.add(entry)
    return entry


def _jsonable(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)
