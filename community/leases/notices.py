"""What residents and the office are told about leases: a lease to sign, countersigned, an
inspection to sign, notice received, a renewal answered, an early end, the lease ending soon, a
bill waived, the deposit settled or disputed. One function per event, each calling notify()."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community.core.money import Money
from community.core.permissions import COMMUNITY_ADMIN
from community.extensions import db
from community.notifications.kinds import register_group, register_kind
from community.notifications.operations import notify

LEASES = "leases"
MY_APARTMENT = "leases.my_apartment"
OFFICE = "leases_admin.index"

register_group(LEASES, _l("My apartment"),
               description=_l("Your lease, its inspections, rent bills and deposit."))
KINDS = {
    "leases.ready": (_l("Your lease is ready to sign: %(unit)s"),
                     _l("The lease of unit %(unit)s from %(start)s to %(end)s is ready. Review and sign it on "
                        "My apartment.")),
    "leases.countersigned": (_l("Your lease of %(unit)s is signed"),
                             _l("The office countersigned the lease of unit %(unit)s. It runs from %(start)s to "
                                "%(end)s; the deposit is %(deposit)s.")),
    "leases.inspection": (_l("An inspection of %(unit)s waits for your signature"),
                          _l("The office signed the inspection of unit %(unit)s. Check the items and sign it on "
                             "My apartment.")),
    "leases.notice": (_l("Notice received: %(unit)s ends on %(end)s"),
                      _l("Your notice is recorded: the lease of unit %(unit)s ends on %(end)s.")),
    "leases.renewal": (_l("Your renewal request for %(unit)s was answered"),
                       _l("The office answered your request to renew the lease of unit %(unit)s: %(answer)s")),
    "leases.terminated": (_l("Your lease of %(unit)s was ended early"),
                          _l("The office ended the lease of unit %(unit)s on %(end)s. Reason: %(reason)s")),
    "leases.ending_soon": (_l("Your lease of %(unit)s ends on %(end)s"),
                           _l("The lease of unit %(unit)s ends on %(end)s. Ask to renew it or give notice on "
                              "My apartment.")),
    "leases.bill_issued": (_l("Rent for %(period)s: %(amount)s due by %(due)s"),
                           _l("Rent %(rent)s, talent subsidy %(subsidy)s (%(percent)s%% for your tier, applied "
                              "without asking), amount due %(amount)s by %(due)s. Pay it on My apartment or at the "
                              "community office.")),
    "leases.bill_no_subsidy": (_l("Rent for %(period)s: %(amount)s due by %(due)s"),
                               _l("Amount due %(amount)s by %(due)s. Pay it on My apartment or at the community "
                                  "office.")),
    "leases.bill_covered": (_l("Your talent subsidy covers your rent for %(period)s"),
                            _l("Rent %(rent)s, talent subsidy %(subsidy)s (%(percent)s%% for your tier, applied "
                               "without asking): nothing to pay.")),
    "leases.bill_overdue": (_l("Rent for %(period)s is overdue: %(amount)s"),
                            _l("The rent bill for %(period)s was due on %(due)s. Pay %(amount)s on My apartment or "
                               "at the community office.")),
    "leases.bill_waived": (_l("Your rent bill for %(period)s was waived"),
                           _l("The office waived the rent bill for %(period)s. Reason: %(reason)s")),
    "leases.deposit_settled": (_l("Your deposit is settled"),
                               _l("Deposit %(deposit)s, deductions %(deductions)s, refund %(refund)s, still owed "
                                  "%(owed)s. If you disagree, dispute it on My apartment.")),
    "leases.deposit_disputed": (_l("A deposit settlement is disputed: %(unit)s"),
                                _l("The resident of unit %(unit)s disputes the deposit settlement: %(message)s")),
}
for name, (subject, body) in KINDS.items():
    register_kind(name, LEASES, link=OFFICE if name == "leases.deposit_disputed" else MY_APARTMENT,
                  subject=subject, body=body)


def unit_name(lease) -> str:
    return f"{lease.unit.building.name} {lease.unit.number}"


def _params(lease) -> dict:
    return {"unit": unit_name(lease), "start": lease.starts_on.isoformat(), "end": lease.ends_on.isoformat()}


def _money(fen, currency) -> str:
    return Money(int(fen), currency).display()


def lease_ready(lease):
    notify(lease.user, "leases.ready", obj=lease, **_params(lease))


def lease_countersigned(lease):
    notify(lease.user, "leases.countersigned", obj=lease, deposit=_money(lease.deposit_fen, lease.currency),
           **_params(lease))


def inspection_to_sign(inspection):
    if inspection.office_signed_at is not None and inspection.resident_signed_at is None:
        notify(inspection.lease.user, "leases.inspection", obj=inspection, **_params(inspection.lease))


def notice_received(lease):
    notify(lease.user, "leases.notice", obj=lease, email=False, **_params(lease))


def renewal_answered(lease, renewal):
    answer = (_l("declined.") if renewal.status == "declined" else
              _l("accepted at a rent of %(rent)s; sign the renewal on My apartment.",
                 rent=_money(renewal.rent_fen or 0, lease.currency)))
    notify(lease.user, "leases.renewal", obj=renewal, answer=str(answer), **_params(lease))


def lease_terminated(lease):
    notify(lease.user, "leases.terminated", obj=lease, reason=lease.end_reason, **_params(lease))


def ending_soon(lease) -> bool:
    return notify(lease.user, "leases.ending_soon", obj=lease, once=True, **_params(lease)) is not None


def _bill_params(bill) -> dict:
    c = bill.currency
    return {"period": f"{bill.period_start.isoformat()} – {bill.period_end.isoformat()}",
            "rent": _money(bill.rent_fen, c), "subsidy": _money(bill.subsidy_fen, c),
            "amount": _money(bill.amount_due_fen, c), "due": bill.due_on.isoformat(), "percent": bill.subsidy_percent}


def bill_issued(bill, user):
    """A new bill: what is due and the subsidy applied without asking, or that the subsidy covers it."""
    kind = ("leases.bill_covered" if bill.amount_due_fen == 0 else
            "leases.bill_issued" if bill.subsidy_fen else "leases.bill_no_subsidy")
    notify(user, kind, obj=bill, **_bill_params(bill))


def bill_overdue(bill, user):
    notify(user, "leases.bill_overdue", obj=bill, once=True, **_bill_params(bill))


def bill_waived(bill):
    notify(bill.lease.user, "leases.bill_waived", obj=bill, reason=bill.waive_reason,
           period=f"{bill.period_start.isoformat()} – {bill.period_end.isoformat()}")


def deposit_settled(deposit):
    c = deposit.currency
    notify(deposit.lease.user, "leases.deposit_settled", obj=deposit, deposit=_money(deposit.amount_fen, c),
           deductions=_money(deposit.deductions_fen, c), refund=_money(deposit.refund_fen, c),
           owed=_money(deposit.balance_owed_fen, c))


def community_admins(community_id):
    from community.accounts.models import RoleGrant, User

    return db.session.scalars(sa.select(User).join(RoleGrant, RoleGrant.user_id == User.id).where(
        RoleGrant.role == COMMUNITY_ADMIN, RoleGrant.community_id == community_id, User.active.is_(True))
        .order_by(User.id)).all()


def deposit_disputed(deposit):
    for admin in community_admins(deposit.community_id):
        notify(admin, "leases.deposit_disputed", obj=deposit, link=("leases_admin.lease", {"lease_id": deposit.lease_id}),
               message=deposit.dispute_message[:500], **_params(deposit.lease))
