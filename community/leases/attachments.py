"""Inspection photos are core attachments: private, images only, up to 5 MB each, seen by the
lease's resident and the office of its community."""
from community.core.attachments import register_attachment_owner, rule_for_type
from community.extensions import db
from community.leases.models import InspectionItem

OWNER_TYPE = "leases.InspectionItem"
PHOTO_MAX_BYTES = 5 * 1024 * 1024


def may_view_photo(user, attachment) -> bool:
    from community.leases.queries import may_manage

    entry = db.session.get(InspectionItem, attachment.owner_id)
    if entry is None:
        return False
    lease = entry.inspection.lease
    return lease.user_id == user.id or may_manage(user, lease.community_id)


if rule_for_type(OWNER_TYPE) is None:
    register_attachment_owner(OWNER_TYPE, model=InspectionItem, may_view=may_view_photo,
                              may_delete=lambda user, attachment: False, max_bytes=PHOTO_MAX_BYTES,
                              kinds=("image",), purposes=("photo",))
