"""core/attachments.py: files owned by a domain object, checked against the owner type's rule,
stored with the unit of work, and served only to those the rule lets see them.

No domain registers an owner type yet, so the tests register their own: a "dossier" (images and
PDFs, up to 64 KB: seen by its holder and the admins of its community, deleted by its holder) and
a "snapshot" (images only, with a size limit read from the config). Their owners are plain objects:
the mechanism needs an id, not a table."""
import os
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import current_app

from community.core import attachments as att
from community.core.attachment_views import ascii_file_name, attachment_url
from community.core.attachments import Attachment, AttachmentRefused
from community.core.errors import NotFound, PermissionDenied
from community.core.permissions import COMMUNITY_ADMIN, has_role
from tests.core.sample_files import HTML_PAGE, SHELL_SCRIPT, stored_files, tiny_pdf, tiny_png, upload
from tests.helpers import frozen_at, text

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
frozen_clock = frozen_at(NOW)
DOSSIER_MAX = 64 * 1024


@dataclass
class Dossier:
    """Stands in for a domain object (a ticket, a talent application); never stored."""
    id: int
    community_id: int
    holder_id: int


@dataclass
class Snapshot:
    id: int
    community_id: int


DOSSIERS: dict[int, Dossier] = {}


def may_view_dossier_file(user, attachment):
    dossier = DOSSIERS.get(attachment.owner_id)
    return dossier is not None and (dossier.holder_id == user.id
                                    or has_role(user, COMMUNITY_ADMIN, attachment.community_id))


def may_delete_dossier_file(user, attachment):
    dossier = DOSSIERS.get(attachment.owner_id)
    return dossier is not None and dossier.holder_id == user.id


@pytest.fixture(autouse=True)
def owner_types():
    att.register_attachment_owner("testing.Dossier", model=Dossier, may_view=may_view_dossier_file,
                                  may_delete=may_delete_dossier_file, max_bytes=DOSSIER_MAX,
                                  purposes=("evidence", "licence"))
    att.register_attachment_owner("testing.Snapshot", model=Snapshot, may_view=lambda user, a: True,
                                  max_bytes=lambda: current_app.config["TEST_SNAPSHOT_MAX_BYTES"], kinds=("image",))
    yield
    att.unregister_attachment_owner("testing.Dossier")
    att.unregister_attachment_owner("testing.Snapshot")
    DOSSIERS.clear()


@pytest.fixture(autouse=True)
def upload_root(app, tmp_path, monkeypatch):
    root = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_ROOT", str(root))
    monkeypatch.setitem(app.config, "TEST_SNAPSHOT_MAX_BYTES", 1024)
    return root


@pytest.fixture
def dossier(resident, community):
    DOSSIERS[7] = Dossier(id=7, community_id=community.id, holder_id=resident.id)
    return DOSSIERS[7]


@pytest.fixture
def neighbour(create_user):
    """Another resident of the same community."""
    return create_user("neighbour@example.test")


@pytest.fixture
def evidence(db, dossier, resident):
    attachment = att.attach(upload(tiny_pdf(), "人才证明 2026.pdf"), owner=dossier, purpose="evidence", actor=resident)
    db.session.commit()
    return attachment


@pytest.fixture
def photo(db, dossier, resident):
    attachment = att.attach(upload(tiny_png(), "licence.png"), owner=dossier, purpose="licence", actor=resident)
    db.session.commit()
    return attachment


# -- attach --------------------------------------------------------------------------------------------

def test_attach_stores_the_file_and_the_row(db, dossier, resident, community, upload_root, audit_actions):
    attachment = att.attach(upload(tiny_pdf(), "C:\\Users\\me\\人才证明 2026.pdf", content_type="text/html"),
                            owner=dossier, purpose="evidence", actor=resident)
    db.session.commit()
    row = db.session.get(Attachment, attachment.id)
    assert (row.owner_type, row.owner_id, row.purpose) == ("testing.Dossier", 7, "evidence")
    assert row.mimetype == "application/pdf"  # detected, not the client's text/html
    assert (row.size, row.uploaded_by_id, row.community_id) == (len(tiny_pdf()), resident.id, community.id)
    assert row.original_name == "人才证明 2026.pdf"
    assert row.stored_path.startswith("attachments/testing/2026-12/") and row.stored_path.endswith(".pdf")
    assert "人才" not in row.stored_path and "2026.pdf" not in row.file_name
    assert stored_files(upload_root) == [row.stored_path]
    assert (upload_root / row.stored_path).read_bytes() == tiny_pdf()
    assert attachment_actions(audit_actions) == ["attachment.added"]


