"""人才库: entering talents (建库颁证), renewing, raising and lowering tiers, revocation, lapse and
the yearly re-review. Every change is mirrored onto accounts.TalentProfile through
accounts.operations.set_talent, so every domain that reads ``user.talent`` follows at once."""
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from community.accounts import operations as accounts_ops
from community.accounts.models import TalentProfile, User
from community.core import audit
from community.core.clock import local_today, now
from community.core.db import is_unique_violation, savepoint
from community.core.errors import NotFound, PermissionDenied, RuleViolation
from community.extensions import db
from community.talent import access, notices, rules
from community.talent.errors import EntryNotActive
from community.talent.labels import revoke_reason_label
from community.talent.operations.config import find_type
from community.talent.models import (
    ACTIVE, DRAFT, ENTERED, EXPIRED, ON_NOTICE, OPEN_STATUSES, RENEWAL, REJECTED, REVOKE_REASONS, REVOKED, TIERS, ApplicationEvent, RegistryEntry, TalentApplication,
)


def _sync_profile(entry: RegistryEntry | None, user: User, actor=None) -> None:
    """Mirror the entry onto the profile; ``actor``: the office that decided (None: the system)."""
    if entry is None or entry.status == REVOKED:
        accounts_ops.set_talent(user, talent_type=None, tier=None, valid_until=None, actor=actor, by_registry=True)
    else:
        accounts_ops.set_talent(user, talent_type=entry.talent_type, tier=entry.tier,
                                valid_until=entry.valid_until, actor=actor, by_registry=True)


def active_entry_of(user_id: int) -> RegistryEntry | None:
    return db.session.scalar(sa.select(RegistryEntry).where(RegistryEntry.user_id == user_id,
                                                            RegistryEntry.status == ACTIVE))


def _close_active(user_id: int) -> None:
    """A new entry replaces the person's active one (a later application for another tier)."""
    db.session.execute(sa.update(RegistryEntry).where(RegistryEntry.user_id == user_id, RegistryEntry.status == ACTIVE)
                       .values(status=EXPIRED).execution_options(synchronize_session="fetch"))


def _new_entry(user: User, *, talent_type: str, tier: str, valid_from: date, valid_until: date,
               application_id: int | None) -> RegistryEntry:
    _close_active(user.id)
    entry = RegistryEntry(user_id=user.id, community_id=user.community_id, application_id=application_id,
                          talent_type=talent_type, tier=tier, valid_from=valid_from, valid_until=valid_until,
                          status=ACTIVE, entered_at=now())
    db.session.add(entry)
    db.session.flush()
    entry.certificate_no = rules.certificate_number(valid_from.year, entry.id)
    db.session.flush()
    return entry


def enter_registry(application: TalentApplication, *, actor=None) -> RegistryEntry:
    """建库: the talent enters the registry with a certificate number, valid for a year; the
    profile gets the type and tier."""
    user = application.user
    today = local_today(application.community.timezone)
    entry = _new_entry(user, talent_type=application.talent_type, tier=application.tier, valid_from=today,
                       valid_until=rules.term_end(today), application_id=application.id)
    application.entry_id = entry.id
    application.status = ENTERED
    application.decided_at = now()
    db.session.add(ApplicationEvent(application=application, actor_id=None, action="entered", tier=entry.tier,
                                    message=entry.certificate_no, at=now()))
    db.session.flush()
    _sync_profile(entry, user)
    audit.record(actor, "talent_registry.entered", entry, application_id=application.id,
                 certificate_no=entry.certificate_no, talent_type=entry.talent_type, tier=entry.tier,
                 valid_until=entry.valid_until)
    notices.notify(user, notices.ENTERED, obj=entry, tier=entry.tier, certificate_no=entry.certificate_no,
                   valid_until=entry.valid_until.isoformat())
    return entry


def enter_after_notice(at=None) -> int:
    """The notice-end job: each application whose notice is over (in its community's zone) with no
    open objection enters the registry. The conditional UPDATE lets exactly one runner take each
    application, and registry.application_id is unique: run twice, nothing changes the second time."""
    from community.talent.operations.applications import has_open_objection

    candidates = db.session.scalars(sa.select(TalentApplication).where(TalentApplication.status == ON_NOTICE)
                                    .order_by(TalentApplication.id)).all()
    entered = 0
    for application in candidates:
        today = local_today(application.community.timezone)
        if not rules.notice_is_over(application.notice_until, today) or has_open_objection(application):
            continue
        taken = db.session.execute(sa.update(TalentApplication)
                                   .where(TalentApplication.id == application.id,
                                          TalentApplication.status == ON_NOTICE)
                                   .values(status=ENTERED).execution_options(synchronize_session=False))
        if taken.rowcount != 1:
            continue
        db.session.refresh(application)
        enter_registry(application)
        entered += 1
    return entered


