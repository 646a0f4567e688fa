"""Display names of the alliance's stored codes (categories, statuses)."""
from flask_babel import lazy_pgettext

CATEGORY_LABELS = {
    "food": lazy_pgettext("perks", "Food"), "lodging": lazy_pgettext("perks", "Lodging"),
    "travel": lazy_pgettext("perks", "Travel"), "shopping": lazy_pgettext("perks", "Shopping"),
    "leisure": lazy_pgettext("perks", "Leisure"),
}
STATUS_LABELS = {
    "pending": lazy_pgettext("perks", "Waiting for approval"),
    "changes_requested": lazy_pgettext("perks", "Changes requested"),
    "approved": lazy_pgettext("perks", "Approved"), "rejected": lazy_pgettext("perks", "Rejected"),
    "suspended": lazy_pgettext("perks", "Suspended"), "paused": lazy_pgettext("perks", "Paused"),
    "active": lazy_pgettext("perks", "Active"), "redeemed": lazy_pgettext("perks", "Used"),
    "expired": lazy_pgettext("perks", "Expired"), "revoked": lazy_pgettext("perks", "Revoked"),
}
FUNDER_LABELS = {"merchant": lazy_pgettext("perks", "The merchant"),
                 "government": lazy_pgettext("perks", "Government subsidy")}
DECISION_LABELS = {
    "approve": lazy_pgettext("perks", "approved"), "request_changes": lazy_pgettext("perks", "changes requested"),
    "reject": lazy_pgettext("perks", "rejected"), "suspend": lazy_pgettext("perks", "suspended"),
    "reinstate": lazy_pgettext("perks", "reinstated"), "pause": lazy_pgettext("perks", "paused"),
    "resume": lazy_pgettext("perks", "resumed"),
}


def category_label(code):
    return CATEGORY_LABELS.get(code, code)


def status_label(code):
    return STATUS_LABELS.get(code, code)


def funder_label(code):
    return FUNDER_LABELS.get(code, code)


def decision_label(code):
    return DECISION_LABELS.get(code, code)


def merchant_name(merchant_id):
    """core.labels' merchant resolver: the merchant's name (a get from the identity map when the
    page loaded it), None for an id no merchant holds."""
    from community.extensions import db
    from community.perks.models import Merchant

    merchant = db.session.get(Merchant, int(merchant_id)) if str(merchant_id).isdigit() else None
    return merchant.name if merchant is not None else None


def approved_merchant_choices(community_ids):
    """core.labels' merchant choices: (id, name) of approved merchants of ``community_ids`` (None: all)."""
    import sqlalchemy as sa

    from community.extensions import db
    from community.perks.models import M_APPROVED, Merchant

    stmt = sa.select(Merchant.id, Merchant.name).where(Merchant.status == M_APPROVED).order_by(Merchant.name)
    if community_ids is not None:
        stmt = stmt.where(Merchant.community_id.in_(list(community_ids)))
    return [(row.id, row.name) for row in db.session.execute(stmt)]
