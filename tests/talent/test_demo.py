import sqlalchemy as sa

from community.accounts.models import User
from community.talent.models import RegistryEntry, TalentApplication, TalentType


def test_demo_talent_data(app, db):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count(TalentType.id))) == 7
    reviewer = db.session.scalar(sa.select(User).where(User.email == "reviewer@demo.test"))
    assert {g.role for g in reviewer.role_grants} == {"talent_reviewer"}
    active = {e.user.email: e for e in db.session.scalars(sa.select(RegistryEntry).where(RegistryEntry.status == "active"))}
    assert {"resident1@demo.test", "resident2@demo.test", "resident3@demo.test"} <= set(active)
    assert all(e.certificate_no.startswith("RC") for e in active.values())
    stages = sorted((a.status, a.stage) for a in db.session.scalars(sa.select(TalentApplication)))
    assert stages == [("draft", 0), ("in_review", 0), ("in_review", 1), ("notice", 2), ("returned", 1)]
    again = app.test_cli_runner().invoke(args=["demo", "load"])
    assert again.exit_code == 0 and db.session.scalar(sa.select(sa.func.count(TalentApplication.id))) == 5
