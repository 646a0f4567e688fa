"""个人申报 and the staged review: drafts, submission, evidence, decisions, the public notice and
objections. Every write flushes, audits and notifies; nothing commits."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community.core import audit, uploads
from community.core.attachments import attach
from community.core.clock import local_today, now
from community.core.db import is_unique_violation, savepoint
from community.core.errors import NotFound, PermissionDenied, RuleViolation
from community.core.permissions import RESIDENT, has_role
from community.extensions import db
from community.talent import access, notices, rules
from community.talent.errors import (
    ApplicationOpen, NotDecidable, NoticeClosed, StageAlreadyDecided, TierAboveClaim,
)
from community.talent.models import (
    DISMISSED, DRAFT, ENTERED, IN_REVIEW, INITIAL, NOTICE, ON_NOTICE, OPEN, OPEN_STATUSES, REJECTED, RENEWAL,
    RETURNED, TIERS, UPHELD, WITHDRAWN, ApplicationEvent, Objection, TalentApplication,
)
from community.talent.operations.config import ensure_stages, find_type

EVIDENCE = "evidence"
APPROVE, RETURN, REJECT = "approve", "return", "reject"
DECISIONS = (APPROVE, RETURN, REJECT)
FIELDS = ("talent_type", "claimed_tier", "employer", "position_title", "years_in_field", "statement")


def _event(application, actor, action, *, stage=None, tier=None, message=""):
    name = stage.name_zh if stage is not None else ""
    db.session.add(ApplicationEvent(application=application, actor_id=getattr(actor, "id", None), action=action,
                                    stage=stage.position if stage is not None else None, stage_name=name,
                                    tier=tier, message=message or "", at=now()))


def _check_fields(values: dict) -> None:
    errors = {}
    talent_type = find_type(values.get("talent_type"))
    if talent_type is None or not talent_type.active:
        errors["type"] = [str(_l("Choose one of the talent types."))]
    if values.get("claimed_tier") not in TIERS:
        errors["tier"] = [str(_l("Choose a tier: junior, intermediate or senior."))]
    if errors:
        raise RuleViolation(_l("Please correct the marked fields."), code="invalid_application", errors=errors)


def _ensure_applicant(user):
    if not has_role(user, RESIDENT) or user.community_id is None:
        raise PermissionDenied(_l("Only residents of a community apply for a talent tier."), code="not_a_resident")


def open_application_of(user) -> TalentApplication | None:
    return db.session.scalar(sa.select(TalentApplication).where(
        TalentApplication.user_id == user.id, TalentApplication.status.in_(OPEN_STATUSES)))


def create_application(user, *, submit: bool = True, files=(), **values) -> TalentApplication:
    """A new application (a draft, or submitted at once). ApplicationOpen (409) when the person
    already has one open: the partial unique index decides, even for two requests at once."""
    _ensure_applicant(user)
    _check_fields(values)
    if open_application_of(user) is not None:
        raise ApplicationOpen(_l("You already have an open talent application."))
    application = TalentApplication(user_id=user.id, community_id=user.community_id, kind=INITIAL, status=DRAFT,
                                    tier=values["claimed_tier"], **{k: values.get(k) for k in FIELDS if k in values})
    application.employer = application.employer or ""
    application.position_title = application.position_title or ""
    application.statement = application.statement or ""
    try:
        with savepoint(db.session):
            db.session.add(application)
            db.session.flush()
    except sa.exc.IntegrityError as error:
        if not is_unique_violation(error):
            raise
        raise ApplicationOpen(_l("You already have an open talent application.")) from None
    _event(application, user, "created")
    audit.record(user, "talent_application.created", application, talent_type=application.talent_type,
                 tier=application.claimed_tier)
    add_evidence(application, files, actor=user)
    if submit:
        submit_application(application, actor=user)
    return application


def update_application(application, *, actor, files=(), submit: bool = False, **values) -> TalentApplication:
    """The applicant edits a draft or a returned application (and may submit it)."""
    _ensure_own(application, actor)
    if application.status not in (DRAFT, RETURNED) or application.kind != INITIAL:
        raise NotDecidable(_l("Only a draft or a returned application can be changed."))
    _check_fields(values)
    changed = [k for k in FIELDS if k in values and getattr(application, k) != values[k]]
    for key in changed:
        setattr(application, key, values[key])
    application.tier = application.claimed_tier
    db.session.flush()
    if changed:
        audit.record(actor, "talent_application.updated", application, fields=changed)
    add_evidence(application, files, actor=actor)
    if submit:
        submit_application(application, actor=actor)
    return application


def add_evidence(application, files, *, actor) -> list:
    """Attach PDF/JPEG/PNG evidence (content-checked by core.uploads); while editable only."""
    files = [f for f in files or () if f and getattr(f, "filename", "")]
    if not files:
        return []
    if application.status not in (DRAFT, RETURNED, IN_REVIEW) or application.user_id != getattr(actor, "id", None):
        raise NotDecidable(_l("Evidence can only be added to your own open application."))
    for f in files:
        _refuse_webp(f)
    return [attach(f, owner=application, purpose=EVIDENCE, actor=actor) for f in files]


def _refuse_webp(file) -> None:
    """Evidence is PDF, JPEG or PNG (what offices can print and archive); core.uploads also
    accepts WebP images, so that one is refused here, by its content."""
    head = file.stream.read(uploads.SNIFF_BYTES)
    file.stream.seek(0)
    if uploads.detect_type(head) == "webp":
        raise RuleViolation(_l("Choose a PDF file or a JPEG or PNG image (the file itself is checked, not only "
                               "its name)."), code="attachment_refused", reason="type")


def _ensure_own(application, actor):
    if application.user_id != getattr(actor, "id", None):
        raise NotFound()


def _first_review_position(stages) -> int:
    return stages[0].position


def submit_application(application, *, actor) -> TalentApplication:
    """A draft goes to the first stage; a returned application back to the stage that returned it.
    A renewal goes to the office of the community."""
    _ensure_own(application, actor)
    locked = _locked(application)
    if locked.status not in (DRAFT, RETURNED):
        raise NotDecidable(_l("This application was already submitted."))
    again = locked.status == RETURNED
    stages = ensure_stages(locked.community_id)
    if locked.kind == INITIAL and not again:
        locked.stage = _first_review_position(stages)
    locked.status = IN_REVIEW
    locked.submitted_at = now()
    db.session.flush()
    stage = stage_of(locked)
    _event(locked, actor, "resubmitted" if again else "submitted", stage=stage)
    audit.record(actor, "talent_application.submitted", locked, stage=stage.name_zh if stage else "", again=again)
    if stage is not None:
        notices.tell_stage_holders(locked, stage)
    return locked


def withdraw_application(application, *, actor) -> TalentApplication:
    _ensure_own(application, actor)
    locked = _locked(application)
    if locked.status not in (DRAFT, IN_REVIEW, RETURNED):
        raise NotDecidable(_l("This application can no longer be withdrawn."))
    locked.status = WITHDRAWN
    locked.decided_at = now()
    db.session.flush()
    _event(locked, actor, "withdrawn")
    audit.record(actor, "talent_application.withdrawn", locked)
    return locked


def _locked(application) -> TalentApplication:
    """The row again, locked FOR UPDATE (PostgreSQL), so two deciders of one stage queue up."""
    db.session.flush()
    stmt = sa.select(TalentApplication).where(TalentApplication.id == application.id).with_for_update()
    return db.session.execute(stmt.execution_options(populate_existing=True)).scalar_one()


def stages_of(application):
    return ensure_stages(application.community_id)


def stage_of(application):
    """The stage the application is at (None for a renewal, which the office decides at once)."""
    if application.kind == RENEWAL:
        return None
    return next((s for s in stages_of(application) if s.position == application.stage), None)


def _next_stage(application):
    return next((s for s in stages_of(application) if s.position > application.stage), None)


def may_decide(user, application) -> bool:
    if application.status != IN_REVIEW:
        return False
    if application.kind == RENEWAL:
        return application.user_id != getattr(user, "id", None) and access.is_office_of(user, application.community_id)
    return access.holds_stage(user, application, stage_of(application))


def decide(application, *, actor, decision: str, expected_stage: int | None = None, tier: str | None = None,
           message: str = "") -> TalentApplication:
    """The holder of the current stage approves (keeping or lowering the tier), returns it for more
    evidence with a message, or rejects it with a reason. ``expected_stage``: the stage the decider
    saw; another decision in between is StageAlreadyDecided (409)."""
    if decision not in DECISIONS:
        raise RuleViolation(_l("Choose approve, return or reject."), code="unknown_decision")
    application = _locked(application)
    if not access.may_view_application(actor, application):
        raise NotFound()
    if expected_stage is not None and (application.stage != expected_stage or application.status != IN_REVIEW):
        raise StageAlreadyDecided(_l("Someone else decided this stage first. Here is the application as it is now."))
    if application.status != IN_REVIEW:
        raise NotDecidable(_l("This application is not waiting for a review decision."))
    if not may_decide(actor, application):
        raise PermissionDenied(_l("You do not hold this stage of the review."), code="not_stage_holder")
    message = (message or "").strip()
    if decision in (RETURN, REJECT) and not message:
        raise RuleViolation(_l("Say why: the applicant reads it."), code="message_required",
                            errors={"message": [str(_l("Say why: the applicant reads it."))]})
    if application.kind == RENEWAL:
        return _decide_renewal(application, actor=actor, decision=decision, tier=tier, message=message)
    stage = stage_of(application)
    if decision == RETURN:
        application.status = RETURNED
        db.session.flush()
        _event(application, actor, "returned", stage=stage, message=message)
        audit.record(actor, "talent_application.returned", application, stage=stage.name_zh, message=message)
        notices.notify(application.user, notices.RETURNED, obj=application, stage=stage.name_zh, message=message)
        return application
    if decision == REJECT:
        _reject(application, actor, stage, message)
        return application
    tier = tier or application.tier
    if not rules.may_lower_to(application.claimed_tier, tier):
        raise TierAboveClaim(_l("A reviewer may lower the claimed tier, never raise it."),
                             errors={"tier": [str(_l("A reviewer may lower the claimed tier, never raise it."))]})
    application.tier = tier
    _event(application, actor, "approved", stage=stage, tier=tier, message=message)
    audit.record(actor, "talent_application.approved", application, stage=stage.name_zh, tier=tier,
                 message=message)
    following = _next_stage(application)
    if following is None:
        from community.talent.operations.registry import enter_registry

        application.status = ENTERED
        db.session.flush()
        enter_registry(application, actor=None)
    elif following.kind == NOTICE:
        _publish(application, following)
    else:
        application.stage = following.position
        db.session.flush()
        notices.tell_stage_holders(application, following)
    return application


def _reject(application, actor, stage, message):
    application.status = REJECTED
    application.decided_at = now()
    db.session.flush()
    _event(application, actor, "rejected", stage=stage, message=message)
    audit.record(actor, "talent_application.rejected", application, stage=stage.name_zh if stage else "",
                 message=message)
    notices.notify(application.user, notices.REJECTED, obj=application, reason=message)


def _publish(application, notice_stage):
    """公示: from the next working day for the stage's number of working days."""
    today = local_today(application.community.timezone)
    application.stage = notice_stage.position
    application.status = ON_NOTICE
    application.notice_from = today
    application.notice_until = rules.notice_until(today, notice_stage.notice_days)
    db.session.flush()
    _event(application, None, "published", stage=notice_stage, tier=application.tier)
    audit.record(None, "talent_application.published", application, until=application.notice_until)
    notices.notify(application.user, notices.APPROVED, obj=application, tier=application.tier,
                   until=application.notice_until.isoformat())


