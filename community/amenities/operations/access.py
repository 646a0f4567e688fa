"""Who may run an amenity operation that only a community's office may run."""
from flask_babel import lazy_gettext as _l

from community.core.errors import PermissionDenied
from community.core.permissions import COMMUNITY_ADMIN, has_role


def is_admin(actor, community_id: int) -> bool:
    return has_role(actor, COMMUNITY_ADMIN, community_id)


def require_admin(actor, community_id: int) -> None:
    if not is_admin(actor, community_id):
        raise PermissionDenied(_l("Only an administrator of this community can do this."),
                               code="not_community_admin")
