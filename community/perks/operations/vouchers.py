"""Claiming, redemption at the counter, undo, revocation, expiry and reminders.

The two "never" rules are the database's: a claim raises the resident's counter row with a
conditional upsert (never past the campaign's per-resident limit) and the campaign's ``claimed``
with a conditional UPDATE (never past ``total``); a redemption is one conditional UPDATE of the
voucher (``WHERE status = 'active'``). Python reads only decide which clear message to give."""
import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from community.accounts.models import Community
from community.core import audit
from community.core.audit import AuditEntry
from community.core.clock import local_today, now
from community.core.errors import NotFound, PermissionDenied
from community.extensions import db
from community.perks import codes, queries, rules
from community.perks.errors import (
    AlreadyRedeemed, LimitReached, NotEligible, NotStaff, PerksRuleViolation, SoldOut, UnknownCode, VoucherRefused,
)
from community.perks.models import (
    C_APPROVED, C_PAUSED, M_APPROVED, M_SUSPENDED, V_ACTIVE, V_EXPIRED, V_REDEEMED, V_REVOKED, Campaign, ClaimCount,
    Merchant, Voucher,
)
from community.perks.notices import REDEEMED_KIND, REMINDER_KIND, UNDONE_KIND, notify

REMIND_DAYS_BEFORE = 2


# -- claiming -----------------------------------------------------------------------------------

def claim(user, campaign: Campaign) -> Voucher:
    """One voucher of ``campaign`` for ``user``, or SoldOut / LimitReached (409), NotEligible
    (403), a closed window or paused campaign (422). On a refusal the caller rolls back (the
    request does): the counter row raised before the campaign said sold out goes with it."""
    at = now()
    today = local_today(user.timezone)
    if campaign.merchant.status != M_APPROVED or campaign.status not in (C_APPROVED, C_PAUSED):
        raise NotFound()
    if not queries.is_resident(user):
        raise NotEligible(_l("Vouchers are for verified residents."), code="not_resident")
    if not queries.is_open_to(campaign, user, today):
        raise NotEligible()
    if campaign.status == C_PAUSED:
        raise PerksRuleViolation(_l("This campaign is paused."), code="campaign_paused")
    problem = rules.claim_window_problem(campaign, at)
    if problem:
        raise PerksRuleViolation(problem[1], code=problem[0])
    if campaign.claimed >= campaign.total:  # claimed only grows: a read that says sold out is true
        raise SoldOut()
    valid_from, valid_until = rules.voucher_validity(campaign, today)
    values = dict(campaign_id=campaign.id, merchant_id=campaign.merchant_id, user_id=user.id,
                  community_id=user.community_id, code=codes.generate(), status=V_ACTIVE, claimed_at=at,
                  valid_from=valid_from, valid_until=valid_until, revoke_reason="")
    if db.session.get_bind().dialect.name == "postgresql":
        voucher_id = _claim_in_one_statement(campaign, values)
    else:
        voucher_id = _claim_step_by_step(campaign, user, values)
    voucher = Voucher()  # what was inserted, never read back, made persistent without SQL
    for name, value in dict(values, id=voucher_id, redeemed_at=None, redeemed_by_id=None, revoked_at=None,
                            campaign=campaign, merchant=campaign.merchant).items():
        set_committed_value(voucher, name, value)
    make_transient_to_detached(voucher)
    db.session.add(voucher)
    return voucher


CLAIMED_ACTION = "perks.voucher_claimed"

