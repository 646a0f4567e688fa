"""Merchants: application, decisions, and staff by e-mailed invitation."""
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l

from community.accounts import operations as account_ops
from community.accounts.models import RoleGrant, User
from community.core import attachments, audit, tokens
from community.core.clock import now
from community.core.errors import Conflict, NotFound, PermissionDenied
from community.core.permissions import MERCHANT_STAFF
from community.core.urls import external_url
from community.extensions import db
from community.notifications.operations import queue_email
from community.perks import queries, rules
from community.perks.errors import PerksRuleViolation
from community.perks.models import CATEGORIES, M_APPROVED, M_CHANGES, M_PENDING, Merchant, StaffInvitation
from community.perks.notices import MERCHANT_DECIDED_KIND, notify

INVITATION_LIFETIME = timedelta(days=3)
APPLICATION_FIELDS = ("name", "category", "address", "map_position", "contact_name", "contact_phone",
                      "licence_number", "description", "opening_hours")


def _check_fields(fields):
    if fields.get("category") not in CATEGORIES:
        raise PerksRuleViolation(_l("Choose a category."), code="unknown_category")
    for name in ("name", "address", "contact_name", "contact_phone", "licence_number"):
        if not (fields.get(name) or "").strip():
            raise PerksRuleViolation(_l("Please fill in every required field."), code="missing_field", field=name)


def apply_merchant(applicant, community, *, licence_image=None, **fields) -> Merchant:
    """A business asks to join the community's alliance; the applicant will own it. The business
    licence image (a photo or PDF) is kept as a private attachment the office sees."""
    _check_fields(fields)
    merchant = Merchant(community_id=community.id, owner_id=applicant.id, status=M_PENDING,
                        **{k: (fields.get(k) or "").strip() for k in APPLICATION_FIELDS})
    db.session.add(merchant)
    db.session.flush()
    audit.record(applicant, "perks.merchant_applied", merchant, name=merchant.name)
    if licence_image is not None:
        attachments.attach(licence_image, owner=merchant, purpose=LICENCE, actor=applicant)
    return merchant


LICENCE = "licence"


def _may_view_licence(user, attachment) -> bool:
    merchant = db.session.get(Merchant, attachment.owner_id)
    return merchant is not None and (merchant.owner_id == user.id or queries.may_administer(user, merchant))


attachments.register_attachment_owner("perks.Merchant", model=Merchant, may_view=_may_view_licence,
                                      max_bytes=5 * 1024 * 1024, kinds=("image", "pdf"), purposes=(LICENCE,))


def update_application(merchant, *, actor, **fields) -> Merchant:
    """The applicant answers a request for changes: the application waits for a decision again."""
    if merchant.owner_id != actor.id:
        raise NotFound()
    if merchant.status not in (M_PENDING, M_CHANGES):
        raise PerksRuleViolation(_l("Only an application waiting for a decision can be changed."), code="wrong_state")
    _check_fields(fields)
    for key in APPLICATION_FIELDS:
        setattr(merchant, key, (fields.get(key) or "").strip())
    merchant.status = M_PENDING
    db.session.flush()
    audit.record(actor, "perks.merchant_updated", merchant, name=merchant.name)
    return merchant


def decide_merchant(merchant, action: str, *, actor, reason: str = "") -> Merchant:
    """Approve, ask for changes, reject, suspend or reinstate (an admin of the merchant's community).
    Approval makes the applicant staff of the merchant, so they can run its counter and invite."""
    if not queries.may_administer(actor, merchant):
        raise NotFound()
    problem = rules.decision_problem(rules.MERCHANT_DECISIONS, action, merchant.status, reason)
    if problem:
        raise PerksRuleViolation(problem[1], code=problem[0])
    before = merchant.status
    merchant.status = rules.MERCHANT_DECISIONS[action][1]
    merchant.decision_reason = (reason or "").strip()
    merchant.decided_at = now()
    merchant.decided_by_id = actor.id
    db.session.flush()
    if action == "approve" and merchant.owner is not None and not queries.is_staff_of(merchant.owner, merchant.id):
        account_ops.grant_role(merchant.owner, MERCHANT_STAFF, None, merchant_id=merchant.id, actor=None)
    audit.record(actor, "perks.merchant_decided", merchant, decision=action, status_before=before,
                 reason=merchant.decision_reason)
    if merchant.owner is not None:
        notify(merchant.owner, MERCHANT_DECIDED_KIND, obj=merchant, merchant=merchant.name, decision=action,
               reason=merchant.decision_reason)
    return merchant