def renew_entry(entry: RegistryEntry, *, tier: str, actor, note: str = "", application=None) -> RegistryEntry:
    """The office's re-review outcome: renew (same tier), raise or lower; a new one-year term
    from the day after the old valid-until (or from today if it had already lapsed)."""
    if entry is None:
        raise NotFound()
    if not access.is_office_of(actor, entry.community_id):
        raise PermissionDenied(_l("Only the office of this talent's community renews the tier."))
    if entry.status == REVOKED:
        raise EntryNotActive(_l("A revoked entry cannot be renewed; the person applies again."))
    if tier not in TIERS:
        raise RuleViolation(_l("Unknown talent tier."), code="unknown_tier")
    today = local_today(entry.community.timezone if entry.community else None)
    start = max(entry.valid_until + timedelta(days=1), today)
    before = entry.tier
    if entry.status == EXPIRED:
        other = active_entry_of(entry.user_id)
        if other is not None and other.id != entry.id:
            raise EntryNotActive(_l("This person has a newer registry entry."))
    entry.tier = tier
    entry.valid_until = rules.term_end(start)
    entry.status = ACTIVE
    db.session.flush()
    _sync_profile(entry, entry.user, actor)
    outcome = "renewed" if tier == before else ("raised" if rules.TIER_RANK[tier] > rules.TIER_RANK[before]
                                                 else "lowered")
    audit.record(actor, "talent_registry.renewed", entry, outcome=outcome, tier_before=before, tier=tier,
                 valid_until=entry.valid_until, note=note,
                 application_id=application.id if application is not None else None)
    notices.notify(entry.user, notices.RENEWED, obj=entry, tier=tier, valid_until=entry.valid_until.isoformat())
    return entry


def revoke_entry(entry: RegistryEntry, *, actor, reason: str, note: str = "") -> RegistryEntry:
    """Revocation for cause: the tier is removed from the profile at once."""
    if not access.is_office_of(actor, entry.community_id):
        raise NotFound()
    if reason not in REVOKE_REASONS:
        raise RuleViolation(_l("Choose a reason from the list."), code="unknown_reason",
                            errors={"reason": [str(_l("Choose a reason from the list."))]})
    note = (note or "").strip()
    if reason == "other" and not note:
        raise RuleViolation(_l("Say why, when the reason is “other”."), code="note_required",
                            errors={"note": [str(_l("Say why, when the reason is “other”."))]})
    locked = db.session.execute(sa.select(RegistryEntry).where(RegistryEntry.id == entry.id).with_for_update()
                                .execution_options(populate_existing=True)).scalar_one()
    if locked.status == REVOKED:
        raise EntryNotActive(_l("This entry was already revoked."))
    locked.status = REVOKED
    locked.revoke_reason = reason
    locked.revoke_note = note
    locked.revoked_at = now()
    locked.revoked_by_id = actor.id
    db.session.flush()
    _sync_profile(None, locked.user, actor)
    # An open re-review of the entry has nothing left to renew.
    for application in db.session.scalars(sa.select(TalentApplication).where(
            TalentApplication.entry_id == locked.id, TalentApplication.status.in_(OPEN_STATUSES))):
        application.status = REJECTED
        application.decided_at = now()
    db.session.flush()
    audit.record(actor, "talent_registry.revoked", locked, reason=reason, note=note,
                 certificate_no=locked.certificate_no, tier=locked.tier)
    notices.notify(locked.user, notices.REVOKED, obj=locked, certificate_no=locked.certificate_no or "",
                   reason=note or str(revoke_reason_label(reason)))
    return locked


def lapse_expired(at=None) -> int:
    """Lapse job: an active entry whose valid-until is over in its community's zone expires (the
    day after valid-until). The profile's is_current already says no that day; this marks the
    registry and tells the talent once. Conditional UPDATE: run twice, nothing the second time."""
    lapsed = 0
    rows = db.session.scalars(sa.select(RegistryEntry).where(RegistryEntry.status == ACTIVE)
                              # every zone's today is at most a day after UTC's
                              .where(RegistryEntry.valid_until <= now().date() + timedelta(days=1))
                              .order_by(RegistryEntry.id)).all()
    for entry in rows:
        today = local_today(entry.community.timezone if entry.community else None)
        if today < rules.lapses_on(entry.valid_until):
            continue
        taken = db.session.execute(sa.update(RegistryEntry).where(RegistryEntry.id == entry.id,
                                                                  RegistryEntry.status == ACTIVE)
                                   .values(status=EXPIRED).execution_options(synchronize_session=False))
        if taken.rowcount != 1:
            continue
        db.session.refresh(entry)
        audit.record(None, "talent_registry.lapsed", entry, valid_until=entry.valid_until,
                     certificate_no=entry.certificate_no)
        notices.notify(entry.user, notices.LAPSED, obj=entry, once=True, valid_until=entry.valid_until.isoformat())
        lapsed += 1
    return lapsed


