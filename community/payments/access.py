"""Who may do what with payments: the payer with their own, the community office with its
community's (a platform admin everywhere). Something not yours answers as if it did not exist."""
from community.core.errors import NotFound
from community.core.permissions import COMMUNITY_ADMIN, PLATFORM_ADMIN, community_ids_with_role, has_role


def is_operator(user, community_id) -> bool:
    return has_role(user, COMMUNITY_ADMIN, community_id)


def require_operator(user, community_id) -> None:
    if not is_operator(user, community_id):
        raise NotFound()


def operated_community_ids(user):
    """Communities whose payments ``user`` runs; None: all (platform admin)."""
    if has_role(user, PLATFORM_ADMIN):
        return None
    return community_ids_with_role(user, COMMUNITY_ADMIN)
