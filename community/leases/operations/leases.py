"""Leases: made from an accepted offer's draft, signed by the resident (who accepted which terms,
when, from where), countersigned by the office (the unit is then held: never two leases over the
same dates), notice, renewal, early termination, and the ending-soon reminder."""
import hashlib
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community.apartments.models import AVAILABLE, LEASED, RESERVED, LeaseDraft, Unit
from community.core import audit
from community.core.clock import local_today, now
from community.core.db import savepoint
from community.core.errors import NotFound
from community.core.payables import payable_opened
from community.extensions import db
from community.leases import notices, rules
from community.leases.errors import IllegalTransition, LeaseRuleViolation, UnitAlreadyLeased
from community.leases.models import (
    ACTIVE, BILLED, DRAFT, ENDING, HOLDING, OFFICE_PARTY, RENEWAL_DECLINED, RENEWAL_OFFERED, RENEWAL_REQUESTED,
    RESIDENT_PARTY, SIGNED, Deposit, Lease, LeaseSignature, RenewalRequest,
)
from community.leases.operations.bills import cut_bills_to_end, require_office

DEPOSIT_KIND = "lease_deposit"


def ensure_can(lease: Lease, action: str) -> str:
    """The status ``action`` leads to, or IllegalTransition saying why not."""
    target = rules.next_status(lease.status, action)
    if target is None:
        raise IllegalTransition(rules.ACTION_REFUSALS[action], lease_status=lease.status, action=action)
    return target


def today_of(lease: Lease):
    return local_today(lease.community.timezone)


def terms_digest(lease: Lease) -> str:
    """SHA-256 of what the resident agrees to: the terms version and every term of this lease."""
    text = "|".join(str(v) for v in (lease.terms_version, lease.id, lease.unit_id, lease.user_id, lease.starts_on,
                                      lease.ends_on, lease.rent_fen, lease.deposit_fen, lease.currency,
                                      lease.payment_day, lease.notice_days, ",".join(lease.co_occupants or [])))
    return hashlib.sha256(text.encode()).hexdigest()


def create_from_draft(draft: LeaseDraft, *, actor=None) -> Lease:
    """The lease draft of an accepted offer (the offer_accepted listener). Its last day is the day
    before the anniversary of its first; one lease per draft."""
    existing = db.session.scalar(sa.select(Lease).where(Lease.draft_id == draft.id))
    if existing is not None:
        return existing
    from community.apartments.models import Household

    household = db.session.scalar(sa.select(Household).where(Household.user_id == draft.user_id))
    lease = Lease(community_id=draft.community_id, unit_id=draft.unit_id, user_id=draft.user_id, draft_id=draft.id,
                  starts_on=draft.starts_on, ends_on=draft.last_day, rent_fen=draft.rent_fen,
                  deposit_fen=draft.deposit_fen, currency=draft.currency,
                  payment_day=min(draft.starts_on.day, 28), terms_version=rules.TERMS_VERSION,
                  co_occupants=[m.name for m in household.members] if household else [])
    db.session.add(lease)
    db.session.flush()
    audit.record(actor, "lease.created", lease, unit_id=lease.unit_id, draft_id=draft.id)
    notices.lease_ready(lease)
    return lease


def _signature(lease, party, actor, ip, user_agent):
    signature = LeaseSignature(lease=lease, party=party, user_id=actor.id, terms_version=lease.terms_version,
                               terms_sha256=terms_digest(lease), signed_at=now(), ip_address=(ip or "")[:45],
                               user_agent=(user_agent or "")[:255])
    db.session.add(signature)
    return signature


def sign(lease: Lease, *, actor, ip: str = "", user_agent: str = "") -> LeaseSignature:
    """The resident accepts the terms of their draft (once)."""
    if lease.user_id != getattr(actor, "id", None):
        raise NotFound()
    if lease.status != DRAFT:
        raise IllegalTransition(rules.ACTION_REFUSALS["sign"], lease_status=lease.status, action="sign")
    if lease.signature(RESIDENT_PARTY) is not None:
        raise IllegalTransition(_l("You have already signed this lease."), lease_status=lease.status, action="sign")
    signature = _signature(lease, RESIDENT_PARTY, actor, ip, user_agent)
    db.session.flush()
    audit.record(actor, "lease.signed", lease, terms_version=lease.terms_version, ip=signature.ip_address)
    return signature