def _decide_renewal(application, *, actor, decision, tier, message):
    from community.talent.operations.registry import renew_entry

    if decision == RETURN:
        application.status = RETURNED
        db.session.flush()
        _event(application, actor, "returned", message=message)
        audit.record(actor, "talent_application.returned", application, message=message)
        notices.notify(application.user, notices.RETURNED, obj=application, stage=str(_l("Re-review")),
                       message=message)
        return application
    if decision == REJECT:
        _reject(application, actor, None, message)
        return application
    tier = tier or application.tier
    if tier not in TIERS:
        raise RuleViolation(_l("Unknown talent tier."), code="unknown_tier")
    application.tier = tier
    application.status = ENTERED
    application.decided_at = now()
    db.session.flush()
    _event(application, actor, "renewed", tier=tier, message=message)
    renew_entry(application.entry, tier=tier, actor=actor, note=message, application=application)
    return application


# -- public notice and objections -----------------------------------------------------------------

def lodge_objection(application, *, actor, reason: str) -> Objection:
    """Anyone logged in of the application's community objects during the notice, with a reason.
    An open objection holds the application until a reviewer resolves it."""
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_l("Say what the objection is."), code="reason_required",
                            errors={"reason": [str(_l("Say what the objection is."))]})
    application = _locked(application)
    if application.status != ON_NOTICE or rules.notice_is_over(application.notice_until,
                                                                local_today(application.community.timezone)):
        raise NoticeClosed(_l("This public notice has ended."))
    if application.user_id == actor.id:
        raise PermissionDenied(_l("You cannot object to your own application."), code="own_application")
    objection = Objection(application=application, user_id=actor.id, reason=reason, status=OPEN, created_at=now())
    db.session.add(objection)
    db.session.flush()
    _event(application, None, "objection_lodged")
    audit.record(actor, "talent_objection.lodged", objection, application_id=application.id,
                 community_id=application.community_id)
    notices.notify(application.user, notices.OBJECTION, obj=application)
    return objection


