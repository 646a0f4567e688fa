"""Pages: a resident files with photos, follows, confirms and rates on the phone; staff work the
queue; internal notes never reach anything the resident reads (pages, API, e-mails, notices)."""
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from community.core.attachments import Attachment
from community.notifications.models import Notice
from community.tickets import operations as ops
from community.tickets.models import Ticket
from tests.core.sample_files import tiny_pdf, tiny_png, upload
from tests.helpers import frozen_at, text

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=SH)
frozen_clock = frozen_at(NOW)
SECRET = "INTERNAL-NOTE-3b9c resident seems to sublet"


@pytest.fixture(autouse=True)
def upload_root(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_ROOT", str(tmp_path / "uploads"))


def test_a_resident_files_with_photos_and_sees_the_reference(client, db, login, resident, desk, community):
    from community.accounts import operations as account_ops

    building = account_ops.add_building(community, name="1号楼", floors=10)
    db.session.commit()
    login(resident)
    page = text(client.get("/tickets/new"))
    assert "报修" in page and 'enctype="multipart/form-data"' in page and "1号楼" in page
    response = client.post("/tickets/new", content_type="multipart/form-data", data={
        "category_id": str(desk.id), "title": "水龙头漏水", "description": "厨房水龙头一直滴水",
        "location": f"building:{building.id}", "location_detail": "1203", "contact_time": "18:00 后",
        "photos": [(io.BytesIO(tiny_png()), "a.png"), (io.BytesIO(tiny_png((0, 0, 255))), "b.png")]})
    assert response.status_code == 302, text(response)[:2000]
    ticket = db.session.scalar(sa.select(Ticket))
    assert ticket.building_id == building.id and ticket.reference == "TC-2026-000001"
    detail = text(client.get(response.headers["Location"]))
    assert "TC-2026-000001" in detail and "水龙头漏水" in detail
    photos = db.session.scalars(sa.select(Attachment)).all()
    assert len(photos) == 2
    assert client.get(f"/attachments/{photos[0].id}/{photos[0].file_name}").status_code == 200


def test_a_bad_filing_rerenders_with_what_was_typed(client, db, login, resident, desk):
    login(resident)
    response = client.post("/tickets/new", content_type="multipart/form-data", data={
        "category_id": str(desk.id), "title": "", "description": "Kept text <b>",
        "photos": [(io.BytesIO(b"<?php echo 1; ?>" * 4), "x.png")]})
    assert response.status_code == 422
    assert "Kept text &lt;b&gt;" in text(response)
    assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 0
    bad_photo = client.post("/tickets/new", content_type="multipart/form-data", data={
        "category_id": str(desk.id), "title": "Tap", "description": "Drips",
        "photos": [(io.BytesIO(b"<?php echo 1; ?>" * 4), "x.png")]})
    assert bad_photo.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 0


def test_the_residents_round_trip_confirm_and_rate(client, db, login, resident, file_ticket, specialist):
    ticket = file_ticket()
    ops.add_reply(ticket, specialist, "师傅明天上门")
    ops.change_status(ticket, specialist, "resolved")
    db.session.commit()
    login(resident)
    page = text(client.get(f"/tickets/{ticket.id}"))
    assert "师傅明天上门" in page and 'data-action="confirm"' in page
    assert client.post(f"/tickets/{ticket.id}/status", data={"status": "closed"}).status_code == 302
    assert 'data-action="rate"' in text(client.get(f"/tickets/{ticket.id}"))
    assert client.post(f"/tickets/{ticket.id}/rate", data={"score": "5", "comment": "很好"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).rating == 5
    again = client.post(f"/tickets/{ticket.id}/rate", data={"score": "1"})
    assert again.status_code == 409


def test_residents_see_only_their_own(client, db, login, file_ticket, create_user, elsewhere):
    ticket = file_ticket()
    neighbour = create_user("n@example.test")
    login(neighbour)
    for url in (f"/tickets/{ticket.id}", f"/tickets/staff/{ticket.id}"):
        assert client.get(url).status_code in (403, 404)
    assert client.post(f"/tickets/{ticket.id}/reply", data={"body": "x"}).status_code == 404
    assert ticket.title not in text(client.get("/tickets/"))


def test_a_specialist_of_another_community_cannot_open_it(client, db, login, file_ticket, create_user, elsewhere):
    ticket = file_ticket()
    login(create_user("far@example.test", roles=("specialist",), community_=elsewhere))
    assert client.get(f"/tickets/staff/{ticket.id}").status_code == 404
    assert client.post(f"/tickets/staff/{ticket.id}/reply", data={"body": "x"}).status_code == 404
    assert ticket.reference not in text(client.get("/tickets/queue?scope=all"))


def test_the_specialists_queue_filters_and_searches(client, db, login, file_ticket, specialist):
    first = file_ticket(title="Broken door")
    second = file_ticket(title="Lift stuck")
    login(specialist)
    queue = text(client.get("/tickets/queue"))
    assert first.reference in queue and second.reference in queue
    found = text(client.get("/tickets/queue?q=Lift"))
    assert second.reference in found and first.reference not in found
    assert first.reference in text(client.get(f"/tickets/queue?q={first.reference}"))
    assert "data-empty" in text(client.get("/tickets/queue?due=breached"))
    ops.mark_breaches(datetime(2026, 12, 1, 11, 0, tzinfo=SH))
    db.session.commit()
    assert first.reference in text(client.get("/tickets/queue?due=breached"))


def test_staff_reply_note_status_and_reassign_pages(client, db, login, file_ticket, specialist, specialist2, desk):
    ticket = file_ticket()
    login(specialist)
    assert client.post(f"/tickets/staff/{ticket.id}/reply", data={"body": "On my way"}).status_code == 302
    assert client.post(f"/tickets/staff/{ticket.id}/reply", data={"body": SECRET, "internal": "1"}).status_code == 302
    page = text(client.get(f"/tickets/staff/{ticket.id}"))
    assert SECRET in page and "data-internal" in page
    assert client.post(f"/tickets/staff/{ticket.id}/status", data={"status": "closed"}).status_code == 409
    refused = client.post(f"/tickets/staff/{ticket.id}/assign", data={"assignee_id": str(specialist2.id), "reason": ""})
    assert refused.status_code == 422
    assert client.post(f"/tickets/staff/{ticket.id}/assign",
                       data={"assignee_id": str(specialist2.id), "reason": "Her building"}).status_code == 302


def test_internal_notes_never_reach_the_resident(client, db, login, api_token, resident, file_ticket, specialist,
                                                outbox):
    """Every output the resident can read, grepped for the note's text."""
    ticket = file_ticket()
    public = ops.add_reply(ticket, specialist, "Public answer", files=[upload(tiny_pdf(), "answer-form.pdf")])
    note = ops.add_reply(ticket, specialist, SECRET, internal=True,
                         files=[upload(tiny_png(), "INTERNAL-NOTE-lease-photo.png")])
    ops.change_status(ticket, specialist, "waiting")
    ops.add_reply(ticket, resident, "More details")
    ops.change_status(ticket, specialist, "resolved")
    db.session.commit()
    headers = api_token(resident)
    outputs = [
        client.get(f"/api/v1/tickets/{ticket.id}", headers=headers),
        client.get("/api/v1/tickets", headers=headers),
        client.post(f"/api/v1/tickets/{ticket.id}/status", headers=headers, json={"status": "closed"}),
    ]
    login(resident)
    outputs += [client.get(f"/tickets/{ticket.id}"), client.get("/tickets/"), client.get("/dashboard"),
                client.get("/notifications")]
    for response in outputs:
        assert response.status_code < 400, response.request.path
        assert SECRET not in text(response) and "INTERNAL-NOTE" not in text(response), response.request.path
    # The note's file: not named on any page, not downloadable by the resident even by its id.
    note_file = db.session.scalar(sa.select(Attachment).where(Attachment.owner_id == note.id,
                                                              Attachment.owner_type == "tickets.TicketReply"))
    public_file = db.session.scalar(sa.select(Attachment).where(Attachment.owner_id == public.id,
                                                                Attachment.owner_type == "tickets.TicketReply"))
    page = text(client.get(f"/tickets/{ticket.id}"))
    assert "answer-form.pdf" in page and f"/attachments/{public_file.id}/" in page
    assert f"/attachments/{note_file.id}/" not in page
    assert client.get(f"/attachments/{public_file.id}/{public_file.file_name}").status_code == 200
    assert client.get(f"/attachments/{note_file.id}/{note_file.file_name}").status_code in (403, 404)
    mails = [m for m in outbox() if m.recipient == resident.email]
    assert mails and all(SECRET not in m.body and SECRET not in m.subject for m in mails)
    notices = db.session.scalars(sa.select(Notice).where(Notice.user_id == resident.id)).all()
    assert notices and all(SECRET not in str(n.params) for n in notices)


def test_the_specialist_home_is_the_queue(client, db, login, file_ticket, specialist):
    ticket = file_ticket()
    login(specialist)
    page = text(client.get("/dashboard"))
    section = page.split('data-panel="specialist"', 1)[1].split("</section>", 1)[0]
    assert "/tickets/queue" in section and ticket.reference in section


def test_replies_carry_attachments_both_ways(client, db, login, resident, file_ticket, specialist, create_user,
                                             elsewhere):
    ticket = file_ticket()
    login(resident)
    response = client.post(f"/tickets/{ticket.id}/reply", content_type="multipart/form-data", data={
        "body": "Here is the leak", "files": [(io.BytesIO(tiny_png()), "leak.png"), (io.BytesIO(tiny_pdf()), "lease.pdf")]})
    assert response.status_code == 302, text(response)[:2000]
    files = db.session.scalars(sa.select(Attachment).where(Attachment.owner_type == "tickets.TicketReply")).all()
    assert sorted(f.original_name for f in files) == ["leak.png", "lease.pdf"]
    assert all(f.community_id == ticket.community_id for f in files)
    client.post("/logout")
    login(specialist)
    page = text(client.get(f"/tickets/staff/{ticket.id}"))
    assert "leak.png" in page and "lease.pdf" in page
    assert client.get(f"/attachments/{files[0].id}/{files[0].file_name}").status_code == 200
    # A note's file is the staff's: the specialist downloads it.
    response = client.post(f"/tickets/staff/{ticket.id}/reply", content_type="multipart/form-data", data={
        "body": "Checked the photo", "internal": "1", "files": [(io.BytesIO(tiny_png((0, 200, 0))), "check.png")]})
    assert response.status_code == 302
    note_file = db.session.scalar(sa.select(Attachment).where(Attachment.original_name == "check.png"))
    assert client.get(f"/attachments/{note_file.id}/{note_file.file_name}").status_code == 200
    # Staff of another community see none of them.
    outsider = create_user("sp-else@example.test", roles=("specialist",), community_=elsewhere)
    client.post("/logout")
    login(outsider)
    for f in (*files, note_file):
        assert client.get(f"/attachments/{f.id}/{f.file_name}").status_code in (403, 404)


def test_a_reply_with_a_bad_file_rerenders_and_keeps_the_text(client, db, login, resident, file_ticket):
    ticket = file_ticket()
    login(resident)
    response = client.post(f"/tickets/{ticket.id}/reply", content_type="multipart/form-data", data={
        "body": "Words kept", "files": [(io.BytesIO(b"MZ not an image"), "tool.exe")]})
    assert 400 <= response.status_code < 500
    assert "Words kept" in text(response)
    response = client.post(f"/tickets/{ticket.id}/reply", content_type="multipart/form-data", data={
        "body": "Too many", "files": [(io.BytesIO(tiny_png()), f"p{i}.png") for i in range(6)]})
    assert response.status_code == 422 and "Too many" in text(response)
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0


def test_a_specialist_records_and_removes_their_own_leave(client, db, login, specialist, specialist2, community,
                                                           create_user, elsewhere):
    from community.tickets.models import SpecialistLeave

    login(specialist)
    assert "/tickets/leave" in text(client.get("/tickets/queue"))
    page = text(client.get("/tickets/leave"))
    assert 'data-form="my-leave"' in page and "data-empty" in page
    response = client.post("/tickets/leave", data={"starts_on": "2026-12-07", "ends_on": "2026-12-09",
                                                   "note": "Annual leave"})
    assert response.status_code == 302, text(response)[:2000]
    leave = db.session.scalar(sa.select(SpecialistLeave))
    assert (leave.user_id, leave.community_id, leave.starts_on.isoformat(), leave.ends_on.isoformat()) == (
        specialist.id, community.id, "2026-12-07", "2026-12-09")
    assert "Annual leave" in text(client.get("/tickets/leave"))
    # Bad dates re-render with what was typed and store nothing.
    for data in ({"starts_on": "2026-12-09", "ends_on": "2026-12-07", "note": "backwards"},
                 {"starts_on": "", "ends_on": "", "note": "no dates"},
                 {"starts_on": "2026-11-01", "ends_on": "2026-11-02", "note": "already over"}):
        response = client.post("/tickets/leave", data=data)
        assert 400 <= response.status_code < 500 and data["note"] in text(response)
    assert db.session.scalar(sa.select(sa.func.count(SpecialistLeave.id))) == 1
    # Another specialist cannot remove it, nor see it.
    client.post("/logout")
    login(specialist2)
    assert "Annual leave" not in text(client.get("/tickets/leave"))
    assert client.post(f"/tickets/leave/{leave.id}/remove").status_code == 404
    # A resident has no leave page; a specialist elsewhere cannot record leave here.
    outsider = create_user("sp-far@example.test", roles=("specialist",), community_=elsewhere)
    client.post("/logout")
    login(outsider)
    assert client.post("/tickets/leave", data={"community": str(community.id), "starts_on": "2026-12-07",
                                               "ends_on": "2026-12-08"}).status_code == 422
    client.post("/logout")
    login(specialist)
    assert client.post(f"/tickets/leave/{leave.id}/remove").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(SpecialistLeave.id))) == 0


