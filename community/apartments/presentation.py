"""Words for the apartments domain's codes (layouts, statuses, eligibility reasons) and template
helpers. Imports no operations."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from community.core.labels import talent_tier_label, talent_type_label

LAYOUT_LABELS = {"studio": _l("Studio"), "1b1l": _l("1 bedroom, 1 living room"),
                 "2b1l": _l("2 bedrooms, 1 living room"), "2b2l": _l("2 bedrooms, 2 living rooms"),
                 "3b1l": _l("3 bedrooms, 1 living room"), "3b2l": _l("3 bedrooms, 2 living rooms")}
ORIENTATION_LABELS = {"south": _l("South"), "north": _l("North"), "east": _l("East"), "west": _l("West"),
                      "south_north": _l("South and north"), "east_west": _l("East and west")}
UNIT_STATUS_LABELS = {"available": lazy_pgettext("apartments.unit", "Available"),
                      "reserved": lazy_pgettext("apartments.unit", "Reserved"),
                      "leased": lazy_pgettext("apartments.unit", "Leased"),
                      "maintenance": lazy_pgettext("apartments.unit", "Maintenance")}
ROUND_STATUS_LABELS = {"draft": lazy_pgettext("apartments.round", "Draft"),
                       "published": lazy_pgettext("apartments.round", "Published"),
                       "allocated": lazy_pgettext("apartments.round", "Allocated")}
RELATION_LABELS = {"spouse": _l("Spouse"), "child": _l("Child"), "parent": _l("Parent")}
OUTCOME_LABELS = {"allocated": _l("Unit allocated"), "waitlisted": _l("On the waitlist"),
                  "ineligible": _l("Not eligible")}
OFFER_STATUS_LABELS = {"open": lazy_pgettext("apartments.offer", "Open"),
                       "accepted": lazy_pgettext("apartments.offer", "Accepted"),
                       "declined": lazy_pgettext("apartments.offer", "Declined"),
                       "expired": lazy_pgettext("apartments.offer", "Expired")}
APPLICATION_STATUS_LABELS = {"submitted": _l("Submitted"), "withdrawn": _l("Withdrawn")}
SCORE_PART_LABELS = {"tier": _l("Talent tier"), "waiting": _l("Months waiting"),
                     "household": _l("Household members"), "industry": _l("Priority industry")}
STATUS_CLASSES = {"available": "success", "reserved": "warning", "leased": "primary", "maintenance": "secondary"}


def layout_label(code):
    return LAYOUT_LABELS.get(code, code)


def orientation_label(code):
    return ORIENTATION_LABELS.get(code, code)


def unit_status_label(code):
    return UNIT_STATUS_LABELS.get(code, code)


def round_status_label(code):
    return ROUND_STATUS_LABELS.get(code, code)


def relation_label(code):
    return RELATION_LABELS.get(code, code)


def outcome_label(code):
    return OUTCOME_LABELS.get(code, code or "—")


def offer_status_label(code):
    return OFFER_STATUS_LABELS.get(code, code)


def application_status_label(code):
    return APPLICATION_STATUS_LABELS.get(code, code)


def reason_text(reason):
    """One failing eligibility rule as a sentence ("Not eligible: tier Junior below Intermediate")."""
    p = dict(reason.params) if hasattr(reason, "params") else dict(reason)
    code = reason.code if hasattr(reason, "code") else p.get("code")
    if code == "no_current_tier":
        return _l("no current talent tier")
    if code == "tier_too_low":
        return _l("tier %(tier)s below %(min_tier)s", tier=talent_tier_label(p["tier"]),
                  min_tier=talent_tier_label(p["min_tier"]))
    if code == "talent_type":
        return _l("talent type %(type)s is not among those this round is for", type=talent_type_label(p["talent_type"]))
    if code == "employer_district":
        if not p.get("employer_district"):
            return _l("employer district not given (this round needs an employer in %(district)s)",
                      district=p["district"])
        return _l("employer in %(employer_district)s, not in %(district)s", district=p["district"],
                  employer_district=p["employer_district"])
    if code == "current_lease":
        return _l("already holds a current lease")
    if code == "recently_allocated":
        return _l("allocated a unit on %(on)s, within the last %(months)s months", on=p["on"], months=p["months"])
    if code == "household_too_small":
        return _l("household of %(size)s too small for %(layout)s (%(min)s to %(max)s people)",
                  size=p["size"], layout=layout_label(p["layout"]), min=p["min"], max=p["max"])
    if code == "household_too_large":
        return _l("household of %(size)s too large for %(layout)s (%(min)s to %(max)s people)",
                  size=p["size"], layout=layout_label(p["layout"]), min=p["min"], max=p["max"])
    return code


def mask_name(name: str) -> str:
    """A name for the public result notice (公示): the first character, then one * a character."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name + "*"
    return name[0] + "*" * (len(name) - 1)


def area_text(centi_m2: int) -> str:
    whole, cents = divmod(int(centi_m2), 100)
    return f"{whole}.{cents:02d}" if cents else str(whole)


def preference_text(preference, buildings: dict):
    if "layout" in preference:
        return layout_label(preference["layout"])
    building = buildings.get(preference.get("building_id"))
    return building.name if building is not None else str(preference.get("building_id"))


def register_template_globals(bp):
    @bp.app_context_processor
    def apartment_helpers():
        return {"layout_label": layout_label, "orientation_label": orientation_label,
                "unit_status_label": unit_status_label, "round_status_label": round_status_label,
                "relation_label": relation_label, "outcome_label": outcome_label,
                "offer_status_label": offer_status_label, "reason_text": reason_text,
                "application_status_label": application_status_label, "mask_name": mask_name,
                "unit_status_class": lambda code: STATUS_CLASSES.get(code, "secondary"),
                "score_part_label": lambda code: SCORE_PART_LABELS.get(code, code),
                "preference_text": preference_text, "apartment_area": area_text}
