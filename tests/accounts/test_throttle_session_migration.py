"""Revision 3c5e8a1f7b20 changes `users` in place: going down and up again keeps every user and
everything that hangs off one (on SQLite a table rebuild would have cascaded their deletion)."""
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

BEFORE = "cdba7ac956b9"


def _counts(db):
    with db.engine.connect() as connection:
        return {table: connection.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar()
                for table in ("users", "role_grants", "talent_profiles", "api_tokens")}


def test_down_and_up_keeps_users_and_what_hangs_off_them(db, create_user, api_token, client):
    from community.accounts.models import User

    user = create_user("kept@example.test", roles=("resident", "specialist"))
    api_token(user)
    before = _counts(db)
    user_id = user.id
    db.session.remove()
    try:
        downgrade(revision=BEFORE)
        assert _counts(db) == before
        with db.engine.connect() as connection:
            row = connection.execute(sa.text("SELECT failed_logins, locked_until FROM users WHERE id = :id"),
                                     {"id": user_id}).one()
        assert tuple(row) == (0, None)  # back as nobody locked
    finally:
        db.session.remove()
        upgrade()
    assert _counts(db) == before
    assert db.session.get(User, user_id).session_generation == 0
