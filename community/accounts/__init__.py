"""Users, roles, communities and buildings, talent profiles, API tokens."""
from community.accounts import audit_labels  # noqa: F401  (registers the audit log's labels)
