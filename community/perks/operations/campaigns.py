"""Perks and voucher campaigns: created by the merchant (or an operator for it), approved by an
admin of the merchant's community, paused and resumed."""
from flask_babel import lazy_gettext as _l

from community.core import audit
from community.core.errors import NotFound
from community.extensions import db
from community.perks import queries, rules
from community.perks.errors import PerksRuleViolation
from community.perks.models import C_PENDING, CATEGORIES, FUNDERS, M_APPROVED, TIERS, VALIDITY_KINDS, Campaign, Perk
from community.perks.notices import CAMPAIGN_DECIDED_KIND, notify


def _may_manage(actor, merchant) -> bool:
    return queries.is_staff_of(actor, merchant.id) or queries.may_administer(actor, merchant)


def _clean_scope(tiers, communities):
    tiers = sorted(set(tiers or ()))
    if any(t not in TIERS for t in tiers):
        raise PerksRuleViolation(_l("Unknown talent tier."), code="unknown_tier")
    return tiers, sorted({int(c) for c in communities or ()})


def create_perk(merchant, *, actor, title, category, description="", discount_text="", terms="",
                valid_from=None, valid_until=None, eligible_tiers=(), eligible_communities=()) -> Perk:
    if not _may_manage(actor, merchant):
        raise NotFound()
    if merchant.status != M_APPROVED:
        raise PerksRuleViolation(_l("Only an approved merchant publishes perks."), code="not_approved")
    if category not in CATEGORIES:
        raise PerksRuleViolation(_l("Choose a category."), code="unknown_category")
    if not (title or "").strip():
        raise PerksRuleViolation(_l("Give a title."), code="missing_field", field="title")
    if valid_from and valid_until and valid_until < valid_from:
        raise PerksRuleViolation(_l("The last valid day cannot be before the first."), code="valid_range")
    tiers, communities = _clean_scope(eligible_tiers, eligible_communities)
    perk = Perk(merchant_id=merchant.id, title=title.strip(), category=category, description=description or "",
                discount_text=discount_text or "", terms=terms or "", valid_from=valid_from,
                valid_until=valid_until, eligible_tiers=tiers, eligible_communities=communities)
    db.session.add(perk)
    db.session.flush()
    audit.record(actor, "perks.perk_created", perk, community_id=merchant.community_id, title=perk.title)
    return perk


def set_perk_hidden(perk, hidden: bool, *, actor, reason: str = "") -> Perk:
    """An admin hides a perk (with a reason) or shows it again."""
    if not queries.may_administer(actor, perk.merchant):
        raise NotFound()
    if hidden and not (reason or "").strip():
        raise PerksRuleViolation(_l("Please give a reason."), code="reason_required")
    perk.hidden = hidden
    perk.hidden_reason = (reason or "").strip() if hidden else ""
    db.session.flush()
    if hidden:
        audit.record(actor, "perks.perk_hidden", perk, community_id=perk.merchant.community_id,
                     reason=perk.hidden_reason)
    else:
        audit.record(actor, "perks.perk_shown", perk, community_id=perk.merchant.community_id)
    return perk


def create_campaign(merchant, *, actor, title, benefit, total, per_resident_limit, claim_starts_at, claim_ends_at,
                    validity="fixed", valid_from=None, valid_until=None, valid_days=None, face_value_fen=0,
                    funded_by="merchant", terms="", eligible_tiers=(), eligible_communities=()) -> Campaign:
    """A campaign waiting for approval; residents see it once an admin approves it."""
    if not _may_manage(actor, merchant):
        raise NotFound()
    if merchant.status != M_APPROVED:
        raise PerksRuleViolation(_l("Only an approved merchant publishes campaigns."), code="not_approved")
    if funded_by not in FUNDERS or validity not in VALIDITY_KINDS:
        raise PerksRuleViolation(_l("Invalid input."), code="invalid_choice")
    if not (title or "").strip() or not (benefit or "").strip():
        raise PerksRuleViolation(_l("Give a title and what the voucher is for."), code="missing_field")
    problems = rules.campaign_problems(total=total, per_resident_limit=per_resident_limit,
                                       claim_starts_at=claim_starts_at, claim_ends_at=claim_ends_at,
                                       validity=validity, valid_from=valid_from, valid_until=valid_until,
                                       valid_days=valid_days, face_value_fen=face_value_fen)
    if problems:
        field, message = problems[0]
        raise PerksRuleViolation(message, code="invalid_campaign", field=field)
    tiers, communities = _clean_scope(eligible_tiers, eligible_communities)
    fixed = validity == "fixed"
    campaign = Campaign(merchant_id=merchant.id, title=title.strip(), benefit=benefit.strip(), terms=terms or "",
                        funded_by=funded_by, total=total, per_resident_limit=per_resident_limit,
                        claim_starts_at=claim_starts_at, claim_ends_at=claim_ends_at, validity=validity,
                        valid_from=valid_from if fixed else None, valid_until=valid_until if fixed else None,
                        valid_days=None if fixed else valid_days, face_value_fen=face_value_fen,
                        eligible_tiers=tiers, eligible_communities=communities, status=C_PENDING,
                        created_by_id=actor.id)
    db.session.add(campaign)
    db.session.flush()
    audit.record(actor, "perks.campaign_created", campaign, community_id=merchant.community_id,
                 title=campaign.title, total=total)
    return campaign


def decide_campaign(campaign, action: str, *, actor, reason: str = "") -> Campaign:
    """Approve or reject (admin); pause or resume (admin, or the merchant's staff)."""
    merchant = campaign.merchant
    admin = queries.may_administer(actor, merchant)
    if not admin and not (action in ("pause", "resume") and queries.is_staff_of(actor, merchant.id)):
        raise NotFound()
    problem = rules.decision_problem(rules.CAMPAIGN_DECISIONS, action, campaign.status, reason)
    if problem:
        raise PerksRuleViolation(problem[1], code=problem[0])
    before = campaign.status
    campaign.status = rules.CAMPAIGN_DECISIONS[action][1]
    campaign.decision_reason = (reason or "").strip()
    db.session.flush()
    audit.record(actor, "perks.campaign_decided", campaign, community_id=merchant.community_id, decision=action,
                 status_before=before, reason=campaign.decision_reason)
    if merchant.owner is not None and merchant.owner_id != actor.id:
        notify(merchant.owner, CAMPAIGN_DECIDED_KIND, obj=campaign, title=campaign.title, decision=action,
               reason=campaign.decision_reason)
    return campaign
