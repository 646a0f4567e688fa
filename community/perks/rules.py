"""Pure checks of the alliance (no session): what may happen to a merchant, a campaign or a
voucher, given its state and the date. Operations raise what these answer."""
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l

from community.perks.models import (
    C_APPROVED, C_PAUSED, C_PENDING, C_REJECTED, M_APPROVED, M_CHANGES, M_PENDING, M_REJECTED, M_SUSPENDED,
    V_ACTIVE, V_EXPIRED, V_REDEEMED, V_REVOKED,
)

UNDO_WINDOW = timedelta(hours=24)

# action -> (states it may start from, state it leads to, reason required)
MERCHANT_DECISIONS = {
    "approve": ((M_PENDING, M_CHANGES), M_APPROVED, False),
    "request_changes": ((M_PENDING,), M_CHANGES, True),
    "reject": ((M_PENDING, M_CHANGES), M_REJECTED, True),
    "suspend": ((M_APPROVED,), M_SUSPENDED, True),
    "reinstate": ((M_SUSPENDED,), M_APPROVED, False),
}
CAMPAIGN_DECISIONS = {
    "approve": ((C_PENDING,), C_APPROVED, False),
    "reject": ((C_PENDING,), C_REJECTED, True),
    "pause": ((C_APPROVED,), C_PAUSED, False),
    "resume": ((C_PAUSED,), C_APPROVED, False),
}


def decision_problem(decisions: dict, action: str, status: str, reason: str):
    """(code, message) when ``action`` may not be taken from ``status``; None when it may."""
    if action not in decisions:
        return "unknown_action", _l("Unknown action.")
    starts, _target, needs_reason = decisions[action]
    if status not in starts:
        return "wrong_state", _l("This cannot be done in its current state.")
    if needs_reason and not (reason or "").strip():
        return "reason_required", _l("Please give a reason.")
    return None


def voucher_validity(campaign, claim_day: date) -> tuple[date, date]:
    """(valid_from, valid_until) of a voucher claimed on ``claim_day``: the campaign's fixed dates,
    or ``valid_days`` days from the claim day, the claim day counted."""
    if campaign.validity == "fixed":
        return campaign.valid_from, campaign.valid_until
    return claim_day, claim_day + timedelta(days=campaign.valid_days - 1)


def claim_window_problem(campaign, at: datetime):
    if at < campaign.claim_starts_at:
        return "claim_not_started", _l("Claiming has not started yet.")
    if at >= campaign.claim_ends_at:
        return "claim_ended", _l("Claiming has ended.")
    return None


def voucher_refusal(voucher, today: date, campaign_status: str):
    """(code, message) why the voucher cannot be redeemed today, short of a redemption (which says
    when); None when it can."""
    if voucher.status == V_REVOKED:
        return "revoked", _l("This voucher was revoked and cannot be used.")
    if voucher.status == V_EXPIRED or (voucher.status == V_ACTIVE and voucher.valid_until < today):
        return "expired", _l("This voucher has expired.")
    if voucher.status == V_ACTIVE and voucher.valid_from > today:
        return "not_yet_valid", _l("This voucher is not valid yet.")
    if voucher.status == V_ACTIVE and campaign_status == C_PAUSED:
        return "campaign_paused", _l("This voucher's campaign is paused; it cannot be used for now.")
    return None


def undo_problem(voucher, at: datetime, reason: str):
    if voucher.status != V_REDEEMED or voucher.redeemed_at is None:
        return "not_redeemed", _l("This voucher is not redeemed.")
    if at - voucher.redeemed_at > UNDO_WINDOW:
        return "undo_too_late", _l("A redemption can only be undone within 24 hours.")
    if not (reason or "").strip():
        return "reason_required", _l("Please give a reason.")
    return None


def mask_name(name: str) -> str:
    """What the counter sees of a resident: the first character and stars (张** / A***)."""
    name = (name or "").strip()
    if not name:
        return "*"
    return name[0] + "*" * max(1, min(len(name) - 1, 3))


def campaign_problems(*, total, per_resident_limit, claim_starts_at, claim_ends_at, validity, valid_from,
                      valid_until, valid_days, face_value_fen) -> list:
    """Field -> message for a campaign that cannot be saved (forms and the API share these)."""
    problems = []
    if total is None or total < 1:
        problems.append(("total", _l("At least one voucher.")))
    if per_resident_limit is None or per_resident_limit < 1:
        problems.append(("per_resident_limit", _l("At least one voucher per resident.")))
    if claim_starts_at and claim_ends_at and claim_ends_at <= claim_starts_at:
        problems.append(("claim_ends_at", _l("The claim window must end after it starts.")))
    if validity == "fixed":
        if not valid_from or not valid_until:
            problems.append(("valid_until", _l("Give the first and last day the vouchers are valid.")))
        elif valid_until < valid_from:
            problems.append(("valid_until", _l("The last valid day cannot be before the first.")))
    elif not valid_days or valid_days < 1:
        problems.append(("valid_days", _l("Give how many days a voucher is valid after it is claimed.")))
    if face_value_fen is None or face_value_fen < 0:
        problems.append(("face_value", _l("The face value cannot be negative.")))
    return problems
