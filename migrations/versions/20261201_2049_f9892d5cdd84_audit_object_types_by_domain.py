"""audit entries: object types named by domain ("Booking" -> "amenities.Booking")

core.audit.record now writes object_type as "<domain>.<Model>", so two domains' models of the same
name stay apart. This rewrites the rows written before, with a fixed mapping of every model that
existed when they were written (what audit.record could have derived then), plus "LocalProxy" (see
LEGACY_TO_NEW) to "accounts.User"; other values (none, or a test's own) are left as they are.
Action codes keep their prefixes ("amenity.booked"), so they are not touched. The column stays
String(64): the longest type today is 25 characters, and record refuses a longer one on every
database instead of letting only PostgreSQL do so.

One UPDATE with a CASE, so the table is read once: about 13 s a million rows on PostgreSQL (a busy
two-core machine). It locks only the old rows it rewrites; the application only inserts audit rows,
so requests do not wait on it. Run it as every migration is run, before the new code serves
(docs/operations.md): a node still running the old code would go on writing bare names, which the
page then shows as stored.

Revision ID: f9892d5cdd84
Revises: 5b1e7c2d9a40
Create Date: 2026-12-01 20:49:01

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f9892d5cdd84'
down_revision = '5b1e7c2d9a40'
branch_labels = None
depends_on = None

# Frozen here on purpose: a migration must keep doing what it did when models move or are renamed.
DOMAIN_OF_MODEL = {
    "User": "accounts", "RoleGrant": "accounts", "TalentProfile": "accounts", "ApiToken": "accounts",
    "Community": "accounts", "Building": "accounts",
    "Resource": "amenities", "Closure": "amenities", "BookingSeries": "amenities", "Booking": "amenities",
    "Suspension": "amenities", "CalendarFeed": "amenities",
    "OutboxEmail": "notifications",
    "JobRun": "core", "AuditEntry": "core", "Attachment": "core",
}
OLD_TO_NEW = {model: f"{domain}.{model}" for model, domain in DOMAIN_OF_MODEL.items()}
# record used type(obj), which for current_user is werkzeug's proxy: profile and password changes
# made on a page were written as "LocalProxy". current_user is the only proxy ever audited, and it
# is always a User. The downgrade writes those back as "User", the name they should have had.
LEGACY_TO_NEW = {"LocalProxy": "accounts.User"}

audit_entries = sa.table("audit_entries", sa.column("object_type", sa.String(64)))


def _rename(mapping: dict) -> None:
    column = audit_entries.c.object_type
    op.execute(audit_entries.update()
               .where(column.in_(list(mapping)))
               .values(object_type=sa.case(mapping, value=column)))


def upgrade():
    _rename({**OLD_TO_NEW, **LEGACY_TO_NEW})


def downgrade():
    _rename({new: old for old, new in OLD_TO_NEW.items()})
