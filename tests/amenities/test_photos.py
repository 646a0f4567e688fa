"""Resource photos: checked by content and size, stored under UPLOAD_ROOT/amenities with a random
name, replaced and removed with the unit of work, served only to those who may see the resource."""
import io
import os
import struct
import zlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from community.amenities import operations as ops
from community.amenities.models import Resource
from community.core import uploads
from community.core.errors import PermissionDenied, RuleViolation
from tests.helpers import frozen_at, text

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=SH)
frozen_clock = frozen_at(NOW)
FIVE_MB = 5 * 1024 * 1024


def tiny_png(rgb=(200, 30, 30)) -> bytes:
    """A real 1x1 PNG: signature, IHDR, one IDAT row, IEND, with proper CRCs."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00" + bytes(rgb))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
WEBP_HEAD = b"RIFF\x24\x00\x00\x00WEBPVP8 "
NOT_AN_IMAGE = b"<?php echo 'hello'; ?>\n" * 4


def upload(data: bytes, filename="photo.png"):
    return FileStorage(stream=io.BytesIO(data), filename=filename)


@pytest.fixture(autouse=True)
def upload_root(app, tmp_path, monkeypatch):
    root = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_ROOT", str(root))
    return root


def stored_files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


@pytest.fixture
def gym(make_resource):
    return make_resource(kind="gym", name="健身房", capacity=5)  # a Chinese name, as residents see them


@pytest.fixture
def gym_with_photo(db, gym, community_admin):
    ops.set_resource_photo(gym, upload(tiny_png()), actor=community_admin)
    db.session.commit()
    return gym


def resource_form(**overrides):
    data = {"kind": "gym", "name": "Fitness centre", "location": "Building 3, B1", "capacity": "20",
            "slot_minutes": "60", "booking_window_days": "14", "min_notice_minutes": "0",
            "cancel_cutoff_minutes": "60", "checkin_grace_minutes": "15", "fee": "0"}
    data.update({f"hours_{d}": "06:00-22:00" for d in range(7)})
    data.update(overrides)
    return data


# -- the content check ------------------------------------------------------------------------------

@pytest.mark.parametrize("head, kind", [(tiny_png(), "png"), (JPEG_HEAD, "jpeg"), (WEBP_HEAD, "webp"),
                                        (b"GIF89a\x01\x00", None), (NOT_AN_IMAGE, None), (b"RIFF\x00\x00\x00\x00WAVE", None),
                                        (b"\x89PNG\r\n", None), (b"", None)])
def test_image_type_reads_the_magic_bytes(head, kind):
    assert uploads.image_type(head[:uploads.SNIFF_BYTES]) == kind


def test_size_limit_is_inclusive(app):
    body = tiny_png() + b"\x00" * 100
    with app.app_context():
        assert uploads.check_image(upload(body), max_bytes=len(body)) == "png"
        with pytest.raises(uploads.UploadRefused) as refused:
            uploads.check_image(upload(body + b"\x00"), max_bytes=len(body))
        assert refused.value.reason == "size"


@pytest.mark.parametrize("data, filename, reason", [
    (NOT_AN_IMAGE, "photo.png", "type"),        # renamed to .png, the content says otherwise
    (tiny_png(), "photo.gif", "type"),          # a real PNG with a name we do not accept
    (tiny_png(), "photo", "type"),
    (b"", "photo.png", "empty"),
])
def test_check_image_refuses(app, data, filename, reason):
    with app.app_context():
        with pytest.raises(uploads.UploadRefused) as refused:
            uploads.check_image(upload(data, filename), max_bytes=FIVE_MB)
    assert refused.value.reason == reason


def test_stored_paths_cannot_leave_the_upload_root(app):
    with app.app_context():
        for bad in ("../secret", "/etc/passwd", "amenities/../../x", ""):
            with pytest.raises(ValueError):
                uploads.absolute_path(bad)


# -- the operations -----------------------------------------------------------------------------------

@pytest.mark.parametrize("data, filename, suffix", [(tiny_png(), "Gym Photo.PNG", ".png"),
                                                    (JPEG_HEAD + b"\x00" * 64, "from-my-phone.jpeg", ".jpg"),
                                                    (WEBP_HEAD + b"\x00" * 64, "from-my-phone.webp", ".webp"),
                                                    (tiny_png(), "named-wrong.jpg", ".png")],
                         ids=["png", "jpeg", "webp", "png-named-jpg"])
def test_a_photo_is_stored_by_its_content_under_a_random_name(db, gym, community_admin, upload_root,
                                                             data, filename, suffix):
    ops.set_resource_photo(gym, upload(data, filename), actor=community_admin)
    db.session.commit()
    assert gym.photo_path.startswith("amenities/") and gym.photo_path.endswith(suffix)
    assert filename.lower().rsplit(".", 1)[0] not in gym.photo_path.lower()
    assert (upload_root / gym.photo_path).read_bytes() == data
    assert stored_files(upload_root) == [gym.photo_path]


def test_replacing_removes_the_old_file_only_after_commit(db, gym_with_photo, community_admin, upload_root):
    old = gym_with_photo.photo_path
    ops.set_resource_photo(gym_with_photo, upload(tiny_png((0, 0, 255))), actor=community_admin)
    assert (upload_root / old).exists()  # not committed yet: a rollback must find it still there
    db.session.commit()
    assert not (upload_root / old).exists()
    assert stored_files(upload_root) == [gym_with_photo.photo_path]


def test_a_rolled_back_upload_leaves_no_file_and_keeps_the_old_one(db, gym_with_photo, community_admin, upload_root):
    old = gym_with_photo.photo_path
    ops.set_resource_photo(gym_with_photo, upload(tiny_png((0, 255, 0))), actor=community_admin)
    db.session.rollback()
    assert stored_files(upload_root) == [old]
    assert db.session.get(Resource, gym_with_photo.id).photo_path == old


def test_remove_photo(db, gym_with_photo, community_admin, upload_root):
    ops.remove_resource_photo(gym_with_photo, actor=community_admin)
    db.session.commit()
    assert gym_with_photo.photo_path is None and stored_files(upload_root) == []
    assert ops.remove_resource_photo(gym_with_photo, actor=community_admin).photo_path is None  # twice is harmless


def test_photo_operations_are_for_the_communitys_admin(db, gym, resident, upload_root):
    with pytest.raises(PermissionDenied):
        ops.set_resource_photo(gym, upload(tiny_png()), actor=resident)
    with pytest.raises(PermissionDenied):
        ops.remove_resource_photo(gym, actor=resident)
    assert stored_files(upload_root) == []


def test_operation_refuses_bad_files_with_a_field(db, gym, community_admin, upload_root):
    with pytest.raises(RuleViolation) as refused:
        ops.set_resource_photo(gym, upload(NOT_AN_IMAGE), actor=community_admin)
    assert (refused.value.code, refused.value.extra["field"]) == ("invalid_resource", "photo")
    assert stored_files(upload_root) == [] and gym.photo_path is None


def test_photo_path_is_not_a_settable_field(db, gym, community_admin):
    with pytest.raises(TypeError):
        ops.update_resource(gym, actor=community_admin, photo_path="../../etc/passwd")


# -- the admin form -----------------------------------------------------------------------------------

def test_admin_uploads_a_real_png_when_creating(client, db, login, community, community_admin, upload_root):
    login(community_admin)
    assert 'enctype="multipart/form-data"' in text(client.get("/admin/amenities/new"))
    response = client.post("/admin/amenities/new", content_type="multipart/form-data",
                           data=resource_form(community_id=community.id, photo=(io.BytesIO(tiny_png()), "gym.png")))
    assert response.status_code == 302, text(response)[:1500]
    resource = db.session.scalar(sa.select(Resource))
    assert resource.photo_path.startswith("amenities/") and resource.photo_path.endswith(".png")
    assert (upload_root / resource.photo_path).read_bytes() == tiny_png()
    static = os.path.realpath(client.application.static_folder)
    assert not os.path.realpath(upload_root / resource.photo_path).startswith(static)


@pytest.mark.parametrize("data, filename, message", [
    (NOT_AN_IMAGE, "renamed.png", "WebP"),
    (tiny_png(), "gym.gif", "WebP"),
    (tiny_png() + b"\x00" * (FIVE_MB - len(tiny_png()) + 1), "huge.png", "5 MB"),
], ids=["text-renamed-png", "png-named-gif", "one-byte-over-5mb"])
def test_a_bad_photo_is_a_form_error_that_keeps_the_other_fields(client, db, login, community, community_admin,
                                                               upload_root, data, filename, message):
    login(community_admin)
    response = client.post("/admin/amenities/new", content_type="multipart/form-data",
                           data=resource_form(community_id=community.id, name="Fitness centre",
                                              location="三号楼负一层", photo=(io.BytesIO(data), filename)))
    assert response.status_code == 422
    page = text(response)
    assert 'value="Fitness centre"' in page and 'value="三号楼负一层"' in page
    errors = [chunk.split("</div>")[0] for chunk in page.split('class="invalid-feedback')[1:]]
    assert len(errors) == 1 and message in errors[0], errors
    assert db.session.scalar(sa.select(sa.func.count(Resource.id))) == 0
    assert stored_files(upload_root) == []


def test_exactly_five_megabytes_is_accepted(client, db, login, community, community_admin, upload_root):
    data = tiny_png() + b"\x00" * (FIVE_MB - len(tiny_png()))
    login(community_admin)
    response = client.post("/admin/amenities/new", content_type="multipart/form-data",
                           data=resource_form(community_id=community.id, photo=(io.BytesIO(data), "big.png")))
    assert response.status_code == 302
    assert len(stored_files(upload_root)) == 1


def test_edit_replaces_and_removes_the_photo(client, db, login, community_admin, gym_with_photo, upload_root):
    first = gym_with_photo.photo_path
    login(community_admin)
    page = text(client.get(f"/admin/amenities/{gym_with_photo.id}/edit"))
    assert "data-current-photo" in page and os.path.basename(first) in page
    replaced = client.post(f"/admin/amenities/{gym_with_photo.id}/edit", content_type="multipart/form-data",
                           data=resource_form(name="Gym", photo=(io.BytesIO(tiny_png((1, 2, 3))), "new.png")))
    assert replaced.status_code == 302
    db.session.expire_all()
    second = db.session.get(Resource, gym_with_photo.id).photo_path
    assert second != first and stored_files(upload_root) == [second]
    kept = client.post(f"/admin/amenities/{gym_with_photo.id}/edit", data=resource_form(name="Gym"))
    assert kept.status_code == 302 and stored_files(upload_root) == [second]  # no file chosen: unchanged
    removed = client.post(f"/admin/amenities/{gym_with_photo.id}/edit", data=resource_form(name="Gym", remove_photo="y"))
    assert removed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Resource, gym_with_photo.id).photo_path is None and stored_files(upload_root) == []


def test_a_bad_replacement_keeps_the_old_photo(client, db, login, community_admin, gym_with_photo, upload_root):
    first = gym_with_photo.photo_path
    login(community_admin)
    response = client.post(f"/admin/amenities/{gym_with_photo.id}/edit", content_type="multipart/form-data",
                           data=resource_form(name="Renamed", photo=(io.BytesIO(NOT_AN_IMAGE), "x.png")))
    assert response.status_code == 422
    db.session.expire_all()
    stored = db.session.get(Resource, gym_with_photo.id)
    assert (stored.photo_path, stored.name) == (first, "健身房") and stored_files(upload_root) == [first]


# -- serving ------------------------------------------------------------------------------------------

def photo_path_of(resource):
    return f"/amenities/{resource.id}/photo/{os.path.basename(resource.photo_path)}"


def test_residents_see_the_photo_on_the_list_and_the_week_page(client, login, resident, gym_with_photo):
    login(resident)
    url = photo_path_of(gym_with_photo)
    for page in (text(client.get("/amenities/")), text(client.get(f"/amenities/{gym_with_photo.id}"))):
        img = page.split("data-photo")[0].rsplit("<img", 1)[1]
        assert f'src="{url}"' in img and 'loading="lazy"' in img and 'width="640"' in img
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.get_data() == tiny_png()
    assert "private" in response.headers["Cache-Control"] and "public" not in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_no_photo_no_img(client, login, resident, gym):
    login(resident)
    assert "data-photo" not in text(client.get("/amenities/"))
    assert client.get(f"/amenities/{gym.id}/photo/anything.png").status_code == 404


def test_admins_see_the_photo(client, login, community_admin, platform_admin, gym_with_photo):
    for user in (community_admin, platform_admin):
        login(user)
        assert client.get(photo_path_of(gym_with_photo)).status_code == 200
        client.post("/logout")


def test_the_photo_is_hidden_from_strangers(client, login, stranger, other_admin, gym_with_photo):
    url = photo_path_of(gym_with_photo)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for user in (stranger, other_admin):
        login(user)
        assert client.get(url).status_code == 404
        client.post("/logout")


def test_wrong_or_stale_photo_names_are_404(client, db, login, resident, community_admin, gym_with_photo, upload_root):
    old_url = photo_path_of(gym_with_photo)
    ops.set_resource_photo(gym_with_photo, upload(tiny_png((9, 9, 9))), actor=community_admin)
    db.session.commit()
    login(resident)
    assert client.get(old_url).status_code == 404
    assert client.get(f"/amenities/{gym_with_photo.id}/photo/..%2F..%2Fconfig.py").status_code == 404
    os.remove(upload_root / gym_with_photo.photo_path)  # lost on disk: 404, never a 500
    assert client.get(photo_path_of(gym_with_photo)).status_code == 404


def test_tier_restricted_resource_photo_is_hidden_from_other_tiers(client, db, login, create_user, make_resource,
                                                                   community_admin):
    lounge = make_resource(name="Senior lounge", kind="coffee_bar", visible_tiers=["senior"])
    ops.set_resource_photo(lounge, upload(tiny_png()), actor=community_admin)
    db.session.commit()
    login(create_user("junior@example.test", tier="junior"))
    assert client.get(photo_path_of(lounge)).status_code == 404


def test_api_gives_the_photo_url_and_the_token_opens_it(client, api_token, resident, gym_with_photo):
    headers = api_token(resident)
    body = client.get(f"/api/v1/resources/{gym_with_photo.id}", headers=headers).get_json()
    assert body["photo_url"].endswith(photo_path_of(gym_with_photo))
    assert client.get(body["photo_url"], headers=headers).status_code == 200
