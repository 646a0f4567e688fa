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


def allocation_results(round_, plan, offers) -> None:
    """One in-app notice to every applicant with their rank and outcome; the offered ones also get
    the offer by e-mail (offer_made). The users come in one query."""
    users = {user.id: user for user in db.session.scalars(
        sa.select(User).where(User.id.in_(sa.select(Application.user_id).where(Application.round_id == round_.id)))
        .options(joinedload(User.community)))}
    offer_by_app = {offer.application_id: offer for offer in offers}
    ranked = sum(1 for row in plan.rows if row.rank is not None)
    for row in plan.rows:
        offer = offer_by_app.get(row.application_id)
        params = {"round": round_.title, "rank": row.rank, "ranked": ranked, "score": row.score["total"],
                  "outcome": row.outcome, "tz": round_.community.timezone}
        if offer is not None:
            params.update(unit=_unit_name(plan.units[offer.unit_id]), expires_at=offer.expires_at)
        notify(users[row.user_id], RESULT_KIND, obj=round_, email=False, **params)
        if offer is not None:
            offer_made(offer, user=users[row.user_id])


def offer_made(offer, *, user=None):
    return notify(user or offer.user, OFFER_MADE_KIND, obj=offer, **_offer_params(offer))


def offer_expiring(offer):
    return notify(offer.user, OFFER_EXPIRING_KIND, obj=offer, once=True, **_offer_params(offer))


def offer_expired(offer, *, passed: bool):
    return notify(offer.user, OFFER_EXPIRED_KIND, obj=offer, **_offer_params(offer))
