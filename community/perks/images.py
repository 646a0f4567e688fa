"""Perk images: up to MAX_IMAGES photos a perk (JPEG, PNG, WebP or GIF, checked by their bytes, up
to IMAGE_MAX_BYTES each), kept as core attachments of the perk (purpose "image"). Seen by whoever
may see the perk (a resident it is open to, while it is shown: not hidden, its merchant approved,
inside its dates), by its merchant's staff and by admins of the merchant's community; added and
removed by the staff and those admins. A hidden perk's images are 404 to residents, like the perk."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community.core import attachments
from community.core.attachments import Attachment
from community.core.errors import NotFound
from community.extensions import db
from community.perks import queries
from community.perks.errors import PerksRuleViolation
from community.perks.models import Perk

OWNER_TYPE = "perks.Perk"
PURPOSE = "image"
MAX_IMAGES = 4
IMAGE_MAX_BYTES = 2 * 1024 * 1024


def may_manage(user, perk) -> bool:
    return queries.is_staff_of(user, perk.merchant_id) or queries.may_administer(user, perk.merchant)


def _may_view(user, attachment) -> bool:
    perk = db.session.get(Perk, attachment.owner_id)
    if perk is None:
        return False
    if may_manage(user, perk):
        return True
    return db.session.scalar(queries.perks_for(user).where(Perk.id == perk.id)) is not None


def _may_delete(user, attachment) -> bool:
    perk = db.session.get(Perk, attachment.owner_id)
    return perk is not None and may_manage(user, perk)


if attachments.rule_for_type(OWNER_TYPE) is None:
    attachments.register_attachment_owner(OWNER_TYPE, model=Perk, may_view=_may_view, may_delete=_may_delete,
                                          max_bytes=IMAGE_MAX_BYTES, kinds=("image",), purposes=(PURPOSE,))


def add_images(perk, files, *, actor) -> list[Attachment]:
    """Attach the uploaded images (empty file fields skipped); 422 ``too_many_images`` past
    MAX_IMAGES in all, ``attachment_refused`` for a file that is no image or too large."""
    if not may_manage(actor, perk):
        raise NotFound()
    files = [f for f in files or () if f is not None and getattr(f, "filename", "")]
    if len(images_of(perk)) + len(files) > MAX_IMAGES:
        raise PerksRuleViolation(_l("A perk has at most %(n)d images.", n=MAX_IMAGES), code="too_many_images")
    return [attachments.attach(f, owner=perk, purpose=PURPOSE, actor=actor,
                               community_id=perk.merchant.community_id) for f in files]


def remove_image(perk, attachment_id: int, *, actor) -> None:
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.owner_type != OWNER_TYPE or attachment.owner_id != perk.id:
        raise NotFound()
    attachments.remove_attachment(attachment, actor)


def images_of(perk) -> list[Attachment]:
    return attachments.attachments_of(perk, PURPOSE)


def images_by_perk(perk_ids) -> dict[int, list[Attachment]]:
    """perk id -> its images, oldest first, for a page of perks (one query)."""
    if not perk_ids:
        return {}
    rows = db.session.scalars(sa.select(Attachment).where(
        Attachment.owner_type == OWNER_TYPE, Attachment.purpose == PURPOSE, Attachment.owner_id.in_(list(perk_ids)))
        .order_by(Attachment.created_at, Attachment.id))
    found: dict[int, list[Attachment]] = {}
    for attachment in rows:
        found.setdefault(attachment.owner_id, []).append(attachment)
    return found


def image_urls(perks) -> None:
    """Sets ``perk.image_urls`` (absolute URLs of its images) on each perk, for the API."""
    from community.core.urls import external_url

    found = images_by_perk([p.id for p in perks])
    for perk in perks:
        perk.image_urls = [external_url("attachments.download", attachment_id=a.id, name=a.file_name)
                           for a in found.get(perk.id, [])]


def first_images(perk_ids) -> dict[int, Attachment]:
    """perk id -> its first image, for the list's thumbnails (one query for the page)."""
    return {perk_id: found[0] for perk_id, found in images_by_perk(perk_ids).items()}
