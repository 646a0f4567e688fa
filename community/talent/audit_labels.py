"""Display names of the audit entries talent operations write (see core.labels). The "talent."
prefix is accounts' (talent.updated, the profile written by hand before this domain); this domain
claims talent_application, talent_objection, talent_registry, talent_type and talent_stage."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from community.core.labels import register_audit_labels, talent_tier_label, talent_type_label
from community.talent.labels import revoke_reason_label

register_audit_labels(
    "talent",
    label=_l("Talent review"),
    actions={
        "talent_application.created": _l("Talent application started"),
        "talent_application.updated": _l("Talent application changed"),
        "talent_application.submitted": _l("Talent application submitted"),
        "talent_application.withdrawn": _l("Talent application withdrawn"),
        "talent_application.approved": _l("Talent review stage approved"),
        "talent_application.returned": _l("Talent application returned for evidence"),
        "talent_application.rejected": _l("Talent application not approved"),
        "talent_application.published": _l("Talent public notice began"),
        "talent_objection.lodged": _l("Objection lodged"),
        "talent_objection.upheld": _l("Objection upheld"),
        "talent_objection.dismissed": _l("Objection dismissed"),
        "talent_registry.entered": _l("Entered in the talent registry"),
        "talent_registry.renewed": _l("Talent tier re-reviewed"),
        "talent_registry.corrected": _l("Talent registry entry corrected"),
        "talent_registry.revoked": _l("Talent tier revoked"),
        "talent_registry.lapsed": _l("Talent tier lapsed"),
        "talent_registry.rereview_opened": _l("Talent re-review opened"),
        "talent_type.created": _l("Talent type added"),
        "talent_type.updated": _l("Talent type changed"),
        "talent_stage.configured": _l("Talent review stages set"),
    },
    objects={
        "TalentApplication": _l("Talent application"),
        "Objection": _l("Objection"),
        "RegistryEntry": _l("Talent registry entry"),
        "TalentType": _l("Talent type"),
        "ReviewStage": _l("Review stage"),
    },
    details={
        "talent_type": _l("Talent type"), "tier": lazy_pgettext("talent", "Tier"),
        "tier_before": _l("Tier before"), "valid_until": _l("Valid until"), "stage": _l("Stage"),
        "again": _l("Submitted again"), "message": lazy_pgettext("talent", "Message"),
        "until": _l("Notice until"), "application_id": _l("Application"), "note": lazy_pgettext("talent", "Note"),
        "certificate_no": _l("Certificate number"), "outcome": _l("Outcome"),
        "reason": lazy_pgettext("talent", "Reason"), "code": lazy_pgettext("talent", "Code"),
        "fields": lazy_pgettext("talent", "Fields changed"), "stages": _l("Stages"),
    },
    values={"talent_type": talent_type_label, "tier": talent_tier_label, "tier_before": talent_tier_label,
            "reason": revoke_reason_label},
)
