"""Perk images: type and size refused, at most MAX_IMAGES, shown on the perk's page and as the list's
thumbnail, and no longer served to residents once the perk is hidden; another merchant's staff
cannot add or remove them."""
import io

import pytest
import sqlalchemy as sa

from community.core.attachments import Attachment
from community.perks import images
from tests.core.sample_files import SHELL_SCRIPT, tiny_png


def _png(name="cafe.png"):
    return (io.BytesIO(tiny_png()), name)


@pytest.fixture(autouse=True)
def uploads(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_ROOT", str(tmp_path / "uploads"))


@pytest.fixture
def perk(db, make_merchant):
    from community.perks import operations as ops

    merchant = make_merchant()
    made = ops.create_perk(merchant, actor=merchant.owner, title="Ten percent off", category="food")
    db.session.commit()
    return made


def _images_url(perk):
    return f"/merchant/{perk.merchant_id}/perks/{perk.id}/images"


def test_staff_add_images_resident_sees_them_until_hidden(db, client, login, perk, resident, community_admin):
    login(perk.merchant.owner)
    assert client.get(_images_url(perk)).status_code == 200
    answer = client.post(_images_url(perk), data={"images": [_png(), _png("two.png")]},
                         content_type="multipart/form-data")
    assert answer.status_code == 302
    stored = db.session.scalars(sa.select(Attachment).where(Attachment.owner_type == "perks.Perk")).all()
    assert len(stored) == 2 and all(a.mimetype == "image/png" for a in stored)
    download = f"/attachments/{stored[0].id}/{stored[0].file_name}"
    assert download in client.get(_images_url(perk)).get_data(as_text=True)

    client.post("/logout")
    login(resident)
    listing = client.get("/perks/").get_data(as_text=True)
    assert "data-perk-thumbnail" in listing and download in listing
    page = client.get(f"/perks/{perk.id}").get_data(as_text=True)
    assert page.count("<img") >= 2 and download in page
    assert client.get(download).status_code == 200

    from community.perks import operations as ops

    ops.set_perk_hidden(db.session.get(type(perk), perk.id), True, actor=community_admin, reason="complaint")
    db.session.commit()
    assert client.get(download).status_code == 404
    assert client.get(f"/perks/{perk.id}").status_code == 404


def test_wrong_type_and_too_large_are_refused(db, client, login, perk):
    login(perk.merchant.owner)
    answer = client.post(_images_url(perk), data={"images": [(io.BytesIO(SHELL_SCRIPT), "menu.png")]},
                         content_type="multipart/form-data")
    assert answer.status_code == 422
    big = tiny_png() + b"\0" * (images.IMAGE_MAX_BYTES + 1)
    answer = client.post(_images_url(perk), data={"images": [(io.BytesIO(big), "big.png")]},
                         content_type="multipart/form-data")
    assert answer.status_code in (413, 422)
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id)).where(Attachment.owner_type == "perks.Perk")) == 0


def test_at_most_max_images(db, client, login, perk):
    login(perk.merchant.owner)
    data = {"images": [_png(f"{n}.png") for n in range(images.MAX_IMAGES + 1)]}
    assert client.post(_images_url(perk), data=data, content_type="multipart/form-data").status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id)).where(Attachment.owner_type == "perks.Perk")) == 0


def test_another_merchants_staff_cannot_touch_them(db, client, login, perk, make_merchant):
    login(perk.merchant.owner)
    client.post(_images_url(perk), data={"images": [_png()]}, content_type="multipart/form-data")
    image_id = db.session.scalar(sa.select(Attachment.id).where(Attachment.owner_type == "perks.Perk"))
    other = make_merchant(name="Other shop")
    db.session.commit()
    client.post("/logout")
    login(other.owner)
    assert client.get(_images_url(perk)).status_code == 404
    assert client.post(_images_url(perk), data={"images": [_png()]},
                       content_type="multipart/form-data").status_code == 404
    assert client.post(f"{_images_url(perk)}/{image_id}/remove").status_code == 404
    assert db.session.get(Attachment, image_id) is not None

    client.post("/logout")
    login(perk.merchant.owner)
    assert client.post(f"{_images_url(perk)}/{image_id}/remove").status_code == 302
    assert db.session.get(Attachment, image_id) is None


def test_the_api_lists_a_perks_images(db, client, login, perk, resident, api_token):
    login(perk.merchant.owner)
    client.post(_images_url(perk), data={"images": [_png()]}, content_type="multipart/form-data")
    image = db.session.scalar(sa.select(Attachment).where(Attachment.owner_type == "perks.Perk"))
    client.post("/logout")
    headers = api_token(resident)
    listed = client.get("/api/v1/perks", headers=headers).json
    mine = next(p for p in listed if p["id"] == perk.id)
    assert len(mine["images"]) == 1 and mine["images"][0].endswith(f"/attachments/{image.id}/{image.file_name}")
    assert client.get(f"/api/v1/perks/{perk.id}", headers=headers).json["images"] == mine["images"]
