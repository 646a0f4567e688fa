"""Scoped reads of the leases domain; never imports operations. A resident reads only their own
leases and bills; an operator only their communities' (platform admins every one)."""
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from community.accounts.models import TALENT_TIERS, Building, User
from community.apartments.models import Unit
from community.core.errors import NotFound
from community.core.permissions import COMMUNITY_ADMIN, community_ids_with_role, has_role
from community.extensions import db
from community.leases.models import (
    BILL_OVERDUE, DEPOSIT_HELD, Bill, Deposit, Inspection, InspectionItem, Lease, RenewalRequest,
)



def _current_on(leases, on_date):
    """A lease whose term covers ``on_date``, in any state: a draft is a home promised, and notice,
    an early end, a move-out or a renewal move the dates themselves (a lease ended or terminated
    early ends on its new last day), so the dates alone say it; not the offer's first dates."""
    return sa.and_(leases.c.starts_on <= on_date, leases.c.ends_on >= on_date)


def holds_lease_on(user_id, on_date):
    """SQL EXISTS: the user holds a current lease on ``on_date`` (either may be a bind parameter).
    The one rule behind the rental rounds' "no current lease" (apartments' eligibility)."""
    leases = Lease.__table__
    return sa.exists().where(leases.c.user_id == user_id, _current_on(leases, on_date))


def lease_holders_on(user_ids, on_date) -> set[int]:
    """Which of ``user_ids`` (a list or a scalar subquery) hold a current lease on ``on_date``."""
    leases = Lease.__table__
    return set(db.session.scalars(sa.select(leases.c.user_id).distinct().where(
        leases.c.user_id.in_(user_ids), _current_on(leases, on_date))))


def _lease_options():
    return (joinedload(Lease.unit).joinedload(Unit.building), selectinload(Lease.signatures))


# Which of a resident's leases My apartment opens on: the one lived in, then one signed, then a
# draft to sign; else the latest closed one (so a moved-out resident still sees the settlement).
_FIRST_SHOWN = {"active": 0, "ending": 0, "signed": 1, "draft": 2}


def current_of(leases) -> Lease | None:
    """The lease that matters now among ``leases`` (leases_of's, newest first)."""
    return min(leases, key=lambda lease: _FIRST_SHOWN.get(lease.status, 3), default=None)


def current_lease_of(user) -> Lease | None:
    return current_of(leases_of(user))


def leases_of(user) -> list[Lease]:
    """The resident's leases, newest first (a resident signs about one a year: twenty is years)."""
    return db.session.scalars(sa.select(Lease).where(Lease.user_id == user.id).options(*_lease_options())
                              .order_by(Lease.starts_on.desc(), Lease.id.desc()).limit(20)).all()


def own_lease_or_404(user, lease_id) -> Lease:
    lease = db.session.get(Lease, lease_id)
    if lease is None or lease.user_id != user.id:
        raise NotFound()
    return lease


def bills_of(user):
    return sa.select(Bill).where(Bill.user_id == user.id).order_by(Bill.period_start.desc(), Bill.id.desc())


def bills_of_lease(lease, limit=24):
    return db.session.scalars(sa.select(Bill).where(Bill.lease_id == lease.id)
                              .order_by(Bill.period_start.desc()).limit(limit)).all()


def inspections_of(lease):
    return db.session.scalars(sa.select(Inspection).where(Inspection.lease_id == lease.id)
                              .options(selectinload(Inspection.items)).order_by(Inspection.id)).all()


def deposit_of(lease):
    return db.session.scalar(sa.select(Deposit).where(Deposit.lease_id == lease.id))


def renewals_of(lease):
    return db.session.scalars(sa.select(RenewalRequest).where(RenewalRequest.lease_id == lease.id)
                              .order_by(RenewalRequest.id.desc())).all()


# -- the office ---------------------------------------------------------------------------------

def managed_community_ids(user):
    return community_ids_with_role(user, COMMUNITY_ADMIN)


def may_manage(user, community_id) -> bool:
    return has_role(user, COMMUNITY_ADMIN, community_id)


def _scoped(stmt, column, user):
    ids = managed_community_ids(user)
    return stmt if ids is None else stmt.where(column.in_(ids or [-1]))


def managed_or_404(user, model, ident):
    obj = db.session.get(model, ident)
    if obj is None:
        raise NotFound()
    community_id = obj.inspection.community_id if isinstance(obj, InspectionItem) else obj.community_id
    if not may_manage(user, community_id):
        raise NotFound()
    return obj


