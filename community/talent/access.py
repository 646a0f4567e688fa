"""Who may do what in the talent domain: the one place pages, the API and operations ask.

Nobody decides a stage of their own application; a community-admin stage is decided only by an
admin of the application's community (another community's admin never); a talent-reviewer stage by
a holder of the platform-level talent_reviewer role. Platform admins pass everywhere (has_role)."""
from community.core.permissions import (
    COMMUNITY_ADMIN, MERCHANT_STAFF, PLATFORM_ADMIN, SPECIALIST, TALENT_REVIEWER, has_role,
)
from community.talent.models import DRAFT, REVIEW


def holds_stage(user, application, stage) -> bool:
    """``user`` may decide ``stage`` of ``application``."""
    if user is None or not getattr(user, "is_authenticated", False) or application.user_id == user.id:
        return False
    if stage is None or stage.kind != REVIEW:
        return False
    if stage.role == TALENT_REVIEWER:
        return has_role(user, TALENT_REVIEWER)
    return has_role(user, COMMUNITY_ADMIN, application.community_id)


def is_office_of(user, community_id) -> bool:
    """Admins of that community (and platform admins): they run its registry and its re-reviews."""
    return community_id is not None and has_role(user, COMMUNITY_ADMIN, community_id)


def is_reviewer(user) -> bool:
    """Anyone who reviews somewhere: a talent reviewer, a community admin or a platform admin."""
    return has_role(user, TALENT_REVIEWER) or has_role(user, COMMUNITY_ADMIN)


def reviews_application(user, application) -> bool:
    """A reviewer of this application: sees it, its evidence and its timeline. Drafts are the
    applicant's alone; the applicant is never their own reviewer."""
    if user is None or not getattr(user, "is_authenticated", False) or application.user_id == user.id:
        return False
    if application.status == DRAFT:
        return False
    return has_role(user, TALENT_REVIEWER) or is_office_of(user, application.community_id)


def may_view_application(user, application) -> bool:
    return (getattr(user, "id", None) == application.user_id) or reviews_application(user, application)


def may_resolve_objection(user, application) -> bool:
    return reviews_application(user, application)


def may_verify_cards(user) -> bool:
    """Merchant staff (any merchant) and community staff verify talent cards."""
    return any(has_role(user, role) for role in (MERCHANT_STAFF, SPECIALIST, COMMUNITY_ADMIN, TALENT_REVIEWER))


def may_configure_types(user) -> bool:
    return has_role(user, PLATFORM_ADMIN)
