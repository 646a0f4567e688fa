"""The pages: apply with evidence, decide, evidence URLs, notice board, card, verify, registry CSV."""
import csv
import io
from datetime import timedelta

import sqlalchemy as sa

from community.core import clock
from community.core.attachments import Attachment
from community.talent.models import TalentApplication
from tests.factories.talent import PDF, WEDNESDAY


def _apply(client, **extra):
    data = {"talent_type": "production", "claimed_tier": "senior", "employer": "张江实验室", "position_title": "工程师",
            "years_in_field": "6", "statement": "十年一线", "submit": "1",
            "evidence": (io.BytesIO(PDF), "certificate.pdf"), **extra}
    return client.post("/talent/apply", data=data, content_type="multipart/form-data")


def test_resident_applies_with_evidence_on_the_page(client, db, login, resident, talent_types):
    login(resident)
    assert client.get("/talent/apply").status_code == 200
    response = _apply(client)
    assert response.status_code == 302
    application = db.session.scalar(sa.select(TalentApplication))
    assert application.status == "in_review" and application.years_in_field == 6
    page = client.get(f"/talent/applications/{application.id}").get_data(as_text=True)
    assert "certificate.pdf" in page and "社区推荐" in page


def test_bad_input_rerenders_and_keeps_what_was_typed(client, db, login, resident, talent_types):
    login(resident)
    response = _apply(client, employer="", years_in_field="abc", statement="我的陈述<script>")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "我的陈述&lt;script&gt;" in body
    assert db.session.scalar(sa.select(sa.func.count(TalentApplication.id))) == 0


def test_evidence_url_for_owner_and_reviewers_only(client, db, login, resident, community_admin, reviewer,
                                                   create_user, make_application):
    from tests.factories.talent import evidence_file

    application = make_application(resident, files=[evidence_file()])
    attachment = db.session.scalar(sa.select(Attachment))
    url = f"/attachments/{attachment.id}/{attachment.file_name}"
    neighbour = create_user("neighbour@example.test")
    for user, status in ((resident, 200), (community_admin, 200), (reviewer, 200), (neighbour, 404)):
        client.post("/logout")
        login(user)
        assert client.get(url).status_code == status, user.email
        assert client.get(f"/talent/applications/{application.id}").status_code == status, user.email


def test_reviewers_decide_on_the_page(client, db, login, resident, community_admin, reviewer, make_application):
    application = make_application(resident, tier="intermediate")
    login(community_admin)
    queue = client.get("/talent/admin/reviews").get_data(as_text=True)
    assert f'data-application="{application.id}"' in queue
    response = client.post(f"/talent/applications/{application.id}/decide",
                           data={"decision": "approve", "tier": "junior", "message": "", "stage": "0"})
    assert response.status_code == 302
    stale = client.post(f"/talent/applications/{application.id}/decide",
                        data={"decision": "approve", "tier": "junior", "stage": "0"})
    assert stale.status_code == 409
    client.post("/logout")
    login(reviewer)
    raise_it = client.post(f"/talent/applications/{application.id}/decide",
                           data={"decision": "approve", "tier": "senior", "stage": "1"})
    assert raise_it.status_code == 422
    db.session.expire_all()
    assert db.session.get(TalentApplication, application.id).tier == "junior"


def test_applicant_cannot_decide_via_the_page(client, db, login, resident, make_application):
    application = make_application(resident)
    login(resident)
    response = client.post(f"/talent/applications/{application.id}/decide",
                           data={"decision": "approve", "tier": "senior", "stage": "0"})
    assert response.status_code == 404


def test_notice_board_masks_names_and_takes_objections(client, db, login, create_user, make_application, to_notice,
                                                       talent_types):
    applicant = create_user("zhang@example.test", display_name="张小明")
    clock.freeze(WEDNESDAY)
    application = to_notice(make_application(applicant))
    neighbour = create_user("neighbour@example.test")
    login(neighbour)
    board = client.get("/talent/notices").get_data(as_text=True)
    assert "张*明" in board and "张小明" not in board
    assert client.post(f"/talent/notices/{application.id}", data={"reason": ""}).status_code == 422
    assert client.post(f"/talent/notices/{application.id}", data={"reason": "不属实"}).status_code == 302


def test_notice_board_of_another_community_is_not_shown(client, db, login, create_user, create_community,
                                                        make_application, to_notice):
    clock.freeze(WEDNESDAY)
    application = to_notice(make_application(create_user("a@example.test")))
    outsider = create_user("o@example.test", community_=create_community("Elsewhere"))
    login(outsider)
    assert f'data-notice="{application.id}"' not in client.get("/talent/notices").get_data(as_text=True)
    assert client.get(f"/talent/notices/{application.id}").status_code == 404