def _overlapping(lease: Lease):
    return db.session.scalar(sa.select(Lease.id).where(
        Lease.unit_id == lease.unit_id, Lease.id != lease.id, Lease.status.in_(HOLDING),
        Lease.starts_on <= lease.ends_on, Lease.ends_on >= lease.starts_on).limit(1))


def _is_exclusion_violation(error) -> bool:
    return getattr(error.orig, "sqlstate", None) == "23P01"


def countersign(lease: Lease, *, actor, ip: str = "", user_agent: str = "") -> Lease:
    """The office countersigns a draft the resident signed: the lease is signed, holds its unit for
    its dates, and its deposit is owed. Two operators countersigning leases of one unit over
    overlapping dates at once: the database lets one through (the exclusion constraint on
    PostgreSQL; on SQLite the write lock taken before the check), the other gets UnitAlreadyLeased."""
    require_office(actor, lease.community_id)
    target = ensure_can(lease, "countersign")
    if lease.signature(RESIDENT_PARTY) is None:
        raise IllegalTransition(_l("The resident has not signed this lease yet."), status=lease.status,
                                action="countersign")
    connection = db.session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock before the check
    if _overlapping(lease):
        raise UnitAlreadyLeased()
    try:
        with savepoint(db.session):
            changed = db.session.execute(
                sa.update(Lease).where(Lease.id == lease.id, Lease.status == DRAFT)
                .values(status=target, countersigned_at=now()).execution_options(synchronize_session=False)).rowcount
            db.session.flush()
    except sa.exc.IntegrityError as error:
        if _is_exclusion_violation(error):
            raise UnitAlreadyLeased() from None
        raise
    if not changed:
        raise IllegalTransition(rules.ACTION_REFUSALS["countersign"], lease_status=lease.status, action="countersign")
    db.session.refresh(lease)
    _signature(lease, OFFICE_PARTY, actor, ip, user_agent)
    db.session.execute(sa.update(Unit).where(Unit.id == lease.unit_id, Unit.status.in_((AVAILABLE, RESERVED)))
                       .values(status=LEASED).execution_options(synchronize_session=False))
    deposit = Deposit(lease_id=lease.id, community_id=lease.community_id, user_id=lease.user_id,
                      amount_fen=lease.deposit_fen, currency=lease.currency)
    db.session.add(deposit)
    db.session.flush()
    audit.record(actor, "lease.countersigned", lease, unit_id=lease.unit_id, starts_on=lease.starts_on,
                 ends_on=lease.ends_on)
    if deposit.amount_fen > 0:
        payable_opened(DEPOSIT_KIND, deposit)
    notices.lease_countersigned(lease)
    return lease


def give_notice(lease: Lease, *, actor, end_on=None, confirm: bool = True):
    """The resident gives notice: the lease ends on ``end_on`` (the earliest the notice period
    allows when None). ``confirm=False`` only answers the day it would set, changing nothing."""
    if lease.user_id != getattr(actor, "id", None):
        raise NotFound()
    ensure_can(lease, "give_notice")
    day, refusal = rules.check_notice(today_of(lease), end_on, starts_on=lease.starts_on, ends_on=lease.ends_on,
                                      notice_days=lease.notice_days)
    if refusal:
        raise LeaseRuleViolation(refusal[1], code=refusal[0])
    if not confirm:
        return day
    previous_end = lease.ends_on
    lease.ends_on, lease.status, lease.notice_given_at = day, ENDING, now()
    db.session.flush()
    audit.record(actor, "lease.notice_given", lease, ends_on=day, previous_end=previous_end)
    notices.notice_received(lease)
    return day


def request_renewal(lease: Lease, *, actor, starts_on=None, ends_on=None, confirm: bool = True):
    """The resident asks to renew for a new term (by default 12 months from the day after the
    term). ``confirm=False`` answers the (start, end) it would ask for, changing nothing."""
    if lease.user_id != getattr(actor, "id", None):
        raise NotFound()
    ensure_can(lease, "renew")
    term, refusal = rules.check_renewal(today_of(lease), ends_on=lease.ends_on, starts_on=starts_on,
                                        new_ends_on=ends_on)
    if refusal:
        raise LeaseRuleViolation(refusal[1], code=refusal[0])
    pending = db.session.scalar(sa.select(RenewalRequest.id).where(
        RenewalRequest.lease_id == lease.id, RenewalRequest.status.in_((RENEWAL_REQUESTED, RENEWAL_OFFERED))))
    if pending:  # before the preview too, so My apartment shows why instead of a button that fails
        raise LeaseRuleViolation(_l("A renewal of this lease is already under way."), code="renewal_pending")
    if not confirm:
        return term
    renewal = RenewalRequest(lease_id=lease.id, community_id=lease.community_id, starts_on=term[0], ends_on=term[1])
    db.session.add(renewal)
    db.session.flush()
    audit.record(actor, "lease.renewal_requested", lease, starts_on=term[0], ends_on=term[1])
    return renewal


