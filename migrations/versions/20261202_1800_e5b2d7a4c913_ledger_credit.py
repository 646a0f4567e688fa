"""payments: a 'credit' ledger transaction, a charge made smaller (a rent bill cut to the days
lived when its lease ended early: a move-out before the month's end, an early termination).

Only the CHECK on ledger_transactions.kind changes. On PostgreSQL that is a drop and a create. On
SQLite it means rebuilding the table (batch mode), and SQLite's DROP TABLE first deletes the rows
with foreign keys on, which ledger_entries (ON DELETE RESTRICT) refuses: so the entries are set
aside in a temporary table for the rebuild and put back with the same ids (copy a SQLite file
before upgrading it: Alembic runs SQLite's DDL outside a transaction). The table's partial
unique indexes are created again by name, so their WHERE is certain to survive the rebuild.

Revision ID: e5b2d7a4c913
Revises: c4e8a1f05b13
Create Date: 2026-12-02 18:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'e5b2d7a4c913'
down_revision = 'c4e8a1f05b13'
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('charge', 'payment', 'refund', 'reversal', 'write_off')"
NEW_KINDS = "kind IN ('charge', 'payment', 'refund', 'reversal', 'write_off', 'credit')"
PARTIAL_UNIQUE = (("uq_ledger_transactions_charge", "charge"), ("uq_ledger_transactions_write_off", "write_off"))


def _set_kinds(check):
    name = op.f("ck_ledger_transactions_known_kind")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(name, "ledger_transactions", type_="check")
        op.create_check_constraint(name, "ledger_transactions", check)
        return
    op.execute("CREATE TEMP TABLE _ledger_entries_kept AS SELECT * FROM ledger_entries")
    op.execute("DELETE FROM ledger_entries")
    with op.batch_alter_table("ledger_transactions", recreate="always") as batch_op:
        batch_op.drop_constraint(name, type_="check")
        batch_op.create_check_constraint(name, check)
    for index, kind in PARTIAL_UNIQUE:
        op.execute(f"DROP INDEX IF EXISTS {index}")
        op.create_index(index, "ledger_transactions", ["payable_kind", "payable_id"], unique=True,
                        sqlite_where=sa.text(f"kind = '{kind}'"))
    op.execute("INSERT INTO ledger_entries SELECT * FROM _ledger_entries_kept")
    op.execute("DROP TABLE _ledger_entries_kept")


def upgrade():
    _set_kinds(NEW_KINDS)


def downgrade():
    # The old CHECK cannot hold credits, and ledger entries are never deleted (on PostgreSQL a
    # trigger refuses it): a ledger with credits stays at this revision.
    credits = op.get_bind().execute(sa.text("SELECT count(*) FROM ledger_transactions WHERE kind = 'credit'")).scalar()
    if credits:
        raise RuntimeError(f"{credits} credit transactions are in the ledger; entries are never deleted, "
                           "so this database cannot go below revision e5b2d7a4c913")
    _set_kinds(OLD_KINDS)
