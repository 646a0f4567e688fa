"""Notifications: notify() writes in-app notices and e-mails (through the outbox) in the
recipient's language; people choose e-mails per event group; the send-outbox job delivers.

Public API: operations.notify / mark_read / mark_all_read / set_email_preferences / queue_email,
kinds.register_group / register_kind, queries.unread_count / notices_for / notice_for."""
from community.notifications import audit_labels  # noqa: F401  (registers the audit log's labels)
