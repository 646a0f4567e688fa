"""Pure rules of the tickets domain (no session): who may move a ticket to which status, the SLA
targets, the reopen window and the assignment order."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from community.tickets.models import (
    ASSIGNED, CLOSED, IN_PROGRESS, NEW, OPEN_STATUSES, REOPENED, RESOLVED, WAITING,
)

MAX_PHOTOS = 5
PHOTO_MAX_BYTES = 5 * 1024 * 1024
MAX_REPLY_FILES = 5  # a reply's attachments (images, PDFs)
FILE_MAX_BYTES = 5 * 1024 * 1024
REOPEN_WINDOW = timedelta(days=7)
TITLE_MAX, DESCRIPTION_MAX, BODY_MAX, DETAIL_MAX, CONTACT_MAX, REASON_MAX, COMMENT_MAX = (
    120, 5000, 5000, 255, 120, 255, 1000)

# Business minutes (first response, resolution) when a category has no policy of its own.
DEFAULT_TARGETS = {"low": (480, 4800), "normal": (240, 2400), "high": (120, 960), "urgent": (30, 240)}

# What staff may do from each status ("closed" from resolved: the resident confirmed by phone).
STAFF_TRANSITIONS = {
    NEW: {IN_PROGRESS, WAITING, RESOLVED},
    ASSIGNED: {IN_PROGRESS, WAITING, RESOLVED},
    IN_PROGRESS: {WAITING, RESOLVED},
    WAITING: {IN_PROGRESS, RESOLVED},
    REOPENED: {IN_PROGRESS, WAITING, RESOLVED},
    RESOLVED: {CLOSED},
    CLOSED: set(),
}
# The resident confirms (closed) or reopens a resolution, within REOPEN_WINDOW.
RESIDENT_TRANSITIONS = {RESOLVED: {CLOSED, REOPENED}}
RESIDENT_TARGETS = {CLOSED, REOPENED}


def staff_may(from_status: str, to_status: str) -> bool:
    return to_status in STAFF_TRANSITIONS.get(from_status, set())


def resident_may(from_status: str, to_status: str) -> bool:
    return to_status in RESIDENT_TRANSITIONS.get(from_status, set())


def within_reopen_window(resolved_at: datetime | None, at: datetime) -> bool:
    return resolved_at is not None and at < resolved_at + REOPEN_WINDOW


def targets_for(policy, priority: str) -> tuple[int, int]:
    """(first response, resolution) in business minutes for ``priority`` under ``policy``."""
    target = policy.target_for(priority) if policy is not None else None
    if target is not None:
        return target.first_response_minutes, target.resolution_minutes
    return DEFAULT_TARGETS[priority]


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES


@dataclass(frozen=True)
class Candidate:
    user_id: int
    open_tickets: int
    last_assigned_at: datetime | None


def on_leave(leaves, user_id: int, day: date) -> bool:
    """``leaves``: (user_id, starts_on, ends_on) rows."""
    return any(uid == user_id and start <= day <= end for uid, start, end in leaves)


def pick_assignee(candidates: list[Candidate]) -> int | None:
    """Least open tickets first, then the one whose turn it is (assigned longest ago, never
    assigned first), then the lowest id: a stable round robin among equals."""
    if not candidates:
        return None
    never = datetime.min

    def key(c: Candidate):
        last = c.last_assigned_at
        return (c.open_tickets, last is not None, last.replace(tzinfo=None) if last else never, c.user_id)

    return min(candidates, key=key).user_id


def reference(year: int, number: int) -> str:
    return f"TC-{year}-{number:06d}"