# The whole claim on PostgreSQL, one statement, its parts in this order (each selects from the one
# before, so each runs only when the one before took its row):
#   counted  the resident's counter rises unless at the limit (the row lock queues one resident's
#            concurrent claims; the WHERE is re-checked on the locked row);
#   taken    then the campaign's conditional UPDATE, never past total: the hot row is locked from
#            here to the COMMIT only, and never for a resident at the limit;
#   voucher  the voucher row, only when the campaign gave one;
#   audited  its audit entry (what core.audit.record would add), only with the voucher.
# Answers whether the counter rose and the voucher's id: (False, None) limit reached, (True, None)
# sold out (the request rolls back, the counter row with it), (True, id) claimed.
_CLAIM_SQL = sa.text("""
WITH counted AS (
    INSERT INTO voucher_claim_counts (campaign_id, user_id, claimed) VALUES (:campaign_id, :user_id, 1)
    ON CONFLICT (campaign_id, user_id) DO UPDATE SET claimed = voucher_claim_counts.claimed + 1
    WHERE voucher_claim_counts.claimed < :per_resident_limit
    RETURNING claimed),
taken AS (
    UPDATE voucher_campaigns SET claimed = claimed + 1
    WHERE id = :campaign_id AND claimed < total AND status = 'approved' AND EXISTS (SELECT FROM counted)
    RETURNING id),
voucher AS (
    INSERT INTO vouchers (campaign_id, merchant_id, user_id, community_id, code, status, claimed_at, valid_from,
                          valid_until, revoke_reason)
    SELECT taken.id, :merchant_id, :user_id, :community_id, :code, :status, :claimed_at, :valid_from, :valid_until, ''
    FROM taken
    RETURNING id),
audited AS (
    INSERT INTO audit_entries (created_at, actor_id, action, object_type, object_id, community_id, details)
    SELECT :claimed_at, :user_id, :action, :object_type, voucher.id, :community_id, CAST(:details AS json)
    FROM voucher
    RETURNING id)
SELECT EXISTS (SELECT FROM counted) AS counted, (SELECT id FROM voucher) AS voucher_id
""")


def _claim_in_one_statement(campaign, values) -> int:
    audit.ensure_recordable(CLAIMED_ACTION)
    params = dict(values, per_resident_limit=campaign.per_resident_limit, action=CLAIMED_ACTION,
                  object_type=audit.object_type_of(Voucher), details=json.dumps({"campaign_id": campaign.id}))
    counted, voucher_id = db.session.execute(_CLAIM_SQL, params).one()
    if not counted:
        raise LimitReached()
    if voucher_id is None:
        raise SoldOut()
    return voucher_id


def _claim_step_by_step(campaign, user, values) -> int:
    """SQLite (one writer at a time): the counter, the voucher, then the campaign's conditional
    UPDATE and the audit entry, as separate statements."""
    if not _count_claim(campaign, user):
        raise LimitReached()
    voucher_id = db.session.execute(sa.insert(Voucher).values(**values)).inserted_primary_key[0]
    take = (sa.update(Campaign).where(Campaign.id == campaign.id, Campaign.claimed < Campaign.total,
                                      Campaign.status == C_APPROVED)
            .values(claimed=Campaign.claimed + 1).execution_options(synchronize_session=False))
    if not db.session.execute(take).rowcount:
        raise SoldOut()
    db.session.execute(sa.insert(AuditEntry).values(
        created_at=values["claimed_at"], actor_id=user.id, action=CLAIMED_ACTION, object_type=audit.object_type_of(Voucher),
        object_id=voucher_id, community_id=user.community_id, details={"campaign_id": campaign.id}))
    return voucher_id


def _audit_values(actor, action, obj, *, community_id, **details) -> dict:
    """The columns of the audit entry ``core.audit.record`` would add, for a Core INSERT."""
    audit.ensure_recordable(action)
    return {"created_at": now(), "actor_id": actor.id, "action": action, "object_type": audit.object_type_of(obj),
            "object_id": obj.id, "community_id": community_id,
            "details": {k: audit.jsonable(v) for k, v in details.items()}}


def _update_and_audit(update, key, audit_values) -> bool:
    """SQLite: run a conditional UPDATE and, only when it changed a row, insert the audit entry
    (on PostgreSQL the two are one statement: _CLAIM_SQL, _REDEEM_SQL). False when the UPDATE
    found no row (nothing audited)."""
    if not db.session.execute(update).rowcount:
        return False
    db.session.execute(sa.insert(AuditEntry).values(**audit_values))
    return True


def _count_claim(campaign, user) -> bool:
    """SQLite: raise the resident's claim counter unless it is at the limit; False when it was."""
    stmt = sqlite.insert(ClaimCount).values(campaign_id=campaign.id, user_id=user.id, claimed=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[ClaimCount.campaign_id, ClaimCount.user_id],
        set_={"claimed": ClaimCount.claimed + 1},
        where=ClaimCount.claimed < campaign.per_resident_limit,
    ).returning(ClaimCount.claimed)
    return db.session.execute(stmt).first() is not None


# -- the counter --------------------------------------------------------------------------------