def test_card_page_and_verify_page(client, db, login, entered, create_user):
    resident, entry = entered
    login(resident)
    page = client.get("/talent/card")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "<svg" in body and entry.certificate_no in body and " style=" not in body
    token = body.split('data-token>')[1].split("<")[0]
    client.post("/logout")
    assert client.get("/talent/verify").status_code in (302, 401)
    login(resident)
    assert client.get("/talent/verify").status_code == 403
    client.post("/logout")
    login(create_user("shop@example.test", roles=("merchant_staff",)))
    result = client.post("/talent/verify", data={"token": token}).get_data(as_text=True)
    assert 'data-verdict="ok"' in result and "r******t" in result
    clock.freeze(clock.now() + timedelta(minutes=2))
    assert 'data-verdict="expired"' in client.post("/talent/verify", data={"token": token}).get_data(as_text=True)


def test_registry_csv_has_bom_and_columns(client, db, login, entered, community_admin):
    _resident, entry = entered
    login(community_admin)
    assert entry.certificate_no in client.get("/talent/admin/registry").get_data(as_text=True)
    response = client.get("/talent/admin/registry.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows[0]) == 10
    assert rows[1][0] == entry.certificate_no and rows[1][4] == "生产型人才"


def test_registry_of_another_community_is_hidden(client, db, login, entered, create_user, create_community):
    _resident, entry = entered
    login(create_user("oa@example.test", roles=("community_admin",), community_=create_community("B")))
    assert entry.certificate_no not in client.get("/talent/admin/registry").get_data(as_text=True)
    assert client.get(f"/talent/admin/registry/{entry.id}").status_code == 404


def test_revoke_on_the_page(client, db, login, entered, community_admin):
    resident, entry = entered
    login(community_admin)
    assert client.post(f"/talent/admin/registry/{entry.id}", data={"reason": "other", "note": ""}).status_code == 422
    assert client.post(f"/talent/admin/registry/{entry.id}",
                       data={"reason": "no_longer_working", "note": ""}).status_code == 302
    db.session.expire_all()
    assert resident.talent.tier is None


def test_admin_user_page_correction_goes_through_the_registry(client, db, login, resident, community_admin,
                                                              talent_types):
    from community.talent.models import RegistryEntry

    login(community_admin)
    response = client.post(f"/admin/users/{resident.id}",
                           data={"talent_type": "business", "tier": "junior", "valid_until": "2030-01-31"})
    assert response.status_code == 302
    entry = db.session.scalar(sa.select(RegistryEntry))
    assert entry is not None and entry.certificate_no and entry.tier == "junior"


def test_types_page_for_platform_admin_only(client, db, login, platform_admin, community_admin, talent_types):
    login(community_admin)
    assert client.get("/talent/admin/types").status_code == 403
    client.post("/logout")
    login(platform_admin)
    assert client.get("/talent/admin/types").status_code == 200
    created = client.post("/talent/admin/types/new", data={"code": "rural", "name_zh": "乡村振兴人才", "name_en": "",
                                                           "position": "200", "active": "y"})
    assert created.status_code == 302


def test_stages_page(client, db, login, community_admin, community):
    login(community_admin)
    assert client.get(f"/talent/admin/communities/{community.id}/stages").status_code == 200
    response = client.post(f"/talent/admin/communities/{community.id}/stages",
                           data={"stages": "community_admin|社区推荐|\ntalent_reviewer|初评|\ntalent_reviewer|部门评审|\n"
                                           "notice|公示|Public notice|7"})
    assert response.status_code == 302
    from community.talent.queries import stages_of
    assert [s.name_zh for s in stages_of(community.id)] == ["社区推荐", "初评", "部门评审", "公示"]
    bad = client.post(f"/talent/admin/communities/{community.id}/stages", data={"stages": "notice|公示\nwizard|x"})
    assert bad.status_code == 422


def test_platform_admin_grants_talent_reviewer_everywhere(client, db, login, platform_admin, community_admin,
                                                          create_user, community):
    person = create_user("future-reviewer@example.test", roles=())
    login(community_admin)
    refused = client.post("/admin/roles", data={"login": person.email, "role": "talent_reviewer",
                                                "community_id": str(community.id)})
    assert refused.status_code in (403, 422)
    client.post("/logout")
    login(platform_admin)
    assert client.post("/admin/roles", data={"login": person.email, "role": "talent_reviewer",
                                             "community_id": str(community.id)}).status_code == 422  # held everywhere
    assert client.post("/admin/roles", data={"login": person.email, "role": "talent_reviewer",
                                             "community_id": "0"}).status_code == 302
    db.session.expire_all()
    from community.core.permissions import has_role
    assert has_role(db.session.get(type(person), person.id), "talent_reviewer")


def test_card_lists_the_amenities_the_tier_opens(client, db, login, entered, make_resource, community):
    resident, _entry = entered
    make_resource(community, name="人才书房", visible_tiers=["senior"])
    make_resource(community, name="普通会议室")
    db.session.commit()
    login(resident)
    benefits = client.get("/talent/card").get_data(as_text=True).split("data-benefits")[1]
    assert "人才书房" in benefits and "普通会议室" not in benefits