def test_the_community_can_be_given(db, dossier, resident, create_community):
    elsewhere = create_community("Elsewhere")
    attachment = att.attach(upload(tiny_png(), "a.png"), owner=dossier, purpose="evidence", actor=resident,
                            community_id=elsewhere.id)
    assert attachment.community_id == elsewhere.id


@pytest.mark.parametrize("data, filename, reason", [
    (tiny_png(), "evidence.pdf", "type"),
    (tiny_pdf(), "evidence.png", "type"),
    (SHELL_SCRIPT, "evidence.pdf", "type"),
    (HTML_PAGE, "evidence.pdf", "type"),
    (b"", "evidence.pdf", "empty"),
    (tiny_pdf() + b"\0" * DOSSIER_MAX, "evidence.pdf", "size"),
], ids=["png-named-pdf", "pdf-named-png", "script-named-pdf", "html-named-pdf", "empty", "over-size"])
def test_attach_refuses(db, dossier, resident, upload_root, data, filename, reason):
    with pytest.raises(AttachmentRefused) as refused:
        att.attach(upload(data, filename), owner=dossier, purpose="evidence", actor=resident)
    assert (refused.value.status, refused.value.code, refused.value.reason) == (422, "attachment_refused", reason)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0
    assert not upload_root.exists() or stored_files(upload_root) == []


def test_exactly_the_limit_is_accepted(db, dossier, resident):
    data = tiny_pdf() + b"\0" * (DOSSIER_MAX - len(tiny_pdf()))
    assert att.attach(upload(data, "a.pdf"), owner=dossier, purpose="evidence", actor=resident).size == DOSSIER_MAX


def test_kinds_and_size_are_per_owner_type(app, db, resident, community, monkeypatch):
    snapshot = Snapshot(id=1, community_id=community.id)
    with pytest.raises(AttachmentRefused) as refused:
        att.attach(upload(tiny_pdf(), "report.pdf"), owner=snapshot, purpose="photo", actor=resident)
    assert refused.value.reason == "type" and "JPEG" in str(refused.value) and "PDF" not in str(refused.value)
    big_png = tiny_png() + b"\0" * 2000  # fine for a dossier, too big for a snapshot
    with pytest.raises(AttachmentRefused) as refused:
        att.attach(upload(big_png, "big.png"), owner=snapshot, purpose="photo", actor=resident)
    assert refused.value.reason == "size" and "1 KB" in str(refused.value) and refused.value.extra["max_bytes"] == 1024
    monkeypatch.setitem(app.config, "TEST_SNAPSHOT_MAX_BYTES", 4096)  # read at upload time
    assert att.attach(upload(big_png, "big.png"), owner=snapshot, purpose="photo", actor=resident).size == len(big_png)


def test_a_rolled_back_attach_leaves_no_file_and_no_row(db, dossier, resident, upload_root):
    att.attach(upload(tiny_pdf(), "a.pdf"), owner=dossier, purpose="evidence", actor=resident)
    assert len(stored_files(upload_root)) == 1
    db.session.rollback()
    assert stored_files(upload_root) == []
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0


def test_attach_refuses_what_the_owner_type_does_not_know(db, dossier, resident):
    with pytest.raises(ValueError):
        att.attach(upload(tiny_pdf(), "a.pdf"), owner=dossier, purpose="selfie", actor=resident)
    with pytest.raises(LookupError):
        att.attach(upload(tiny_pdf(), "a.pdf"), owner=resident, purpose="evidence", actor=resident)
    with pytest.raises(ValueError):
        att.attach(upload(tiny_pdf(), "a.pdf"), owner=Dossier(id=None, community_id=1, holder_id=1),
                   purpose="evidence", actor=resident)


def test_registration_is_checked():
    with pytest.raises(ValueError):
        att.register_attachment_owner("testing.Dossier", model=object, may_view=bool, max_bytes=1)  # twice
    with pytest.raises(ValueError):
        att.register_attachment_owner("testing.Other", model=Dossier, may_view=bool, max_bytes=1)  # model twice
    with pytest.raises(ValueError):
        att.register_attachment_owner("../etc", model=object, may_view=bool, max_bytes=1)
    with pytest.raises(ValueError):
        att.register_attachment_owner("testing.Video", model=object, may_view=bool, max_bytes=1, kinds=("video",))
    assert att.rule_for_type("testing.Other") is None and att.rule_for_type("testing.Video") is None