def leases_for_admin(user, status=None, q=None):
    """The operator's leases, newest first; ``status`` one state, ``q`` a unit number or part of the
    resident's name or e-mail."""
    stmt = sa.select(Lease).options(joinedload(Lease.unit).joinedload(Unit.building), joinedload(Lease.user))
    if status:
        stmt = stmt.where(Lease.status == status)
    q = (q or "").strip()[:100]
    if q:
        stmt = stmt.where(sa.or_(Lease.unit.has(Unit.number.contains(q, autoescape=True)),
                                 Lease.user.has(sa.or_(User.display_name.icontains(q, autoescape=True),
                                                       User.email.icontains(q, autoescape=True)))))
    return _scoped(stmt, Lease.community_id, user).order_by(Lease.id.desc())


def ending_within(user, today, days=60):
    stmt = (sa.select(Lease).options(joinedload(Lease.unit).joinedload(Unit.building), joinedload(Lease.user))
            .where(Lease.status.in_(("active", "ending")), Lease.ends_on <= today + timedelta(days=days))
            .order_by(Lease.ends_on, Lease.id))
    return _scoped(stmt, Lease.community_id, user)


def overdue_bills(user):
    stmt = (sa.select(Bill).options(joinedload(Bill.lease).joinedload(Lease.unit).joinedload(Unit.building),
                                    joinedload(Bill.lease).joinedload(Lease.user))
            .where(Bill.status == BILL_OVERDUE).order_by(Bill.due_on, Bill.id))
    return _scoped(stmt, Bill.community_id, user)


def deposits_held(user):
    stmt = (sa.select(Deposit).options(joinedload(Deposit.lease).joinedload(Lease.unit).joinedload(Unit.building),
                                       joinedload(Deposit.lease).joinedload(Lease.user))
            .where(Deposit.status == DEPOSIT_HELD).order_by(Deposit.id))
    return _scoped(stmt, Deposit.community_id, user)


def pending_renewals(user):
    stmt = (sa.select(RenewalRequest).where(RenewalRequest.status == "requested").order_by(RenewalRequest.id)
            .options(joinedload(RenewalRequest.lease).joinedload(Lease.unit).joinedload(Unit.building),
                     joinedload(RenewalRequest.lease).joinedload(Lease.user)))
    return _scoped(stmt, RenewalRequest.community_id, user)


def subsidy_by_tier(user, month_first, month_last):
    """(tier, bills, subsidy fen, currency) of the bills of this month, by tier, highest tier first."""
    rank = sa.case({tier: -i for i, tier in enumerate(TALENT_TIERS)}, value=Bill.tier, else_=1)
    stmt = (sa.select(Bill.tier, sa.func.count(Bill.id), sa.func.coalesce(sa.func.sum(Bill.subsidy_fen), 0),
                      Bill.currency)
            .where(Bill.period_start >= month_first, Bill.period_start <= month_last, Bill.subsidy_fen > 0)
            .group_by(Bill.tier, Bill.currency).order_by(rank, Bill.currency))
    return db.session.execute(_scoped(stmt, Bill.community_id, user)).all()


def occupancy(user, building_id=None):
    """Buildings the operator manages, each with its units and the lease holding each one now."""
    stmt = sa.select(Building).order_by(Building.community_id, Building.name)
    stmt = _scoped(stmt, Building.community_id, user)
    if building_id:
        stmt = stmt.where(Building.id == building_id)
    buildings = db.session.scalars(stmt.limit(50)).all()
    ids = [b.id for b in buildings]
    units = db.session.scalars(sa.select(Unit).where(Unit.building_id.in_(ids or [-1]))
                               .order_by(Unit.floor.desc(), Unit.number)).all()
    holders = {lease.unit_id: lease for lease in db.session.scalars(
        sa.select(Lease).options(joinedload(Lease.user)).where(
            Lease.unit_id.in_([u.id for u in units] or [-1]), Lease.status.in_(("signed", "active", "ending"))))}
    grid = []
    for building in buildings:
        floors = {}
        for unit in (u for u in units if u.building_id == building.id):
            floors.setdefault(unit.floor, []).append((unit, holders.get(unit.id)))
        grid.append((building, sorted(floors.items(), reverse=True)))
    return grid

