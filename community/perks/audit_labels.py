"""Display names for the audit entries perks operations write (see core.labels)."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from community.core.labels import AuditName, register_audit_labels
from community.extensions import db
from community.perks.labels import decision_label, status_label
from community.perks.models import Campaign, Merchant, Perk, Voucher


def _names(model, column):
    def resolve(ids, viewer):
        rows = db.session.execute(sa.select(model.id, column).where(model.id.in_(ids)))
        return {row[0]: AuditName(row[1], None) for row in rows}

    return resolve


def voucher_names(ids, viewer):
    rows = db.session.execute(sa.select(Voucher.id, Campaign.title).join(Campaign, Campaign.id == Voucher.campaign_id)
                              .where(Voucher.id.in_(ids)))
    return {row[0]: AuditName(f"{row[1]} #{row[0]}", None) for row in rows}


register_audit_labels(
    "perks",
    label=lazy_pgettext("perks", "Merchant alliance"),
    actions={
        "perks.merchant_applied": _l("Merchant applied"),
        "perks.merchant_updated": _l("Merchant application changed"),
        "perks.merchant_decided": _l("Merchant decision"),
        "perks.staff_invited": _l("Staff invited"),
        "perks.staff_joined": _l("Staff joined"),
        "perks.staff_removed": _l("Staff removed"),
        "perks.perk_created": _l("Perk created"),
        "perks.perk_hidden": _l("Perk hidden"),
        "perks.perk_shown": _l("Perk shown again"),
        "perks.campaign_created": _l("Campaign created"),
        "perks.campaign_decided": _l("Campaign decision"),
        "perks.voucher_claimed": _l("Voucher claimed"),
        "perks.voucher_redeemed": _l("Voucher redeemed"),
        "perks.redemption_undone": _l("Redemption undone"),
        "perks.voucher_revoked": _l("Voucher revoked"),
    },
    objects={"Merchant": lazy_pgettext("perks", "Merchant"), "Perk": lazy_pgettext("perks", "Perk"),
             "Campaign": lazy_pgettext("perks", "Campaign"), "Voucher": lazy_pgettext("perks", "Voucher"),
             "StaffInvitation": _l("Staff invitation"), "ClaimCount": _l("Claim count")},
    details={
        "name": lazy_pgettext("perks", "Name"), "decision": lazy_pgettext("perks", "Decision"),
        "status_before": _l("Status before"), "reason": lazy_pgettext("perks", "Reason"),
        "email": lazy_pgettext("perks", "E-mail"), "invitation_id": _l("Invitation"),
        "user_id": lazy_pgettext("perks", "Person"), "title": lazy_pgettext("perks", "Title"),
        "total": _l("Vouchers in total"), "campaign_id": lazy_pgettext("perks", "Campaign"),
        "merchant_id": lazy_pgettext("perks", "Merchant"), "redeemed_at": _l("Redeemed at"),
        "redeemed_by_id": _l("Redeemed by"),
    },
    values={"decision": decision_label, "status_before": status_label},
    refs={"user_id": "accounts.User", "redeemed_by_id": "accounts.User", "campaign_id": "perks.Campaign",
          "merchant_id": "perks.Merchant"},
    names={"Merchant": _names(Merchant, Merchant.name), "Perk": _names(Perk, Perk.title),
           "Campaign": _names(Campaign, Campaign.title), "Voucher": voucher_names},
)