@pytest.mark.parametrize("given, shown", [
    ("C:\\Users\\me\\报告.pdf", "报告.pdf"),
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("invoice\u202egpj.pdf", "invoicegpj.pdf"),  # a right-to-left override would show "invoicefdp.jpg"
    ("two\nlines\t.pdf", "two lines .pdf"),
    ("检查\u3000报告.pdf", "检查 报告.pdf"),
    ("  .hidden.pdf  ", "hidden.pdf"),
    ("", "fallback"),
    ("\u200b\u200b", "fallback"),
])
def test_clean_file_name(given, shown):
    assert att.clean_file_name(given, fallback="fallback") == shown


def test_a_long_name_is_cut_but_keeps_its_extension():
    name = att.clean_file_name("很长的名字" * 60 + ".pdf")
    assert len(name) == att.MAX_NAME_LENGTH and name.startswith("很长的名字") and name.endswith(".pdf")


def test_the_database_refuses_a_stored_path_that_leaves_the_root(db, evidence):
    for bad in ("../../etc/passwd", "/etc/passwd", "attachments/../../x"):
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.update(Attachment).where(Attachment.id == evidence.id).values(stored_path=bad))
        db.session.rollback()


# -- remove ---------------------------------------------------------------------------------------------

def test_the_holder_removes_a_file_which_goes_after_the_commit(db, evidence, resident, upload_root, audit_actions):
    att.remove_attachment(evidence, resident)
    assert stored_files(upload_root) == [evidence.stored_path]  # a rollback must still find it
    db.session.commit()
    assert stored_files(upload_root) == []
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0
    assert attachment_actions(audit_actions) == ["attachment.added", "attachment.removed"]


def test_a_rolled_back_removal_keeps_the_file(db, evidence, resident, upload_root):
    path = evidence.stored_path
    att.remove_attachment(evidence, resident)
    db.session.rollback()
    assert stored_files(upload_root) == [path]
    assert db.session.get(Attachment, evidence.id) is not None


def test_removal_follows_the_rule(db, evidence, neighbour, community_admin, upload_root):
    with pytest.raises(NotFound):  # may not see it: as if it did not exist
        att.remove_attachment(evidence, neighbour)
    with pytest.raises(PermissionDenied):  # may see it, may not delete it
        att.remove_attachment(evidence, community_admin)
    db.session.commit()
    assert stored_files(upload_root) == [evidence.stored_path]


def test_an_owner_type_without_may_delete_keeps_its_files(db, resident, community):
    snapshot = Snapshot(id=3, community_id=community.id)
    attachment = att.attach(upload(tiny_png(), "a.png"), owner=snapshot, purpose="photo", actor=resident)
    with pytest.raises(PermissionDenied):
        att.remove_attachment(attachment, resident)


def test_remove_attachments_of_an_owner(db, dossier, evidence, photo, resident, community, upload_root):
    other = Snapshot(id=7, community_id=community.id)  # same id, other owner type: untouched
    kept = att.attach(upload(tiny_png(), "a.png"), owner=other, purpose="photo", actor=resident)
    db.session.commit()
    assert att.remove_attachments_of(dossier, actor=resident) == 2
    db.session.commit()
    assert stored_files(upload_root) == [kept.stored_path]


# -- reads ----------------------------------------------------------------------------------------------

def test_attachments_of_lists_one_owners_files_oldest_first(db, dossier, evidence, photo, resident, community):
    DOSSIERS[8] = Dossier(id=8, community_id=community.id, holder_id=resident.id)
    att.attach(upload(tiny_png(), "other.png"), owner=DOSSIERS[8], purpose="evidence", actor=resident)
    att.attach(upload(tiny_png(), "same-id.png"), owner=Snapshot(id=7, community_id=community.id),
               purpose="photo", actor=resident)
    db.session.commit()
    assert [a.id for a in att.attachments_of(dossier)] == [evidence.id, photo.id]
    assert [a.id for a in att.attachments_of(dossier, purpose="licence")] == [photo.id]


def test_visible_attachment_answers_not_found_alike(db, evidence, resident, neighbour):
    assert att.visible_attachment(resident, evidence.id) == evidence
    with pytest.raises(NotFound) as hidden:
        att.visible_attachment(neighbour, evidence.id)
    with pytest.raises(NotFound) as missing:
        att.visible_attachment(resident, evidence.id + 1000)
    assert (hidden.value.code, str(hidden.value)) == (missing.value.code, str(missing.value))


# -- serving --------------------------------------------------------------------------------------------

def attachment_actions(audit_actions):
    return [action for action in audit_actions() if action.startswith("attachment.")]


def url_of(attachment):
    return f"/attachments/{attachment.id}/{attachment.file_name}"


