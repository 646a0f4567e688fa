"""`flask demo generate` at a tiny size: accounts, tokens, determinism, refusals."""
import json

import sqlalchemy as sa


def _generate(app, tmp_path, *extra):
    runner = app.test_cli_runner()
    return runner.invoke(args=["demo", "generate", "--communities", "2", "--residents", "9",
                               "--resources", "0", "--tickets", "0", "--tokens", "4", "--tokens-file",
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


def test_generates_amenities_the_real_models_read(app, db, tmp_path):
    """The amenities part writes the real tables: the ORM reads them back, every kind is there,
    holding bookings never exceed a slot's capacity, and tokens go to active residents only."""
    from community.accounts.models import User
    from community.amenities import queries
    from community.amenities.models import BOOKING_STATUSES, HOLDING_STATUSES, Booking, Resource

    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "generate", "--communities", "2", "--residents", "300", "--tickets", "0",
                                 "--resources", "16", "--weeks", "2", "--future-weeks", "1",
                                 "--tokens", "250", "--tickets", "0", "--tokens-file", str(tmp_path / "tokens.json")])
    assert result.exit_code == 0, result.output
    resources = db.session.scalars(sa.select(Resource)).all()
    assert len(resources) == 16
    assert {r.kind for r in resources} == {"meeting_room", "gym", "laundry", "coffee_bar", "canteen",
                                           "activity_room", "other"}
    statuses = set(db.session.scalars(sa.select(Booking.status).distinct()))
    assert statuses <= set(BOOKING_STATUSES) and {"checked_in", "cancelled", "no_show"} <= statuses
    over = db.session.execute(
        sa.select(Booking.resource_id, Booking.start_at, sa.func.count().label("n"), Resource.capacity)
        .join(Resource).where(Booking.status.in_(HOLDING_STATUSES))
        .group_by(Booking.resource_id, Booking.start_at, Resource.capacity)
        .having(sa.func.count() > Resource.capacity)).all()
    assert over == []
    booking = db.session.scalars(sa.select(Booking).limit(1)).one()
    assert booking.start_at.tzinfo is not None and booking.community_id == booking.resource.community_id
    days = queries.availability(resources[0], booking.start_at.date(), 7)
    assert len(days) == 7
    tokens = json.loads((tmp_path / "tokens.json").read_text())["tokens"]
    holders = db.session.scalars(sa.select(User).where(User.id.in_([t["user_id"] for t in tokens]))).all()
    assert len(holders) == 250 and all(user.active for user in holders)


def test_a_domain_adds_its_part_by_registering_a_step(app, db, tmp_path, monkeypatch):
    """Core runs the steps in order: a new domain's step gets its own options, the plans of the
    steps before it, and work to do after the commit; its tables are checked for rows like the rest."""
    import click

    from community.core import bulk

    seen = {}

    def parcels(ctx):
        seen.update(parcels=ctx.options["parcels"], communities=ctx.shared["accounts.city"].n_communities)
        ctx.after_commit.append(lambda: ctx.echo("parcels delivered"))

    option = click.Option(["--parcels"], default=2, type=click.IntRange(0, 9))
    monkeypatch.setitem(bulk._steps, "parcels", bulk.BulkStep(30, "parcels", ("job_runs",), (option,), parcels))
    assert "--parcels" in app.test_cli_runner().invoke(args=["demo", "generate", "--help"]).output

    result = _generate(app, tmp_path, "--parcels", "5")
    assert result.exit_code == 0, result.output
    assert seen == {"parcels": 5, "communities": 2}
    assert result.output.index("clear API tokens written") < result.output.index("parcels delivered")

    db.session.execute(sa.text("INSERT INTO job_runs (name) VALUES ('x')"))
    db.session.commit()
    refused = _generate(app, tmp_path)
    assert refused.exit_code != 0 and "job_runs" in refused.output
