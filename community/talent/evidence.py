"""Evidence files of applications, kept by core.attachments: private to the applicant and the
reviewers of that application (pages, API and the /attachments/ URL all ask may_view)."""
from flask import current_app

from community.core.attachments import register_attachment_owner
from community.extensions import db
from community.talent import access
from community.talent.models import TalentApplication

MAX_EVIDENCE_BYTES = 5 * 1024 * 1024


def _may_view(user, attachment) -> bool:
    application = db.session.get(TalentApplication, attachment.owner_id)
    return application is not None and access.may_view_application(user, application)


def _may_delete(user, attachment) -> bool:
    application = db.session.get(TalentApplication, attachment.owner_id)
    return (application is not None and application.user_id == getattr(user, "id", None)
            and application.status in ("draft", "returned"))


def _limit() -> int:
    return min(current_app.config.get("TALENT_EVIDENCE_MAX_BYTES", MAX_EVIDENCE_BYTES),
               current_app.config.get("MAX_CONTENT_LENGTH") or MAX_EVIDENCE_BYTES)


register_attachment_owner("talent.TalentApplication", model=TalentApplication, may_view=_may_view,
                          may_delete=_may_delete, max_bytes=_limit, kinds=("image", "pdf"), purposes=("evidence",))
