"""Translatable display names for stored codes (roles, talent types and tiers)."""
from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "resident": _l("Resident"),
    "merchant_staff": _l("Merchant staff"),
    "specialist": _l("Service specialist"),
    "community_admin": _l("Community admin"),
    "platform_admin": _l("Platform admin"),
}
TALENT_TYPE_LABELS = {
    "production": _l("Production talent"),
    "business": _l("Business talent"),
    "skill_service": _l("Skilled service talent"),
    "skill_leading": _l("Skill-leading talent"),
    "social_service": _l("Social service talent"),
    "academic": _l("Academic talent"),
    "high_level": _l("High-level talent"),
}
TALENT_TIER_LABELS = {"junior": _l("Junior"), "intermediate": _l("Intermediate"), "senior": _l("Senior")}


def role_label(code):
    return ROLE_LABELS.get(code, code)


def talent_type_label(code):
    return TALENT_TYPE_LABELS.get(code, code or "—")


def talent_tier_label(code):
    return TALENT_TIER_LABELS.get(code, code or "—")
