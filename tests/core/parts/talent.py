"""The talent domain's share of the walking worlds: an application under review with evidence
(the resident's), one on public notice with an objection, a registry entry, a type."""
import io
from datetime import date

from werkzeug.datastructures import FileStorage

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

OWNED_BY_RESIDENT = ("application_id",)


def _pdf(name="evidence.pdf"):
    return FileStorage(stream=io.BytesIO(PDF), filename=name, content_type="application/pdf")


def _on_notice(applicant, admin, reviewer, **values):
    from community.talent import operations as ops

    application = ops.create_application(applicant, talent_type="business", claimed_tier="intermediate", **values)
    ops.decide(application, actor=admin, decision="approve")
    ops.decide(application, actor=reviewer, decision="approve")
    return application


def build_world(world, *, db, app, create_user):
    from community.talent import operations as ops
    from community.talent.models import TalentType

    ops.ensure_default_types()
    reviewer = create_user("reviewer@platform.test", roles=("talent_reviewer",), community_=world.home)
    mine = ops.create_application(world.owner, talent_type="production", claimed_tier="senior", employer="Lab",
                                  statement="Ten years", files=[_pdf()])
    talent = create_user("talent@home.test", community_=world.home)
    notice = _on_notice(talent, world.home_admin, reviewer, employer="Shop", statement="Runs a shop")
    objection = ops.lodge_objection(notice, actor=world.neighbour, reason="Not true")
    entry = ops.correct(world.neighbour, actor=world.home_admin, talent_type="business", tier="junior",
                        valid_until=date(2027, 12, 31), note="carried over")
    db.session.flush()
    world.objects.update({"talent_application": mine, "talent_notice": notice, "talent_entry": entry,
                          "talent_reviewer": reviewer})
    return {"application_id": mine.id, "objection_id": objection.id, "entry_id": entry.id,
            "public_notice_id": notice.id,
            "type_id": db.session.scalar(db.select(TalentType.id).where(TalentType.code == "production"))}


def url_variable(world, endpoint, name):
    return None


def build_hostile(hostile, payload, *, db, create_user):
    from community.talent import operations as ops

    ops.ensure_default_types()
    home, resident, admin, platform = hostile["home"], hostile["resident"], hostile["admin"], hostile["platform"]
    reviewer = create_user("reviewer@example.test", display_name=payload, roles=("talent_reviewer",), community_=home)
    hostile_type = ops.save_type(None, actor=platform, code="hostile", name_zh=payload[:60], name_en=payload[:60],
                  criteria_junior=payload, criteria_intermediate=payload, criteria_senior=payload, position=1,
                  active=True)
    mine = ops.create_application(resident, talent_type="hostile", claimed_tier="senior", employer=payload[:120],
                                  position_title=payload[:120], statement=payload, files=[_pdf(payload[:40] + ".pdf")])
    ops.decide(mine, actor=admin, decision="return", message=payload)
    other = create_user("talent@example.test", display_name=payload, community_=home)
    notice = _on_notice(other, admin, reviewer, employer=payload[:120], statement=payload)
    ops.lodge_objection(notice, actor=resident, reason=payload)
    holder = create_user("holder@example.test", display_name=payload, community_=home)
    entry = ops.correct(holder, actor=admin, talent_type="hostile", tier="junior", valid_until=date(2027, 12, 31),
                        note=payload)
    ops.revoke_entry(entry, actor=admin, reason="other", note=payload)
    db.session.flush()
    return {"application_id": mine.id, "entry_id": entry.id, "public_notice_id": notice.id, "type_id": hostile_type.id,
            "objection_id": notice.objections[0].id if notice.objections else None}
