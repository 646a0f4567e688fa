"""Operators' alliance pages: overview, merchant applications and decisions, campaign approval,
hiding perks, and undoing a redemption (within 24 hours, with a reason) or revoking a voucher."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.core.attachments import attachments_of
from community.core.errors import rerender_on_domain_error
from community.core.pagination import paginate
from community.core.permissions import COMMUNITY_ADMIN, PLATFORM_ADMIN, role_required
from community.extensions import db
from community.perks import codes, operations as ops
from community.perks import queries
from community.perks.forms import ReasonForm
from community.perks.models import CAMPAIGN_STATUSES, MERCHANT_STATUSES, Voucher

bp = Blueprint("perks_admin", __name__, url_prefix="/admin/perks")


@bp.before_request
@role_required(COMMUNITY_ADMIN, PLATFORM_ADMIN)
def only_operators():
    return None


@bp.route("/")
def index():
    rows = queries.alliance_overview(current_user)
    pending = db.session.scalar(db.select(db.func.count()).select_from(
        queries.campaigns_for_admin(current_user, "pending").subquery()))
    return render_template("perks/admin/index.html", rows=rows, pending_campaigns=pending,
                           pending_merchants=db.session.scalar(db.select(db.func.count()).select_from(
                               queries.merchants_for_admin(current_user, "pending").subquery())))


@bp.route("/merchants")
def merchants():
    status = request.args.get("status")
    status = status if status in MERCHANT_STATUSES else None
    search = (request.args.get("q") or "").strip()[:100]
    pagination = paginate(queries.merchants_for_admin(current_user, status, search or None))
    return render_template("perks/admin/merchants.html", pagination=pagination, status=status, search=search,
                           statuses=MERCHANT_STATUSES)


def _merchant_page(merchant, status=200):
    return render_template("perks/admin/merchant.html", merchant=merchant, form=ReasonForm(formdata=None),
                           campaigns=queries.merchant_campaigns(merchant), perks=queries.merchant_perks(merchant),
                           grants=queries.staff_grants(merchant),
                           licences=attachments_of(merchant, "licence")), status


@bp.route("/merchants/<int:merchant_id>")
def merchant(merchant_id):
    return _merchant_page(queries.merchant_for_admin(current_user, merchant_id))


@bp.route("/merchants/<int:merchant_id>/campaigns/new", methods=["GET", "POST"])
def new_campaign(merchant_id):
    """An operator creates a campaign on a merchant's behalf: the same operation and the same
    approval as the merchant's own (it waits for approval like any other)."""
    from community.core.clock import zone
    from community.perks.forms import CampaignForm
    from community.perks.merchant_views import _campaign_fields

    merchant = queries.merchant_for_admin(current_user, merchant_id)
    form = CampaignForm()
    if form.validate_on_submit():
        tz = zone(merchant.community.timezone)
        with rerender_on_domain_error("perks/admin/campaign_form.html", form=form, merchant=merchant):
            ops.create_campaign(merchant, actor=current_user, **_campaign_fields(form),
                                claim_starts_at=form.claim_starts_at.data.replace(tzinfo=tz),
                                claim_ends_at=form.claim_ends_at.data.replace(tzinfo=tz))
        flash(_("Campaign created; it waits for approval."), "success")
        return redirect(url_for("perks_admin.merchant", merchant_id=merchant.id))
    return (render_template("perks/admin/campaign_form.html", form=form, merchant=merchant),
            422 if form.errors else 200)


@bp.route("/merchants/<int:merchant_id>/<any(approve, request_changes, reject, suspend, reinstate):action>",
          methods=["POST"])
def decide_merchant(merchant_id, action):
    merchant = queries.merchant_for_admin(current_user, merchant_id)
    form = ReasonForm()
    with rerender_on_domain_error(render=lambda error: _merchant_page(
            queries.merchant_for_admin(current_user, merchant_id), error.status)):
        ops.decide_merchant(merchant, action, actor=current_user, reason=form.reason.data or "")
    flash(_("Decision saved."), "success")
    return redirect(url_for("perks_admin.merchant", merchant_id=merchant.id))


@bp.route("/campaigns")
def campaigns():
    status = request.args.get("status", "pending")
    status = status if status in CAMPAIGN_STATUSES else None
    pagination = paginate(queries.campaigns_for_admin(current_user, status))
    return render_template("perks/admin/campaigns.html", pagination=pagination, status=status,
                           statuses=CAMPAIGN_STATUSES, form=ReasonForm(formdata=None))


@bp.route("/campaigns/<int:campaign_id>/<any(approve, reject, pause, resume):action>", methods=["POST"])
def decide_campaign(campaign_id, action):
    campaign = queries.campaign_for_admin(current_user, campaign_id)
    form = ReasonForm()
    with rerender_on_domain_error(render=lambda error: (render_template(
            "perks/admin/campaigns.html", pagination=paginate(queries.campaigns_for_admin(current_user, None)),
            status=None, statuses=CAMPAIGN_STATUSES, form=form), error.status)):
        ops.decide_campaign(campaign, action, actor=current_user, reason=form.reason.data or "")
    flash(_("Decision saved."), "success")
    return redirect(url_for("perks_admin.campaigns", status=campaign.status))


@bp.route("/perks/<int:perk_id>/<any(hide, show):action>", methods=["POST"])
def hide_perk(perk_id, action):
    perk = queries.perk_for_admin(current_user, perk_id)
    form = ReasonForm()
    with rerender_on_domain_error(render=lambda error: _merchant_page(perk.merchant, error.status)):
        ops.set_perk_hidden(perk, action == "hide", actor=current_user, reason=form.reason.data or "")
    flash(_("Perk hidden.") if action == "hide" else _("Perk shown again."), "success")
    return redirect(url_for("perks_admin.merchant", merchant_id=perk.merchant_id))


def _vouchers_page(voucher=None, status=200, searched=""):
    return render_template("perks/admin/vouchers.html", voucher=voucher, searched=searched,
                           form=ReasonForm(formdata=None)), status


@bp.route("/vouchers")
def vouchers():
    """Find a voucher by its code (to undo a mistaken redemption or revoke it)."""
    searched = (request.args.get("code") or "").strip()[:40]
    voucher = None
    if searched:
        code = codes.normalise(searched)
        found = queries.voucher_by_code(code) if code else None
        voucher = found if found is not None and queries.may_administer(current_user, found.merchant) else None
        if voucher is None:
            flash(_("No voucher in your communities has this code."), "warning")
    return _vouchers_page(voucher, 200, searched)


@bp.route("/vouchers/<int:voucher_id>/<any(undo, revoke):action>", methods=["POST"])
def voucher_action(voucher_id, action):
    voucher = queries.voucher_for_admin(current_user, voucher_id)
    form = ReasonForm()
    with rerender_on_domain_error(render=lambda error: _vouchers_page(
            db.session.get(Voucher, voucher_id), error.status, codes.display(voucher.code))):
        if action == "undo":
            ops.undo_redemption(voucher, actor=current_user, reason=form.reason.data or "")
        else:
            ops.revoke_voucher(voucher, actor=current_user, reason=form.reason.data or "")
    flash(_("Redemption undone.") if action == "undo" else _("Voucher revoked."), "success")
    return redirect(url_for("perks_admin.vouchers", code=codes.display(voucher.code)))