def decide_renewal(renewal: RenewalRequest, *, actor, accept: bool, rent_fen: int | None = None):
    """The office answers a renewal request: accepted, it drafts the renewal lease (at the offered
    rent; the current rent when none is given, as the round's rules keep it) for the resident to
    sign; declined, the lease ends on its day."""
    lease = renewal.lease
    require_office(actor, lease.community_id)
    if renewal.status != RENEWAL_REQUESTED:
        raise LeaseRuleViolation(_l("This renewal request has already been answered."), code="renewal_decided")
    renewal.decided_at = now()
    if not accept:
        renewal.status = RENEWAL_DECLINED
        db.session.flush()
        audit.record(actor, "lease.renewal_declined", lease, renewal_id=renewal.id)
        notices.renewal_answered(lease, renewal)
        return None
    rent = lease.rent_fen if rent_fen is None else rent_fen
    if not isinstance(rent, int) or rent < 0:
        raise LeaseRuleViolation(_l("Enter the rent in whole fen, not below zero."), code="rent_invalid")
    new = Lease(community_id=lease.community_id, unit_id=lease.unit_id, user_id=lease.user_id,
                renewal_of_id=lease.id, starts_on=renewal.starts_on, ends_on=renewal.ends_on, rent_fen=rent,
                deposit_fen=0, currency=lease.currency, payment_day=lease.payment_day,
                notice_days=lease.notice_days, co_occupants=list(lease.co_occupants or []),
                terms_version=rules.TERMS_VERSION)
    db.session.add(new)
    db.session.flush()
    renewal.status, renewal.rent_fen, renewal.new_lease_id = RENEWAL_OFFERED, rent, new.id
    db.session.flush()
    audit.record(actor, "lease.renewal_offered", lease, renewal_id=renewal.id, new_lease_id=new.id, rent=rent)
    notices.renewal_answered(lease, renewal)
    return new


def terminate(lease: Lease, *, actor, reason: str, end_on=None) -> Lease:
    """The office ends a lease early for cause; the reason is shown to the resident."""
    require_office(actor, lease.community_id)
    target = ensure_can(lease, "terminate")
    reason = (reason or "").strip()
    if not reason:
        raise LeaseRuleViolation(_l("Give the reason the lease is ended early."), code="reason_required")
    end_on = end_on or today_of(lease)
    if end_on > lease.ends_on:
        raise LeaseRuleViolation(_l("An early end falls on or before the lease's last day, %(end)s.",
                                    end=lease.ends_on.isoformat()), code="after_lease_end")
    lease.ends_on = max(end_on, lease.starts_on)
    lease.status, lease.closed_at, lease.end_reason = target, now(), reason[:500]
    db.session.flush()
    release_unit(lease)
    audit.record(actor, "lease.terminated", lease, ends_on=lease.ends_on, reason=lease.end_reason)
    cut_bills_to_end(lease, actor=actor)
    notices.lease_terminated(lease)
    return lease


def release_unit(lease: Lease) -> None:
    """The unit is available again unless another lease still holds it."""
    other = db.session.scalar(sa.select(Lease.id).where(Lease.unit_id == lease.unit_id, Lease.id != lease.id,
                                                        Lease.status.in_((SIGNED, ACTIVE, ENDING))).limit(1))
    if other is None:
        db.session.execute(sa.update(Unit).where(Unit.id == lease.unit_id, Unit.status == LEASED)
                           .values(status=AVAILABLE).execution_options(synchronize_session=False))


def remind_ending(at=None) -> int:
    """Remind each resident whose lease ends within ENDING_SOON_DAYS (once a lease)."""
    at = at or now()
    sent = 0
    horizon = (at + timedelta(days=rules.ENDING_SOON_DAYS)).date()
    for lease in db.session.scalars(sa.select(Lease).where(Lease.status.in_(BILLED), Lease.ends_on <= horizon)
                                    .order_by(Lease.id).limit(2000)):
        if (lease.ends_on - today_of(lease)).days <= rules.ENDING_SOON_DAYS and notices.ending_soon(lease):
            sent += 1
    return sent

