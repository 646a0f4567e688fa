"""`flask demo generate` at a tiny size: accounts, tokens, determinism, refusals."""
import json

import sqlalchemy as sa


def _generate(app, tmp_path, *extra):
    runner = app.test_cli_runner()
    return runner.invoke(args=["demo", "generate", "--communities", "2", "--residents", "9",
                               "--resources", "0", "--tokens", "4", "--tokens-file",
                               str(tmp_path / "tokens.json"), *extra])


def test_generates_accounts_and_tokens(app, db, tmp_path):
    from community.accounts.models import ApiToken, RoleGrant, TalentProfile, User
    from community.accounts.operations import token_digest, user_for_token

    result = _generate(app, tmp_path)
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 11  # 2 admins + 9 residents
    assert db.session.scalar(sa.select(sa.func.count(TalentProfile.id))) == 9
    roles = dict(db.session.execute(sa.select(RoleGrant.role, sa.func.count()).group_by(RoleGrant.role)).all())
    assert roles == {"community_admin": 2, "resident": 9}
    first = db.session.scalar(sa.select(User).where(User.email == "r00001@city.test"))
    assert first.community_id == 1 and first.roles() == {"resident"}
    tokens = json.loads((tmp_path / "tokens.json").read_text())["tokens"]
    assert [t["community_id"] for t in tokens] == [1, 2, 1, 2]
    with app.test_request_context():
        user, _record = user_for_token(tokens[1]["token"])
    assert user.email == tokens[1]["email"] and user.community_id == 2
    assert db.session.scalar(sa.select(ApiToken.token_hash).where(ApiToken.id == 1)) == \
        token_digest(tokens[0]["token"])
    # the one shared hash is a real password hash: the resident can log in
    from werkzeug.security import check_password_hash
    assert check_password_hash(first.password_hash, "bench12345")


def test_refuses_a_database_with_data_unless_forced(app, db, tmp_path):
    assert _generate(app, tmp_path).exit_code == 0
    again = _generate(app, tmp_path)
    assert again.exit_code != 0 and "--force" in again.output
    forced = _generate(app, tmp_path, "--force", "--seed", "1")
    assert forced.exit_code == 0, forced.output
    names = db.session.scalars(sa.text("SELECT display_name FROM users ORDER BY id")).all()
    db.session.rollback()  # let go of the read lock: --force truncates (PostgreSQL waits for it)
    assert _generate(app, tmp_path, "--force", "--seed", "1").exit_code == 0
    assert db.session.scalars(sa.text("SELECT display_name FROM users ORDER BY id")).all() == names


def test_refuses_under_production(app, tmp_path):
    app.config["DEMO_ALLOWED"] = False
    try:
        result = _generate(app, tmp_path)
    finally:
        app.config["DEMO_ALLOWED"] = True
    assert result.exit_code != 0 and "Production" in result.output