def resolve_objection(objection, *, actor, upheld: bool, note: str = "") -> Objection:
    """Upheld: the application is rejected. Dismissed: it continues (and enters the registry when
    the notice has ended and no other objection is open)."""
    application = _locked(objection.application)
    if not access.may_resolve_objection(actor, application):
        raise NotFound()
    if objection.status != OPEN:
        raise StageAlreadyDecided(_l("This objection was already resolved."))
    note = (note or "").strip()
    if upheld and not note:
        raise RuleViolation(_l("Say why: the applicant reads it."), code="message_required",
                            errors={"note": [str(_l("Say why: the applicant reads it."))]})
    objection.status = UPHELD if upheld else DISMISSED
    objection.resolved_at = now()
    objection.resolved_by_id = actor.id
    objection.resolution = note
    db.session.flush()
    _event(application, actor, "objection_upheld" if upheld else "objection_dismissed", message=note)
    if upheld:
        audit.record(actor, "talent_objection.upheld", objection, application_id=application.id,
                     community_id=application.community_id, note=note)
    else:
        audit.record(actor, "talent_objection.dismissed", objection, application_id=application.id,
                     community_id=application.community_id, note=note)
    if upheld and application.status == ON_NOTICE:
        _reject(application, actor, stage_of(application), note)
    return objection


def has_open_objection(application) -> bool:
    return db.session.scalar(sa.select(sa.func.count(Objection.id)).where(
        Objection.application_id == application.id, Objection.status == OPEN)) > 0