def open_rereviews(at=None) -> int:
    """Re-review job: 30 days before valid-until a re-review (a renewal application, waiting for the
    talent's confirmation) opens and the talent is told. ``rereview_for`` is set by a conditional
    UPDATE, so each term gets one, however often this runs."""
    opened = 0
    rows = db.session.scalars(sa.select(RegistryEntry).where(RegistryEntry.status == ACTIVE)
                              .order_by(RegistryEntry.id)).all()
    for entry in rows:
        today = local_today(entry.community.timezone if entry.community else None)
        if today < rules.rereview_opens_on(entry.valid_until) or entry.rereview_for == entry.valid_until:
            continue
        taken = db.session.execute(sa.update(RegistryEntry).where(
            RegistryEntry.id == entry.id, RegistryEntry.status == ACTIVE,
            sa.or_(RegistryEntry.rereview_for.is_(None), RegistryEntry.rereview_for != entry.valid_until))
            .values(rereview_for=entry.valid_until).execution_options(synchronize_session=False))
        if taken.rowcount != 1:
            continue
        db.session.refresh(entry)
        _open_renewal(entry)
        audit.record(None, "talent_registry.rereview_opened", entry, valid_until=entry.valid_until)
        notices.notify(entry.user, notices.REREVIEW_DUE, obj=entry, valid_until=entry.valid_until.isoformat())
        opened += 1
    return opened


def _open_renewal(entry):
    """The renewal application, unless the person already has an open one (then that one is it)."""
    if entry.community_id is None:
        return None
    application = TalentApplication(user_id=entry.user_id, community_id=entry.community_id, kind=RENEWAL,
                                    status=DRAFT, talent_type=entry.talent_type, claimed_tier=entry.tier,
                                    tier=entry.tier, entry_id=entry.id, employer="", position_title="", statement="")
    try:
        with savepoint(db.session):
            db.session.add(application)
            db.session.flush()
    except sa.exc.IntegrityError as error:
        if not is_unique_violation(error):
            raise
        return None
    db.session.add(ApplicationEvent(application=application, actor_id=None, action="rereview_opened", at=now()))
    return application


def correct(user: User, *, actor, talent_type: str | None, tier: str | None, valid_until: date | None,
            note: str = "") -> RegistryEntry | None:
    """The office's correction from the user page (what "set talent by hand" was): through the
    registry, recorded with its reason. A tier creates or changes the active entry (a new entry
    gets a certificate number); no tier revokes the active entry (reason "other")."""
    if not accounts_ops.may_set_talent(actor, user):
        raise PermissionDenied(_l("Only the office of this person's own community can set their talent tier."),
                               code="not_their_community")
    if talent_type and find_type(talent_type) is None:
        raise RuleViolation(_l("Unknown talent type."), code="unknown_talent_type")
    if tier and tier not in TIERS:
        raise RuleViolation(_l("Unknown talent tier."), code="unknown_tier")
    entry = active_entry_of(user.id)
    note = (note or "").strip() or gettext("Office correction")
    if not tier:
        if entry is not None:
            return revoke_entry(entry, actor=actor, reason="other", note=note)
        _sync_profile(None, user, actor)
        return None
    if not talent_type:
        raise RuleViolation(_l("Choose the talent type of this tier."), code="type_required")
    today = local_today(user.timezone)
    until = valid_until or rules.term_end(today)
    if entry is None:
        entry = _new_entry(user, talent_type=talent_type, tier=tier, valid_from=min(today, until), valid_until=until,
                           application_id=None)
        _sync_profile(entry, user, actor)
        audit.record(actor, "talent_registry.entered", entry, certificate_no=entry.certificate_no,
                     talent_type=talent_type, tier=tier, valid_until=entry.valid_until, note=note)
        return entry
    entry.talent_type, entry.tier, entry.valid_until = talent_type, tier, max(until, entry.valid_from)
    db.session.flush()
    _sync_profile(entry, user, actor)
    audit.record(actor, "talent_registry.corrected", entry, certificate_no=entry.certificate_no,
                 talent_type=talent_type, tier=tier, valid_until=entry.valid_until, note=note)
    return entry


def carry_over_profiles() -> int:
    """Existing verified profiles without a registry entry become entries with certificate numbers
    (the migration does this in SQL; demo data and imports use this)."""
    stmt = sa.select(User).join(TalentProfile, TalentProfile.user_id == User.id).where(
        TalentProfile.tier.is_not(None), ~sa.exists().where(RegistryEntry.user_id == User.id))
    count = 0
    for user in db.session.scalars(stmt):
        profile = user.talent
        until = profile.valid_until or rules.term_end(local_today(user.timezone))
        start = min(until, (profile.verified_at.date() if profile.verified_at else local_today(user.timezone)))
        entry = _new_entry(user, talent_type=profile.talent_type or "production", tier=profile.tier, valid_from=start,
                           valid_until=until, application_id=None)
        if profile.has_expired(local_today(user.timezone)):
            entry.status = EXPIRED
        db.session.flush()
        count += 1
    return count

