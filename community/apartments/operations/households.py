"""A resident's household: employer and district, and the people living with them."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community.apartments.errors import ApartmentRuleViolation
from community.apartments.models import RELATIONS, Household, HouseholdMember
from community.core import audit
from community.core.db import is_unique_violation, savepoint
from community.extensions import db

MAX_MEMBERS = 12


def household_for(user) -> Household:
    """The resident's household, created empty on first use."""
    household = db.session.scalar(sa.select(Household).where(Household.user_id == user.id))
    if household is None:
        household = Household(user_id=user.id)
        try:
            with savepoint(db.session):
                db.session.add(household)
                db.session.flush()
        except sa.exc.IntegrityError as error:  # created by a parallel request of the same person
            if not is_unique_violation(error):
                raise
            household = db.session.scalar(sa.select(Household).where(Household.user_id == user.id))
    return household


def save_household(user, *, employer: str, employer_district: str, industry: str = "", actor) -> Household:
    household = household_for(user)
    values = {"employer": employer.strip()[:120], "employer_district": employer_district.strip()[:60],
              "industry": industry.strip()[:60]}
    changed = sorted(key for key, value in values.items() if getattr(household, key) != value)
    for key, value in values.items():
        setattr(household, key, value)
    db.session.flush()
    if changed:
        audit.record(actor, "apartment.household_saved", household, object_type="apartments.Household",
                     community_id=user.community_id, fields=changed)
    return household


def add_member(user, *, name: str, relation: str, birth_year: int | None = None, actor) -> HouseholdMember:
    household = household_for(user)
    name = name.strip()
    if not name or len(name) > 80:
        raise ApartmentRuleViolation(_l("A name has 1 to 80 characters."), code="invalid_name")
    if relation not in RELATIONS:
        raise ApartmentRuleViolation(_l("Unknown relation."), code="invalid_relation")
    if birth_year is not None and not 1900 <= birth_year <= 2200:
        raise ApartmentRuleViolation(_l("Birth year must be between 1900 and 2200."), code="invalid_birth_year")
    if len(household.members) >= MAX_MEMBERS:
        raise ApartmentRuleViolation(_l("A household has at most %(n)s members.", n=MAX_MEMBERS),
                                     code="too_many_members")
    member = HouseholdMember(name=name, relation=relation, birth_year=birth_year)
    household.members.append(member)
    db.session.flush()
    audit.record(actor, "apartment.member_added", household, community_id=user.community_id,
                 relation=relation)
    return member


def remove_member(user, member: HouseholdMember, *, actor) -> None:
    household = household_for(user)
    if member.household_id != household.id:
        from community.core.errors import NotFound

        raise NotFound()
    household.members.remove(member)
    db.session.flush()
    audit.record(actor, "apartment.member_removed", household, community_id=user.community_id,
                 relation=member.relation)