def test_the_holder_sees_a_photo_inline(client, login, resident, photo):
    login(resident)
    response = client.get(url_of(photo))
    assert response.status_code == 200 and response.get_data() == tiny_png()
    assert response.mimetype == "image/png"
    assert response.headers["Content-Disposition"] == 'inline; filename="licence.png"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    cache = response.headers["Cache-Control"]
    assert "private" in cache and "no-cache" in cache and "public" not in cache


def test_a_pdf_is_downloaded_with_its_chinese_name(client, login, resident, evidence):
    login(resident)
    response = client.get(url_of(evidence))
    assert response.status_code == 200 and response.get_data() == tiny_pdf()
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="2026.pdf"; filename*=UTF-8\'\'')
    assert unquote(disposition.split("UTF-8''", 1)[1]) == "人才证明 2026.pdf"
    assert all(ord(ch) < 128 for ch in disposition)


def test_an_unchanged_file_is_a_304_after_the_access_check(client, login, resident, neighbour, photo):
    login(resident)
    etag = client.get(url_of(photo)).headers["ETag"]
    assert client.get(url_of(photo), headers={"If-None-Match": etag}).status_code == 304
    client.post("/logout")
    login(neighbour)
    assert client.get(url_of(photo), headers={"If-None-Match": etag}).status_code == 404


def test_admins_of_the_community_see_it_per_the_rule(client, login, community_admin, platform_admin, evidence):
    for user in (community_admin, platform_admin):
        login(user)
        assert client.get(url_of(evidence)).status_code == 200
        client.post("/logout")


def _without_csrf_tokens(page):
    """The page less its CSRF tokens, which carry the second they were signed in (two requests
    across a second's edge differ there and nowhere else)."""
    return re.sub(r'(content|value)="[\w.-]{40,}"', r'\1=""', page)


def test_anyone_else_gets_the_same_404_as_for_an_unknown_id(client, login, neighbour, other_admin, stranger, evidence):
    for user in (neighbour, other_admin, stranger):
        login(user)
        client.get("/dashboard")  # shows the "welcome back" message, once
        hidden = client.get(url_of(evidence))
        unknown = client.get(f"/attachments/{evidence.id + 1000}/{evidence.file_name}")
        assert hidden.status_code == unknown.status_code == 404
        assert _without_csrf_tokens(text(hidden)) == _without_csrf_tokens(text(unknown))
        client.post("/logout")


def test_anonymous_people_are_sent_to_log_in(client, evidence):
    response = client.get(url_of(evidence))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get(url_of(evidence), headers={"Accept": "application/json"}).status_code == 401


def test_an_api_token_opens_the_file(client, api_token, resident, neighbour, evidence):
    assert client.get(url_of(evidence), headers=api_token(resident)).status_code == 200
    assert client.get(url_of(evidence), headers=api_token(neighbour)).status_code == 404


def test_wrong_names_and_lost_files_are_404(client, db, login, resident, evidence, upload_root):
    login(resident)
    assert client.get(f"/attachments/{evidence.id}/{evidence.original_name}").status_code == 404
    assert client.get(f"/attachments/{evidence.id}/..%2F..%2Fconfig.py").status_code == 404
    os.remove(upload_root / evidence.stored_path)
    assert client.get(url_of(evidence)).status_code == 404


def test_a_file_of_an_owner_type_nobody_registers_is_404(client, login, resident, evidence):
    login(resident)
    att.unregister_attachment_owner("testing.Dossier")
    assert client.get(url_of(evidence)).status_code == 404


def test_a_stored_path_that_leads_out_of_the_root_is_never_served(client, db, login, resident, evidence,
                                                                  upload_root, tmp_path):
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(tiny_pdf("secret"))
    link = upload_root / os.path.dirname(evidence.stored_path) / "link.pdf"
    link.symlink_to(secret)
    db.session.execute(sa.update(Attachment).where(Attachment.id == evidence.id)
                       .values(stored_path=os.path.relpath(link, upload_root)))
    db.session.commit()
    login(resident)
    assert client.get(f"/attachments/{evidence.id}/link.pdf").status_code == 404


def test_attachment_url(app, evidence):
    with app.test_request_context():
        assert attachment_url(evidence) == url_of(evidence)


@pytest.mark.parametrize("name, fallback", [
    ("scan.pdf", "scan.pdf"), ("报告.pdf", "file-1.pdf"), ("报告 v2.PDF", "v2.PDF"), ('a"b;c.pdf', "a_b_c.pdf"),
    ("Café.png", "Cafe.png"),
])
def test_ascii_fallback_names(name, fallback):
    assert ascii_file_name(name, default_stem="file-1") == fallback
