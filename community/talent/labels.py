"""Display names of the talent domain's stored codes (statuses, reasons, actions), and of types
and stages as configured (stored names in Chinese and English)."""
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

STATUS_LABELS = {
    "draft": _l("Draft"), "in_review": _l("Under review"), "returned": _l("Returned for more evidence"),
    "notice": _l("Under public notice"), "entered": _l("Entered in the registry"),
    "rejected": lazy_pgettext("talent", "Not approved"), "withdrawn": _l("Withdrawn"),
}
STATUS_COLOURS = {"draft": "secondary", "in_review": "primary", "returned": "warning", "notice": "info",
                  "entered": "success", "rejected": "danger", "withdrawn": "secondary"}
ENTRY_STATUS_LABELS = {"active": _l("Verified"), "expired": _l("Lapsed"), "revoked": _l("Revoked")}
TALENT_STATUS_LABELS = {"unverified": _l("Not verified"), "pending": _l("Application in progress"),
                        "verified": _l("Verified"), "expired": _l("Lapsed"), "revoked": _l("Revoked")}
REVOKE_REASON_LABELS = {
    "no_longer_working": _l("No longer works in the field"), "unlawful": _l("Broke the law"),
    "dishonest": _l("Dishonest conduct"), "product_safety": _l("Product quality or safety incident"),
    "other": lazy_pgettext("talent", "Other"),
}
EVENT_LABELS = {
    "created": _l("Draft saved"), "submitted": _l("Submitted"), "resubmitted": _l("Submitted again"),
    "withdrawn": _l("Withdrawn"), "approved": _l("Approved"), "returned": _l("Returned for more evidence"),
    "rejected": lazy_pgettext("talent", "Not approved"), "published": _l("Public notice began"),
    "objection_lodged": _l("Objection lodged"), "objection_upheld": _l("Objection upheld"),
    "objection_dismissed": _l("Objection dismissed"), "entered": _l("Entered in the registry"),
    "rereview_opened": _l("Re-review opened"), "renewed": _l("Re-review decided"),
}
OBJECTION_STATUS_LABELS = {"open": lazy_pgettext("talent", "Open"), "upheld": lazy_pgettext("talent", "Upheld"),
                           "dismissed": lazy_pgettext("talent", "Dismissed")}
KIND_LABELS = {"initial": _l("Application"), "renewal": _l("Re-review")}
VERIFY_REASON_LABELS = {
    "ok": _l("Valid"), "expired": _l("Expired code: ask for a fresh one"), "forged": _l("Forged or damaged code"),
    "revoked": _l("Tier revoked"), "lapsed": _l("Tier no longer current"),
}


def _lookup(table, code):
    return table.get(code, code or "—")


def status_label(code):
    return _lookup(STATUS_LABELS, code)


def status_colour(code):
    return STATUS_COLOURS.get(code, "secondary")


def entry_status_label(code):
    return _lookup(ENTRY_STATUS_LABELS, code)


def talent_status_label(code):
    return _lookup(TALENT_STATUS_LABELS, code)


def revoke_reason_label(code):
    return _lookup(REVOKE_REASON_LABELS, code)


def event_label(code):
    return _lookup(EVENT_LABELS, code)


def objection_status_label(code):
    return _lookup(OBJECTION_STATUS_LABELS, code)


def kind_label(code):
    return _lookup(KIND_LABELS, code)


def verify_reason_label(code):
    return _lookup(VERIFY_REASON_LABELS, code)


def _english() -> bool:
    locale = get_locale()
    return locale is not None and locale.language == "en"


def stored_name(obj) -> str:
    """A type's or stage's configured name in the reader's language (Chinese when no English)."""
    if obj is None:
        return "—"
    return (obj.name_en if _english() and obj.name_en else obj.name_zh) or ""
