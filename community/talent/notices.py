"""What applicants and talents are told: registered kinds, texts in this domain's catalog."""
from flask_babel import lazy_gettext as _l

from community.notifications.kinds import register_group, register_kind
from community.notifications.operations import notify

GROUP = "talent"
MY_TALENT = "talent.index"

RETURNED = "talent.application_returned"
APPROVED = "talent.application_approved"
REJECTED = "talent.application_rejected"
OBJECTION = "talent.objection"
ENTERED = "talent.entered"
RENEWED = "talent.renewed"
REREVIEW_DUE = "talent.rereview_due"
LAPSED = "talent.lapsed"
REVOKED = "talent.revoked"
REVIEW_WAITING = "talent.review_waiting"

register_group(GROUP, _l("Talent status"),
               description=_l("Your talent application, its review and public notice, your registry entry, "
                              "re-reviews, lapse and revocation."))
register_kind(RETURNED, GROUP, link=MY_TALENT,
              subject=_l("Your talent application needs more: %(stage)s"),
              body=_l("At the stage %(stage)s your talent application was returned for more evidence.\n"
                      "Message: %(message)s\nAdd what is asked for and submit it again."))
register_kind(APPROVED, GROUP, link=MY_TALENT,
              subject=_l("Your talent application passed review"),
              body=_l("Your application passed review as %(tier)s. It is under public notice until %(until)s; "
                      "if no objection holds it, you enter the talent registry after that."))
register_kind(REJECTED, GROUP, link=MY_TALENT,
              subject=_l("Your talent application was not approved"),
              body=_l("Your talent application was not approved.\nReason: %(reason)s"))
register_kind(OBJECTION, GROUP, link=MY_TALENT,
              subject=_l("An objection was lodged during your public notice"),
              body=_l("Someone lodged an objection during the public notice of your talent application. "
                      "A reviewer will look into it; your application waits until then."))
register_kind(ENTERED, GROUP, link=MY_TALENT,
              subject=_l("You are in the talent registry: certificate %(certificate_no)s"),
              body=_l("You are entered in the talent registry as %(tier)s, certificate %(certificate_no)s, "
                      "valid until %(valid_until)s. Your talent card is ready, and your benefits apply "
                      "without applying for them."))
register_kind(RENEWED, GROUP, link=MY_TALENT,
              subject=_l("Your talent tier was renewed"),
              body=_l("Your re-review is done: %(tier)s, valid until %(valid_until)s."))
register_kind(REREVIEW_DUE, GROUP, link=MY_TALENT,
              subject=_l("Your yearly talent re-review is open"),
              body=_l("Your talent tier is valid until %(valid_until)s. Confirm that you still qualify "
                      "(new evidence is welcome) so the office can renew it in time."))
register_kind(LAPSED, GROUP, link=MY_TALENT,
              subject=_l("Your talent tier has lapsed"),
              body=_l("Your talent tier was valid until %(valid_until)s and has lapsed. Apply again to "
                      "have it reviewed."))
register_kind(REVOKED, GROUP, link=MY_TALENT,
              subject=_l("Your talent tier was revoked"),
              body=_l("The office revoked your talent tier (certificate %(certificate_no)s).\n"
                      "Reason: %(reason)s"))

register_kind(REVIEW_WAITING, GROUP, link="talent_admin.reviews",
              subject=_l("A talent application waits for your review: %(stage)s"),
              body=_l("An application for %(tier)s reached the stage %(stage)s, which you hold. "
                      "Open the review queue to decide it."))


def stage_holders(application, stage):
    """The people who hold ``stage`` of ``application``: the admins of its community for a
    community-admin stage, the talent reviewers for a platform stage; never the applicant."""
    import sqlalchemy as sa

    from community.accounts.models import RoleGrant, User
    from community.core.permissions import COMMUNITY_ADMIN, TALENT_REVIEWER
    from community.extensions import db

    stmt = sa.select(User).join(RoleGrant, RoleGrant.user_id == User.id).where(
        User.active.is_(True), User.id != application.user_id)
    if stage.role == TALENT_REVIEWER:
        stmt = stmt.where(RoleGrant.role == TALENT_REVIEWER)
    elif stage.role == COMMUNITY_ADMIN:
        stmt = stmt.where(RoleGrant.role == COMMUNITY_ADMIN, RoleGrant.community_id == application.community_id)
    else:
        return []
    return db.session.scalars(stmt.distinct().order_by(User.id)).all()


def tell_stage_holders(application, stage):
    """An application arrived at a review stage (submitted, passed the stage before, or sent again
    after a return): its holders are told, once for this arrival (called only at the transition,
    which runs under the application's row lock)."""
    for holder in stage_holders(application, stage):
        notify(holder, REVIEW_WAITING, obj=application, stage=stage.name_zh, tier=application.tier)


__all__ = ["notify"]