def _find(code_text: str) -> Voucher:
    code = codes.normalise(code_text or "")
    if code is None:
        raise UnknownCode()
    if not codes.is_well_formed(code):
        raise UnknownCode(_l("This code has a typo: its last character does not match. Check the code."),
                          code="code_mistyped")
    voucher = queries.voucher_by_code(code)
    if voucher is None:
        raise UnknownCode()
    return voucher


def _ensure_counter(actor, voucher):
    staff_of = queries.staff_merchant_ids(actor)
    if not staff_of:
        raise NotStaff()
    if voucher.merchant_id not in staff_of:
        raise PermissionDenied(_l("This voucher is for another merchant."), code="other_merchant")
    if voucher.merchant.status == M_SUSPENDED or voucher.merchant.status != M_APPROVED:
        raise PermissionDenied(_l("Your merchant is suspended from the alliance; vouchers cannot be redeemed."),
                               code="merchant_suspended")


def _merchant_today(voucher):
    return local_today(voucher.merchant.community.timezone)


def _already_redeemed(voucher) -> AlreadyRedeemed:
    tz = ZoneInfo(voucher.merchant.community.timezone)
    when = voucher.redeemed_at.astimezone(tz)
    return AlreadyRedeemed(_l("Already redeemed at %(when)s by %(merchant)s.",
                              when=format_datetime(when, "short"), merchant=voucher.merchant.name),
                           redeemed_at=when.isoformat(), merchant=voucher.merchant.name)


def _refuse(voucher):
    if voucher.status == V_REDEEMED:
        raise _already_redeemed(voucher)
    refusal = rules.voucher_refusal(voucher, _merchant_today(voucher), voucher.campaign.status)
    if refusal:
        raise VoucherRefused(refusal[1], code=refusal[0])


def inspect_code(code_text: str, *, actor) -> Voucher:
    """What the counter sees before confirming: the voucher, if this staff member may redeem it
    now; the same refusals as ``redeem``."""
    voucher = _find(code_text)
    _ensure_counter(actor, voucher)
    _refuse(voucher)
    return voucher


def redeem(code_text: str, *, actor) -> Voucher:
    """Redeem once. The conditional UPDATE decides between two counters confirming together: the
    one whose UPDATE finds the voucher still active wins; the other is told when and where."""
    voucher = _find(code_text)
    _ensure_counter(actor, voucher)
    _refuse(voucher)
    at = now()
    if not _redeem_and_audit(voucher, actor, at):
        db.session.refresh(voucher)  # another counter's redemption: when, for the answer
        _refuse(voucher)
        raise _already_redeemed(voucher)
    for name, value in (("status", V_REDEEMED), ("redeemed_at", at), ("redeemed_by_id", actor.id)):
        set_committed_value(voucher, name, value)  # what the UPDATE wrote, without reading it back
    notify(voucher.user, REDEEMED_KIND, obj=voucher, title=voucher.campaign.title, merchant=voucher.merchant.name,
           redeemed_at=at, tz=voucher.merchant.community.timezone)
    return voucher


REDEEMED_ACTION = "perks.voucher_redeemed"

# PostgreSQL, one statement: the conditional UPDATE (of two counters confirming at once, only one
# finds the voucher active) and, only when it changed the row, its audit entry.
_REDEEM_SQL = sa.text("""
WITH done AS (
    UPDATE vouchers SET status = :redeemed, redeemed_at = :at, redeemed_by_id = :actor_id
    WHERE id = :voucher_id AND status = :active
    RETURNING id)
INSERT INTO audit_entries (created_at, actor_id, action, object_type, object_id, community_id, details)
SELECT :at, :actor_id, :action, :object_type, done.id, :community_id, CAST(:details AS json) FROM done
RETURNING id
""")


def _redeem_and_audit(voucher, actor, at) -> bool:
    """The redeeming UPDATE and its audit entry; False when the voucher was no longer active."""
    audit.ensure_recordable(REDEEMED_ACTION)
    community_id = voucher.merchant.community_id
    if db.session.get_bind().dialect.name == "postgresql":
        return db.session.execute(_REDEEM_SQL, dict(
            redeemed=V_REDEEMED, active=V_ACTIVE, at=at, actor_id=actor.id, voucher_id=voucher.id,
            action=REDEEMED_ACTION, object_type=audit.object_type_of(Voucher), community_id=community_id,
            details=json.dumps({"merchant_id": voucher.merchant_id}))).first() is not None
    update = (sa.update(Voucher).where(Voucher.id == voucher.id, Voucher.status == V_ACTIVE)
              .values(status=V_REDEEMED, redeemed_at=at, redeemed_by_id=actor.id)
              .execution_options(synchronize_session=False))
    return _update_and_audit(update, Voucher.id, _audit_values(actor, REDEEMED_ACTION, voucher,
                                                               community_id=community_id,
                                                               merchant_id=voucher.merchant_id))


