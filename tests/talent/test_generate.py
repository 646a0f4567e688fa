"""The talent part of `flask demo generate`: registry entries the real models read."""
import sqlalchemy as sa

from tests.bench.test_generate import _generate


def test_generates_a_registry_the_profiles_mirror(app, db, tmp_path):
    from community.accounts.models import TalentProfile
    from community.talent.models import RegistryEntry, ReviewStage, TalentType

    result = _generate(app, tmp_path, "--residents", "60")
    assert result.exit_code == 0, result.output
    entries = db.session.scalars(sa.select(RegistryEntry)).all()
    active = {e.user_id: e for e in entries if e.status == "active"}
    profiles = db.session.scalars(sa.select(TalentProfile)).all()
    tiered = [p for p in profiles if p.tier]
    assert tiered and len(active) == len(tiered)
    for profile in tiered:
        entry = active[profile.user_id]
        assert (entry.tier, entry.talent_type, entry.valid_until) == (profile.tier, profile.talent_type,
                                                                      profile.valid_until)
        assert entry.certificate_no == f"RC{entry.valid_from.year}{entry.id:06d}"
    assert len({e.certificate_no for e in entries}) == len(entries)
    revoked = [e for e in entries if e.status == "revoked"]
    untiered = {p.user_id for p in profiles if not p.tier}
    assert all(e.revoke_reason and e.user_id in untiered for e in revoked)
    assert db.session.scalar(sa.select(sa.func.count(TalentType.id))) == 7
    assert db.session.scalar(sa.select(sa.func.count(ReviewStage.id))) == 2 * 3


def test_a_generated_card_verifies(app, db, tmp_path):
    from community.talent import card
    from community.talent.models import RegistryEntry

    assert _generate(app, tmp_path, "--residents", "20").exit_code == 0
    entry = db.session.scalar(sa.select(RegistryEntry).where(RegistryEntry.status == "active").limit(1))
    with app.test_request_context():
        token, _expires = card.issue_token(entry)
        assert card.verify_token(token).reason == "ok"
