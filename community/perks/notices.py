"""What residents and merchants are told, through notify(); kinds registered here."""
from flask_babel import lazy_gettext as _l

from community.notifications.kinds import register_group, register_kind
from community.notifications.operations import notify

GROUP = "perks"
REDEEMED_KIND = "perks.voucher_redeemed"
REMINDER_KIND = "perks.voucher_expiring"
UNDONE_KIND = "perks.redemption_undone"
MERCHANT_DECIDED_KIND = "perks.merchant_decided"
CAMPAIGN_DECIDED_KIND = "perks.campaign_decided"

register_group(GROUP, _l("Perks and vouchers"),
               description=_l("Your vouchers being used or about to expire, and decisions about your merchant."))
register_kind(REDEEMED_KIND, GROUP, link="perks.my_vouchers",
              subject=_l("Voucher used: %(title)s"),
              body=_l("Your voucher “%(title)s” was redeemed at %(merchant)s on %(redeemed_at)s.\n"
                      "If this was not you, tell the community office."))
register_kind(REMINDER_KIND, GROUP, link="perks.my_vouchers",
              subject=_l("Your voucher expires soon: %(title)s"),
              body=_l("Your voucher “%(title)s” at %(merchant)s is valid until %(valid_until)s. Use it before then."))
register_kind(UNDONE_KIND, GROUP, link="perks.my_vouchers",
              subject=_l("Voucher usable again: %(title)s"),
              body=_l("The community office undid the redemption of your voucher “%(title)s”; you can use it again.\n"
                      "Reason: %(reason)s"))
MERCHANT_DECISION_TEXTS = {
    "approve": _l("The community office approved %(merchant)s. You can now publish perks and campaigns and invite "
                  "your staff."),
    "request_changes": _l("The community office asks for changes to the application of %(merchant)s.\n"
                          "What to change: %(reason)s"),
    "reject": _l("The community office did not approve %(merchant)s.\nReason: %(reason)s"),
    "suspend": _l("The community office suspended %(merchant)s: its perks and campaigns are hidden and its "
                  "vouchers cannot be redeemed.\nReason: %(reason)s"),
    "reinstate": _l("The community office reinstated %(merchant)s; its perks and campaigns are shown again."),
}
CAMPAIGN_DECISION_TEXTS = {
    "approve": _l("The community office approved the campaign “%(title)s”; residents can claim it in its claim window."),
    "reject": _l("The community office did not approve the campaign “%(title)s”.\nReason: %(reason)s"),
    "pause": _l("The campaign “%(title)s” was paused: nobody can claim or redeem its vouchers until it resumes."),
    "resume": _l("The campaign “%(title)s” was resumed."),
}

register_kind(MERCHANT_DECIDED_KIND, GROUP, link="merchant.home",
              subject=_l("A decision about your merchant %(merchant)s"),
              body=lambda params: MERCHANT_DECISION_TEXTS.get(params.get("decision"), ""))
register_kind(CAMPAIGN_DECIDED_KIND, GROUP, link="merchant.home",
              subject=_l("A decision about your campaign %(title)s"),
              body=lambda params: CAMPAIGN_DECISION_TEXTS.get(params.get("decision"), ""))

__all__ = ["notify"]