def undo_redemption(voucher, *, actor, reason: str) -> Voucher:
    """An admin of the merchant's community makes a voucher usable again within 24 hours of its
    redemption (a mistaken confirm), with a reason; audited, and the resident is told."""
    if not queries.may_administer(actor, voucher.merchant):
        raise NotFound()
    at = now()
    problem = rules.undo_problem(voucher, at, reason)
    if problem:
        raise PerksRuleViolation(problem[1], code=problem[0])
    redeemed_at, redeemed_by = voucher.redeemed_at, voucher.redeemed_by_id
    done = db.session.execute(
        sa.update(Voucher).where(Voucher.id == voucher.id, Voucher.status == V_REDEEMED)
        .values(status=V_ACTIVE, redeemed_at=None, redeemed_by_id=None)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(voucher)
    if not done:
        raise PerksRuleViolation(_l("This voucher is not redeemed."), code="not_redeemed")
    audit.record(actor, "perks.redemption_undone", voucher, community_id=voucher.merchant.community_id,
                 reason=reason.strip(), redeemed_at=redeemed_at, redeemed_by_id=redeemed_by)
    notify(voucher.user, UNDONE_KIND, obj=voucher, title=voucher.campaign.title, reason=reason.strip())
    return voucher


def revoke_voucher(voucher, *, actor, reason: str) -> Voucher:
    """An admin withdraws an active voucher (claimed by mistake, abuse); it can no longer be used."""
    if not queries.may_administer(actor, voucher.merchant):
        raise NotFound()
    if not (reason or "").strip():
        raise PerksRuleViolation(_l("Please give a reason."), code="reason_required")
    done = db.session.execute(
        sa.update(Voucher).where(Voucher.id == voucher.id, Voucher.status == V_ACTIVE)
        .values(status=V_REVOKED, revoked_at=now(), revoke_reason=reason.strip())
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(voucher)
    if not done:
        raise PerksRuleViolation(_l("Only an active voucher can be revoked."), code="not_active")
    audit.record(actor, "perks.voucher_revoked", voucher, community_id=voucher.merchant.community_id,
                 reason=reason.strip())
    return voucher


# -- jobs ---------------------------------------------------------------------------------------

def _merchants_by_zone():
    rows = db.session.execute(sa.select(Community.timezone, Merchant.id).join(Merchant,
                                                                              Merchant.community_id == Community.id))
    zones: dict[str, list[int]] = {}
    for zone, merchant_id in rows:
        zones.setdefault(zone, []).append(merchant_id)
    return zones


def expire_vouchers() -> int:
    """Active vouchers whose last valid day is over (in the merchant's community) become expired.
    Run twice, the second run finds nothing."""
    count = 0
    for zone, merchant_ids in _merchants_by_zone().items():
        count += db.session.execute(
            sa.update(Voucher).where(Voucher.status == V_ACTIVE, Voucher.valid_until < local_today(zone),
                                     Voucher.merchant_id.in_(merchant_ids))
            .values(status=V_EXPIRED).execution_options(synchronize_session=False)).rowcount
    return count


def remind_expiring() -> int:
    """Tell residents, once per voucher, two days before its last valid day."""
    sent = 0
    for zone, merchant_ids in _merchants_by_zone().items():
        day = local_today(zone) + timedelta(days=REMIND_DAYS_BEFORE)
        vouchers = db.session.scalars(sa.select(Voucher).where(
            Voucher.status == V_ACTIVE, Voucher.valid_until == day, Voucher.merchant_id.in_(merchant_ids)))
        for voucher in vouchers:
            if notify(voucher.user, REMINDER_KIND, obj=voucher, once=True, title=voucher.campaign.title,
                      merchant=voucher.merchant.name, valid_until=voucher.valid_until.isoformat()):
                sent += 1
    return sent
