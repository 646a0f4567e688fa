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

__all__ = ["notify"]
