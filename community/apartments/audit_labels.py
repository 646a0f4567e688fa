"""Display names for the audit entries apartments operations write (see core.labels)."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from community.apartments.presentation import layout_label, unit_status_label
from community.core.labels import register_audit_labels

FIELD_LABELS = {
    "number": _l("Unit number"), "floor": _l("Floor"), "layout": _l("Layout"), "area_centi_m2": _l("Area"),
    "orientation": _l("Orientation"), "furnished": _l("Furnished"), "accessible": _l("Accessible"),
    "rent_fen": _l("Monthly rent"), "deposit_fen": lazy_pgettext("apartments", "Deposit"),
    "employer": _l("Employer"), "employer_district": _l("Employer's district"), "industry": _l("Industry"),
    "title": lazy_pgettext("apartments", "Title"), "announcement": _l("Announcement"),
    "opens_at": _l("Applications open"), "closes_at": _l("Applications close"),
    "talent_types": _l("Talent types"), "min_tier": _l("Minimum tier"), "district": _l("District"),
    "require_no_lease": _l("No current lease"), "recent_allocation_months": _l("Not allocated in the last months"),
    "household_sizes": _l("Household size per layout"), "tier_points": _l("Points per tier"),
    "points_per_waiting_month": _l("Points per month waiting"), "points_per_member": _l("Points per household member"),
    "priority_industry_points": _l("Points for a priority industry"), "priority_industries": _l("Priority industries"),
    "offer_days": _l("Days to answer an offer"),
}


def field_label(code):
    return FIELD_LABELS.get(code, code)


def relation_value(code):
    from community.apartments.presentation import relation_label

    return relation_label(code)


register_audit_labels(
    "apartments",
    label=_l("Apartments"),
    actions={
        "apartment.unit_created": _l("Unit created"),
        "apartment.unit_updated": _l("Unit changed"),
        "apartment.unit_status": _l("Unit status changed"),
        "apartment.units_imported": _l("Units imported"),
        "apartment.household_saved": _l("Household changed"),
        "apartment.member_added": _l("Household member added"),
        "apartment.member_removed": _l("Household member removed"),
        "apartment.round_created": _l("Rental round drafted"),
        "apartment.round_updated": _l("Rental round changed"),
        "apartment.round_units_added": _l("Units added to a round"),
        "apartment.round_unit_removed": _l("Unit removed from a round"),
        "apartment.round_published": _l("Rental round published"),
        "apartment.applied": _l("Applied for an apartment"),
        "apartment.application_updated": _l("Application preferences changed"),
        "apartment.application_withdrawn": _l("Application withdrawn"),
        "apartment.round_allocated": _l("Rental round allocated"),
        "apartment.offer_made": _l("Unit offered from the waitlist"),
        "apartment.offer_accepted": _l("Offer accepted"),
        "apartment.offer_declined": _l("Offer declined"),
        "apartment.offer_expired": _l("Offer expired"),
    },
    objects={
        "Unit": lazy_pgettext("apartments", "Unit"),
        "Household": _l("Household"),
        "Round": _l("Rental round"),
        "Application": lazy_pgettext("apartments", "Application"),
        "Offer": _l("Offer"),
    },
    details={
        "number": _l("Unit number"),
        "building_id": _l("Building"),
        "fields": lazy_pgettext("apartments", "Changed"),
        "status": lazy_pgettext("apartments", "Status"),
        "previous": lazy_pgettext("apartments", "Previous status"),
        "count": lazy_pgettext("apartments", "Units"),
        "relation": _l("Relation"),
        "title": lazy_pgettext("apartments", "Title"),
        "unit_ids": lazy_pgettext("apartments", "Units"),
        "unit_id": lazy_pgettext("apartments", "Unit"),
        "seed_hash": _l("Lottery seed SHA-256"),
        "seed": _l("Lottery seed"),
        "round_id": _l("Rental round"),
        "preferences": _l("Preferences"),
        "applications": _l("Applications"),
        "allocated": _l("Units allocated"),
        "waitlisted": _l("On the waitlist"),
        "ineligible": _l("Not eligible"),
        "passed_from": _l("Passed on from offer"),
    },
    values={"fields": field_label, "status": unit_status_label, "previous": unit_status_label,
            "relation": relation_value, "preferences": lambda p: layout_label(p.get("layout")) if isinstance(p, dict)
            and "layout" in p else str(p)},
    refs={"building_id": "accounts.Building", "unit_ids": "apartments.Unit", "unit_id": "apartments.Unit",
          "round_id": "apartments.Round"},
)
