"""Move-in and move-out inspections (items per room with condition, note, photos; signed off by
both sides), the deposit paid, settled from the move-out damages, and disputed by the resident."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community.core import audit
from community.core.attachments import attach
from community.core.clock import now
from community.core.errors import NotFound
from community.core.payables import payable_voided
from community.extensions import db
from community.leases import notices, rules
from community.leases.errors import IllegalTransition, LeaseRuleViolation
from community.leases.models import (
    CONDITIONS, DEPOSIT_HELD, DEPOSIT_SETTLED, DEPOSIT_UNPAID, MOVE_IN, MOVE_OUT, OFFICE_PARTY, RESIDENT_PARTY,
    Deposit, Inspection, InspectionItem, Lease,
)
from community.leases.operations.bills import cut_bills_to_end, require_office
from community.leases.operations.leases import DEPOSIT_KIND, ensure_can, release_unit, today_of

MAX_ITEMS = 200
MAX_PHOTOS = 5


def open_inspection(lease: Lease, kind: str, *, actor, inspected_on=None) -> Inspection:
    """The office starts the move-in inspection of a signed lease, or the move-out one of an
    active lease (or one under notice). One of each kind a lease; opening again returns it."""
    require_office(actor, lease.community_id)
    if kind not in (MOVE_IN, MOVE_OUT):
        raise LeaseRuleViolation(_l("Unknown kind of inspection."), code="unknown_kind")
    ensure_can(lease, "move_in" if kind == MOVE_IN else "move_out")
    existing = db.session.scalar(sa.select(Inspection).where(Inspection.lease_id == lease.id, Inspection.kind == kind))
    if existing is not None:
        return existing
    inspection = Inspection(lease=lease, community_id=lease.community_id, kind=kind,
                            inspected_on=inspected_on or today_of(lease))
    db.session.add(inspection)
    db.session.flush()
    audit.record(actor, "lease.inspection_opened", inspection, lease_id=lease.id, kind=kind)
    return inspection


def _editable(inspection: Inspection):
    if inspection.office_signed_at is not None or inspection.resident_signed_at is not None:
        raise IllegalTransition(_l("This inspection has been signed; its items can no longer change."),
                                lease_status="signed", action="edit_inspection")


def add_item(inspection: Inspection, *, actor, room: str, item: str, condition: str, note: str = "",
             cost_fen: int = 0, photos=()) -> InspectionItem:
    require_office(actor, inspection.community_id)
    _editable(inspection)
    room, item, note = (room or "").strip(), (item or "").strip(), (note or "").strip()
    if not room or not item:
        raise LeaseRuleViolation(_l("Name the room and the item."), code="item_required")
    if condition not in CONDITIONS:
        raise LeaseRuleViolation(_l("Choose the condition."), code="unknown_condition")
    if not isinstance(cost_fen, int) or cost_fen < 0:
        raise LeaseRuleViolation(_l("A repair cost is whole fen, not below zero."), code="cost_invalid")
    if cost_fen and inspection.kind != MOVE_OUT:
        raise LeaseRuleViolation(_l("Repair costs are listed at move-out."), code="cost_at_move_out")
    if len(inspection.items) >= MAX_ITEMS:
        raise LeaseRuleViolation(_l("An inspection lists at most %(n)s items.", n=MAX_ITEMS), code="too_many_items")
    photos = [p for p in photos if p and getattr(p, "filename", "")]
    if len(photos) > MAX_PHOTOS:
        raise LeaseRuleViolation(_l("Add at most %(n)s photos an item.", n=MAX_PHOTOS), code="too_many_photos")
    entry = InspectionItem(inspection=inspection, room=room[:60], item=item[:120], condition=condition,
                           note=note[:500], cost_fen=cost_fen)
    db.session.add(entry)
    db.session.flush()
    for photo in photos:
        attach(photo, owner=entry, purpose="photo", actor=actor, community_id=inspection.community_id)
    audit.record(actor, "lease.inspection_item", inspection, room=entry.room, item=entry.item,
                 condition=condition, cost=cost_fen)
    return entry


def remove_item(entry: InspectionItem, *, actor) -> None:
    inspection = entry.inspection
    require_office(actor, inspection.community_id)
    _editable(inspection)
    from community.core.attachments import remove_attachments_of

    remove_attachments_of(entry, actor=actor)
    inspection.items.remove(entry)
    db.session.flush()
    audit.record(actor, "lease.inspection_item_removed", inspection, room=entry.room, item=entry.item)


def sign_inspection(inspection: Inspection, *, actor, party: str) -> Inspection:
    """The office signs first (the list is then fixed), the resident second. The second signature
    moves the resident in (move-in: the lease is active) or out (move-out: the lease has ended and
    the deposit is settled from the damages)."""
    lease = inspection.lease
    if party == RESIDENT_PARTY:
        if lease.user_id != getattr(actor, "id", None):
            raise NotFound()
        if inspection.office_signed_at is None:
            raise IllegalTransition(_l("The office signs the inspection first."), lease_status="open", action="sign")
        if inspection.resident_signed_at is not None:
            raise IllegalTransition(_l("You have already signed this inspection."), lease_status="signed", action="sign")
        inspection.resident_signed_at = now()
    elif party == OFFICE_PARTY:
        require_office(actor, inspection.community_id)
        if inspection.office_signed_at is not None:
            raise IllegalTransition(_l("The office has already signed this inspection."), lease_status="signed",
                                    action="sign")
        if not inspection.items:
            raise LeaseRuleViolation(_l("List at least one item before signing."), code="no_items")
        inspection.office_signed_at, inspection.office_signed_by_id = now(), actor.id
    else:
        raise LeaseRuleViolation(_l("Unknown party."), code="unknown_party")
    db.session.flush()
    audit.record(actor, "lease.inspection_signed", inspection, lease_id=lease.id, kind=inspection.kind, party=party)
    if inspection.is_signed:
        if inspection.kind == MOVE_IN:
            _move_in(lease, inspection, actor)
        else:
            _move_out(lease, inspection, actor)
    else:
        notices.inspection_to_sign(inspection)
    return inspection


def _move_in(lease, inspection, actor):
    lease.status = ensure_can(lease, "move_in")
    lease.moved_in_at = now()
    db.session.flush()
    audit.record(actor, "lease.moved_in", lease, inspected_on=inspection.inspected_on)
    from community.leases.operations.bills import issue_bills

    # The first bill as soon as the lease is active (its first month's payment day may be behind).
    issue_bills(community_ids=[lease.community_id], lease_ids=[lease.id])


def _move_out(lease, inspection, actor):
    lease.status = ensure_can(lease, "move_out")
    lease.ends_on = max(lease.starts_on, min(lease.ends_on, inspection.inspected_on))
    lease.closed_at = now()
    db.session.flush()
    release_unit(lease)
    audit.record(actor, "lease.moved_out", lease, ends_on=lease.ends_on)
    cut_bills_to_end(lease, actor=actor)
    settle_deposit(lease, inspection, actor=actor)


def settle_deposit(lease: Lease, inspection: Inspection, *, actor) -> Deposit | None:
    deposit = db.session.scalar(sa.select(Deposit).where(Deposit.lease_id == lease.id).with_for_update())
    if deposit is None or deposit.status == DEPOSIT_SETTLED:
        return deposit
    held = deposit.amount_fen if deposit.status == DEPOSIT_HELD else 0
    if deposit.status == DEPOSIT_UNPAID and deposit.amount_fen > 0:
        payable_voided(DEPOSIT_KIND, deposit, actor=actor)
    result = rules.settle(held, [item.cost_fen for item in inspection.items])
    deposit.status, deposit.settled_at = DEPOSIT_SETTLED, now()
    deposit.deductions_fen, deposit.refund_fen = result.deductions_fen, result.refund_fen
    deposit.balance_owed_fen = result.balance_owed_fen
    db.session.flush()
    audit.record(actor, "lease.deposit_settled", deposit, deductions=result.deductions_fen, refund=result.refund_fen,
                 balance_owed=result.balance_owed_fen)
    notices.deposit_settled(deposit)
    return deposit


def mark_deposit_paid(deposit: Deposit, *, actor=None) -> Deposit:
    """Payments' hook: the deposit is paid, so it is held. Harmless twice."""
    changed = db.session.execute(
        sa.update(Deposit).where(Deposit.id == deposit.id, Deposit.status == DEPOSIT_UNPAID)
        .values(status=DEPOSIT_HELD, paid_at=now()).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(deposit)
    if changed:
        audit.record(actor, "lease.deposit_paid", deposit, amount=deposit.amount_fen)
    return deposit


def dispute_settlement(deposit: Deposit, *, actor, message: str) -> Deposit:
    """The resident disputes the settlement with a message to the office (once; it is kept)."""
    if deposit.user_id != getattr(actor, "id", None):
        raise NotFound()
    if deposit.status != DEPOSIT_SETTLED:
        raise LeaseRuleViolation(_l("Only a settled deposit can be disputed."), code="not_settled")
    message = (message or "").strip()
    if not message:
        raise LeaseRuleViolation(_l("Tell the office what you disagree with."), code="message_required")
    if deposit.disputed_at is not None:
        raise LeaseRuleViolation(_l("You have already disputed this settlement; the office will answer."),
                                 code="already_disputed")
    deposit.dispute_message, deposit.disputed_at = message[:4000], now()
    db.session.flush()
    audit.record(actor, "lease.deposit_disputed", deposit)
    notices.deposit_disputed(deposit)
    return deposit