def test_leave_from_the_page_skips_the_specialist_in_assignment(client, db, login, specialist, desk, file_ticket):
    """``desk`` is covered by ``specialist`` alone: on leave today, new requests wait unassigned."""
    assert file_ticket().assignee_id == specialist.id
    login(specialist)
    assert client.post("/tickets/leave", data={"starts_on": "2026-12-01", "ends_on": "2026-12-03"}).status_code == 302
    assert file_ticket().assignee_id is None


def test_the_queue_page_reads_the_same_statements_for_2_or_12_rows(client, db, login, file_ticket, specialist,
                                                                    community_admin):
    """No per-row loads (community, assignee's grants, category's policy): the statement count of
    the page does not grow with its rows, for a specialist and for an admin (bulk reassignment)."""
    from sqlalchemy import event

    def statements(path):
        count = [0]

        def counter(*args):
            count[0] += 1

        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            response = client.get(path)
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)
        assert response.status_code == 200
        return count[0], text(response)

    for _ in range(2):
        file_ticket()
    login(specialist)
    few, page = statements("/tickets/queue")
    assert page.count("data-ticket=") == 2 and "/tickets/leave" in page
    for _ in range(10):
        file_ticket()
    many, page = statements("/tickets/queue")
    assert page.count("data-ticket=") == 12 and many == few
    client.post("/logout")
    login(community_admin)
    _, page = statements("/tickets/queue?scope=all")
    assert page.count("data-ticket=") == 12 and 'name="ticket_ids"' in page and "Specialist One" in page


