"""Every write of the tickets domain; each flushes, audits and notifies, never commits.

  tickets   file (reference numbers), assign, reassign, reply, status, priority, rate, and the
            jobs' breach marking and auto-close
  settings  categories, SLA policies, the calendar, specialists' coverage and leave, canned replies
"""
from community.tickets.operations.settings import (
    add_leave, remove_canned_reply, remove_leave, save_calendar, save_canned_reply, save_category, save_policy,
    set_coverage,
)
from community.tickets.operations.tickets import (
    add_reply, auto_assign, auto_close, bulk_reassign, change_status, file_ticket, mark_breaches, next_number,
    rate, reassign, remaining_minutes, set_priority,
)

__all__ = [
    "add_leave", "add_reply", "auto_assign", "auto_close", "bulk_reassign", "change_status", "file_ticket",
    "mark_breaches", "next_number", "rate", "reassign", "remaining_minutes", "remove_canned_reply", "remove_leave",
    "save_calendar", "save_canned_reply", "save_category", "save_policy", "set_coverage", "set_priority",
]
