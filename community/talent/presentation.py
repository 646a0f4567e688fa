"""How talent things look on pages and in the API: names, timelines, QR codes."""
from markupsafe import Markup

from community.core.api import rfc3339
from community.core.clock import zone
from community.core.qr import qr_inline
from community.talent import labels
from community.talent.models import ReviewStage


def type_name(code, types=None):
    """A type's configured name (Chinese or English by the reader), or its code."""
    from community.talent.queries import type_names

    types = types if types is not None else type_names()
    return labels.stored_name(types.get(code)) if code in types else (code or "—")


def stage_name(application) -> str | None:
    """The name of the stage the application is at (None once it is finished or a renewal)."""
    from community.extensions import db

    if application.kind == "renewal":
        return str(labels.kind_label("renewal"))
    stage = db.session.query(ReviewStage).filter_by(community_id=application.community_id,
                                                    position=application.stage).one_or_none()
    return labels.stored_name(stage) if stage is not None else None


def timeline(application) -> list[dict]:
    tz = zone(application.community.timezone if application.community else None)
    return [{"at": rfc3339(e.at, tz), "action": e.action, "stage": e.stage_name or None, "tier": e.tier,
             "message": e.message or ""} for e in application.events]


def application_json(application) -> dict:
    return {"id": application.id, "kind": application.kind, "type": application.talent_type,
            "claimed_tier": application.claimed_tier, "tier": application.tier, "employer": application.employer,
            "position": application.position_title, "statement": application.statement,
            "status": application.status, "stage": stage_name(application) if application.is_open else None,
            "notice_until": application.notice_until, "timeline": timeline(application)}


def qr_svg(payload: str, title: str = "") -> Markup:
    """The talent card's QR code in the page; the payload is a signed token."""
    return qr_inline(payload, scale=6, title=title)


TEMPLATE_GLOBALS = {
    "talent_status_label": labels.status_label, "talent_status_colour": labels.status_colour,
    "talent_entry_status_label": labels.entry_status_label, "talent_event_label": labels.event_label,
    "talent_kind_label": labels.kind_label, "talent_revoke_reason_label": labels.revoke_reason_label,
    "talent_verify_reason_label": labels.verify_reason_label, "talent_type_name": type_name,
    "talent_stage_name": stage_name, "talent_stored_name": labels.stored_name,
    "talent_overall_status_label": labels.talent_status_label,
    "talent_objection_status_label": labels.objection_status_label,
}


def register_template_globals(blueprint) -> None:
    """Offer the helpers above to every template of the app (pages, admin pages, panels)."""
    for name, helper in TEMPLATE_GLOBALS.items():
        blueprint.add_app_template_global(helper, name)
