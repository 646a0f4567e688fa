"""Translatable display names for stored codes: roles, talent types and tiers, and the audit log's
actions, object types and detail keys (which each domain registers for itself)."""
import json
import re
from datetime import datetime

from flask_babel import format_datetime
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


# -- audit log ---------------------------------------------------------------------------------
# Each domain registers display names for the audit actions it records, the object types it
# audits and the detail keys it writes (with an optional formatter for a key's values), e.g. in
# its package __init__:
#
#     register_action_labels({"amenity.booked": _l("Amenity booked")})
#     register_object_labels({"Booking": _l("Booking")})
#     register_detail_labels({"start": _l("Start")}, values={"status": booking_status_label})
#
# Unknown codes are shown as they are stored, so a new action is never hidden, just less readable.

ACTION_LABELS: dict[str, object] = {}
OBJECT_LABELS: dict[str, object] = {}
DETAIL_LABELS: dict[str, object] = {}
DETAIL_VALUE_FORMATTERS: dict[str, callable] = {}


def register_action_labels(labels: dict) -> None:
    ACTION_LABELS.update(labels)


def register_object_labels(labels: dict) -> None:
    OBJECT_LABELS.update(labels)


def register_detail_labels(labels: dict, *, values: dict | None = None) -> None:
    """``labels``: detail key -> display name; ``values``: detail key -> function(value) -> text."""
    DETAIL_LABELS.update(labels)
    DETAIL_VALUE_FORMATTERS.update(values or {})


def action_label(code):
    return ACTION_LABELS.get(code, code)


def object_label(type_name):
    return OBJECT_LABELS.get(type_name, type_name)


def audit_details(details) -> list[tuple[object, str]]:
    """An audit entry's details as (label, readable value) pairs, in the order they were written."""
    if not isinstance(details, dict):
        return []
    return [(DETAIL_LABELS.get(key, key), _detail_value(key, value)) for key, value in details.items()]


_ISO_INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)$")


def _detail_value(key, value) -> str:
    if value is None or value == "":
        return "—"
    formatter = DETAIL_VALUE_FORMATTERS.get(key)
    if formatter is not None:
        return str(formatter(value))
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if isinstance(value, list):
        return ", ".join(_detail_value(key, item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str) and _ISO_INSTANT.match(value):
        # audit.record stores instants as ISO 8601; show them as the page shows every time.
        return format_datetime(datetime.fromisoformat(value.replace("Z", "+00:00")), "short")
    return str(value)


def _language_label(code):
    from flask import current_app

    return current_app.config["LANGUAGES"].get(code, code)


register_detail_labels(
    {"role": _l("Role"), "talent_type": _l("Talent type"), "tier": _l("Tier"),
     "valid_until": _l("Valid until"), "locked_until": _l("Locked until"), "name": _l("Name"),
     "display_name": _l("Name"), "locale": _l("Language")},
    values={"role": role_label, "talent_type": talent_type_label, "tier": talent_tier_label,
            "locale": _language_label},
)