def _ensure_owner(merchant, actor):
    """The owner runs the staff list (and an admin of the merchant's community)."""
    if merchant.owner_id == actor.id or queries.may_administer(actor, merchant):
        return
    raise PermissionDenied(_l("Only the merchant's owner manages its staff."), code="not_owner")


def invite_staff(merchant, email: str, *, actor, link_for=None) -> StaffInvitation:
    """E-mail a link that makes whoever opens it (logged in) staff of the merchant; it expires
    after three days and works once. Only the token's digest is stored."""
    _ensure_owner(merchant, actor)
    if merchant.status != M_APPROVED:
        raise PerksRuleViolation(_l("Staff can be invited once the merchant is approved."), code="not_approved")
    email = (email or "").strip().lower()
    if "@" not in email:
        raise PerksRuleViolation(_l("Give an e-mail address."), code="invalid_email", field="email")
    token = tokens.generate()
    invitation = StaffInvitation(merchant_id=merchant.id, email=email, token_hash=tokens.digest(token),
                                 invited_by_id=actor.id, expires_at=now() + INVITATION_LIFETIME)
    db.session.add(invitation)
    db.session.flush()
    link = (link_for or _invitation_link)(token)
    with force_locale("zh_CN"):
        subject = gettext("Invitation to the staff of %(merchant)s", merchant=merchant.name)
        body = gettext("%(inviter)s invites you to the counter staff of %(merchant)s in the talent community's "
                       "service alliance.\nOpen this link within three days (it works once): %(link)s",
                       inviter=actor.display_name, merchant=merchant.name, link=link)
    queue_email(email, subject, body, kind="perks.staff_invitation")
    audit.record(actor, "perks.staff_invited", merchant, email=email)
    return invitation


def _invitation_link(token):
    return external_url("merchant.accept_invitation", token=token)


def invitation_for(token: str) -> StaffInvitation:
    invitation = db.session.scalar(sa.select(StaffInvitation).where(
        StaffInvitation.token_hash == tokens.digest(token or "")))
    if invitation is None:
        raise NotFound(_l("This invitation link is not valid."), code="invalid_invitation")
    return invitation


def accept_invitation(token: str, *, user) -> RoleGrant:
    """Become staff of the invitation's merchant. The invitation is marked used by one conditional
    UPDATE: of two tabs opening the same link at once, one wins."""
    invitation = invitation_for(token)
    at = now()
    if invitation.accepted_at is not None:
        raise Conflict(_l("This invitation was already used."), code="invitation_used")
    if invitation.expires_at <= at:
        raise PerksRuleViolation(_l("This invitation has expired; ask for a new one."), code="invitation_expired")
    if invitation.merchant.status != M_APPROVED:
        raise PerksRuleViolation(_l("This merchant is not active in the alliance."), code="not_approved")
    used = db.session.execute(sa.update(StaffInvitation).where(
        StaffInvitation.id == invitation.id, StaffInvitation.accepted_at.is_(None))
        .values(accepted_at=at, accepted_by_id=user.id)).rowcount
    if not used:
        raise Conflict(_l("This invitation was already used."), code="invitation_used")
    if queries.is_staff_of(user, invitation.merchant_id):
        raise Conflict(_l("You are already staff of this merchant."), code="already_staff")
    grant = account_ops.grant_role(user, MERCHANT_STAFF, None, merchant_id=invitation.merchant_id, actor=None)
    audit.record(user, "perks.staff_joined", invitation.merchant, invitation_id=invitation.id)
    return grant


def remove_staff(merchant, grant: RoleGrant, *, actor) -> None:
    _ensure_owner(merchant, actor)
    if grant.role != MERCHANT_STAFF or grant.merchant_id != merchant.id:
        raise NotFound()
    if grant.user_id == merchant.owner_id:
        raise PerksRuleViolation(_l("The owner cannot be removed from the staff."), code="owner_stays")
    user = db.session.get(User, grant.user_id)
    account_ops.revoke_role(grant, actor=None)
    audit.record(actor, "perks.staff_removed", merchant, user_id=user.id)


def application_fields(merchant) -> dict:
    return {key: getattr(merchant, key) for key in APPLICATION_FIELDS}


__all__ = ["apply_merchant", "update_application", "decide_merchant", "invite_staff", "accept_invitation",
           "remove_staff", "invitation_for", "application_fields"]
