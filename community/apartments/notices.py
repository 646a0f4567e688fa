"""What applicants are told: the allocation result, an offer made, an offer about to expire, an
offer that expired and went to the next on the waitlist. One function per event, each calling
notify(); imports no operations."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from community.accounts.models import User
from community.apartments.models import ALLOCATED_OUTCOME, INELIGIBLE, Application
from community.apartments.presentation import layout_label
from community.extensions import db
from community.notifications.kinds import register_group, register_kind
from community.notifications.operations import notify

APARTMENTS = "apartments"
MY_APARTMENTS = "apartments.index"
RESULT_KIND = "apartments.allocation_result"
OFFER_MADE_KIND = "apartments.offer_made"
OFFER_EXPIRING_KIND = "apartments.offer_expiring"
OFFER_EXPIRED_KIND = "apartments.offer_expired"


def _result_body(params):
    if params.get("outcome") == ALLOCATED_OUTCOME:
        return _l("The round “%(round)s” was allocated. You ranked %(rank)s of %(ranked)s with %(score)s points "
                  "and were offered unit %(unit)s. Accept or decline the offer before %(expires_at)s.")
    if params.get("outcome") == INELIGIBLE:
        return _l("The round “%(round)s” was allocated. Your application was not eligible on the closing day: "
                  "the round's page says which rule.")
    return _l("The round “%(round)s” was allocated. You ranked %(rank)s of %(ranked)s with %(score)s points and "
              "are on the waitlist: when an offered unit is declined or expires it goes to the next in rank "
              "order who wants it.")


register_group(APARTMENTS, _l("Apartments"),
               description=_l("Results of rental rounds you applied to, and offers of a unit."))
register_kind(RESULT_KIND, APARTMENTS, link=MY_APARTMENTS,
              subject=_l("Allocation result: %(round)s"), body=_result_body)
register_kind(OFFER_MADE_KIND, APARTMENTS, link=MY_APARTMENTS,
              subject=_l("A unit is offered to you: %(unit)s"),
              body=_l("Unit %(unit)s (%(layout)s) of the round “%(round)s” is offered to you.\n"
                      "Accept or decline it before %(expires_at)s; after that it passes to the next applicant."))
register_kind(OFFER_EXPIRING_KIND, APARTMENTS, link=MY_APARTMENTS,
              subject=_l("Your offer of %(unit)s closes soon"),
              body=_l("The offer of unit %(unit)s closes at %(expires_at)s. Accept or decline it before then."))
register_kind(OFFER_EXPIRED_KIND, APARTMENTS, link=MY_APARTMENTS,
              subject=_l("Your offer of %(unit)s expired"),
              body=_l("The offer of unit %(unit)s was not answered before %(expires_at)s and has closed; "
                      "the unit passes to the next applicant on the waitlist."))


def _unit_name(unit) -> str:
    return f"{unit.building.name} {unit.number}"


def _offer_params(offer) -> dict:
    return {"unit": _unit_name(offer.unit), "layout": str(layout_label(offer.unit.layout)),
            "round": offer.round.title, "expires_at": offer.expires_at, "tz": offer.round.community.timezone}


def send_pending_results(limit=1000) -> int:
    """Tell applicants of allocated rounds their rank and outcome (in the app; the offered ones
    read their unit and deadline in it), ``limit`` a run, claimed by a conditional UPDATE so two
    nodes never tell one twice. An allocation only marks them pending: writing 10,000 notices
    inside the commit made it four times slower (bench/README.md, apartments_allocation)."""
    from community.apartments.models import OPEN, Offer, Round
    from community.core.clock import now

    pending = db.session.execute(
        sa.select(Application.id).join(Round, Round.id == Application.round_id)
        .where(Round.status == "allocated", Application.outcome.is_not(None), Application.notified_at.is_(None))
        .order_by(Application.id).limit(limit)).scalars().all()
    if not pending:
        return 0
    claimed = db.session.execute(sa.update(Application).where(Application.id.in_(pending),
                                                              Application.notified_at.is_(None))
                                 .values(notified_at=now()).returning(Application.id)
                                 .execution_options(synchronize_session=False)).scalars().all()
    applications = db.session.scalars(
        sa.select(Application).where(Application.id.in_(claimed)).order_by(Application.id)
        .options(joinedload(Application.round).joinedload(Round.community),
                 joinedload(Application.user).joinedload(User.community),
                 joinedload(Application.user).lazyload(User.role_grants))).unique().all()
    offers = {o.application_id: o for o in db.session.scalars(
        sa.select(Offer).where(Offer.application_id.in_(claimed), Offer.status == OPEN))}
    counts = {}
    with db.session.no_autoflush:
        for application in applications:
            round_ = application.round
            if round_.id not in counts:
                counts[round_.id] = db.session.scalar(sa.select(sa.func.count(Application.id)).where(
                    Application.round_id == round_.id, Application.rank.is_not(None)))
            params = {"round": round_.title, "rank": application.rank, "ranked": counts[round_.id],
                      "score": application.score, "outcome": application.outcome, "tz": round_.community.timezone}
            offer = offers.get(application.id)
            if offer is not None:
                params.update(unit=_unit_name(offer.unit), expires_at=offer.expires_at)
            notify(application.user, RESULT_KIND, obj=round_, email=False, **params)
    return len(applications)


def offer_made(offer, *, user=None):
    """The offer, in the app and by e-mail; marks it sent."""
    from community.core.clock import now

    offer.notified_at = now()
    return notify(user or offer.user, OFFER_MADE_KIND, obj=offer, **_offer_params(offer))


def send_pending_offers(limit=500) -> int:
    """Send offers not sent yet (an allocation's), oldest first, ``limit`` a run. A conditional
    UPDATE claims each, so two nodes running the job never send one twice."""
    from community.apartments.models import OPEN, Offer
    from community.core.clock import now

    pending = list(db.session.scalars(sa.select(Offer).where(Offer.status == OPEN, Offer.notified_at.is_(None))
                                      .order_by(Offer.id).limit(limit)))
    sent = 0
    for offer in pending:
        claimed = db.session.execute(sa.update(Offer).where(Offer.id == offer.id, Offer.notified_at.is_(None))
                                     .values(notified_at=now()).execution_options(synchronize_session=False)).rowcount
        if claimed:
            db.session.refresh(offer)
            notify(offer.user, OFFER_MADE_KIND, obj=offer, **_offer_params(offer))
            sent += 1
    return sent


def offer_expiring(offer):
    return notify(offer.user, OFFER_EXPIRING_KIND, obj=offer, once=True, **_offer_params(offer))


def offer_expired(offer, *, passed: bool):
    return notify(offer.user, OFFER_EXPIRED_KIND, obj=offer, **_offer_params(offer))