def test_the_queue_pages_by_25_with_its_total_in_the_same_statement(client, db, login, file_ticket, specialist,
                                                                    english):
    """The page reads its rows and their number in one statement (count(*) OVER ()); page 2 holds
    the rest; a page past the end goes to the last page; an empty queue says so."""
    login(specialist)
    assert "data-empty" in text(client.get("/tickets/queue"))
    tickets = [file_ticket(title=f"Request {n:02d}") for n in range(27)]
    first = text(client.get("/tickets/queue"))
    assert first.count("data-ticket=") == 25 and "Page 1 of 2" in first
    second = text(client.get("/tickets/queue?page=2"))
    assert second.count("data-ticket=") == 2 and "Page 2 of 2" in second
    shown = {int(part.split('"', 1)[0]) for page in (first, second) for part in page.split('data-ticket="')[1:]}
    assert shown == {t.id for t in tickets}
    past = client.get("/tickets/queue?page=9&status=open")
    assert past.status_code == 302 and "page=2" in past.headers["Location"] and "status=open" in past.headers["Location"]


def test_the_queue_filters_list_each_staff_communitys_categories(client, db, login, specialist, desk, community,
                                                                  create_user, create_community, english):
    """One statement lists the communities and their active categories for the filters: a specialist
    of two communities sees both communities and the categories of both, and no other community's."""
    from community.accounts.models import RoleGrant
    from tests.factories.tickets import make_desk

    second = create_community("Second Court")
    third = create_community("Third Court")
    admin2 = create_user("admin2@example.test", roles=("community_admin",), community_=second)
    admin3 = create_user("admin3@example.test", roles=("community_admin",), community_=third)
    db.session.add(RoleGrant(user_id=specialist.id, role="specialist", community_id=second.id))
    db.session.commit()
    make_desk(db, second, admin2, [specialist], name="落户咨询")
    make_desk(db, third, admin3, [], name="ELSEWHERE-ONLY")
    login(specialist)
    page = text(client.get("/tickets/queue"))
    community_filter = page.split('id="community"', 1)[1].split("</select>", 1)[0]
    assert community.name in community_filter and "Second Court" in community_filter
    assert "Third Court" not in community_filter
    category_filter = page.split('id="category"', 1)[1].split("</select>", 1)[0]
    assert "报修" in category_filter and "落户咨询" in category_filter and "ELSEWHERE-ONLY" not in page
    assert client.get(f"/tickets/queue?community={third.id}").status_code == 404
