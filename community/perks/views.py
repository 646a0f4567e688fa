"""Residents' alliance pages: browse perks and campaigns, claim, my vouchers with code and QR."""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.core.clock import local_today, now
from community.core.errors import rerender_on_domain_error
from community.core.pagination import paginate
from community.core.permissions import RESIDENT, role_required
from community.perks import operations as ops
from community.extensions import db
from community.perks import images, presentation, queries, rules
from community.perks.labels import CATEGORY_LABELS
from community.perks.models import CATEGORIES

bp = Blueprint("perks", __name__, url_prefix="/perks")


def _category():
    category = request.args.get("category")
    return category if category in CATEGORIES else None


@bp.route("/")
@role_required(RESIDENT)
def index():
    category = _category()
    search = (request.args.get("q") or "").strip()[:100]
    pagination = paginate(queries.perks_for(current_user, category=category, search=search or None))
    campaigns = db.session.scalars(queries.campaigns_for(current_user, category=category).limit(20)).all()
    return render_template("perks/index.html", pagination=pagination, campaigns=campaigns, category=category,
                           search=search, categories=CATEGORY_LABELS,
                           mine=queries.claimed_by(current_user, [c.id for c in campaigns]),
                           thumbnails=images.first_images([p.id for p in pagination.items]))


@bp.route("/<int:perk_id>")
@role_required(RESIDENT)
def perk(perk_id):
    perk = queries.perk_for(current_user, perk_id)
    return render_template("perks/perk.html", perk=perk, images=images.images_of(perk))


def _campaign_page(campaign, status=200):
    today = local_today(current_user.timezone)
    mine = queries.claimed_by(current_user, [campaign.id]).get(campaign.id, 0)
    return render_template("perks/campaign.html", campaign=campaign, mine=mine,
                           eligible=queries.is_open_to(campaign, current_user, today),
                           window=rules.claim_window_problem(campaign, now())), status


@bp.route("/campaigns/<int:campaign_id>")
@role_required(RESIDENT)
def campaign(campaign_id):
    return _campaign_page(queries.visible_campaign(current_user, campaign_id))


@bp.route("/campaigns/<int:campaign_id>/claim", methods=["POST"])
@role_required(RESIDENT)
def claim(campaign_id):
    campaign = queries.claimable_campaign(campaign_id)
    with rerender_on_domain_error(render=lambda error: _campaign_page(
            queries.visible_campaign(current_user, campaign_id), error.status)):
        voucher = ops.claim(current_user, campaign)
    flash(_("Voucher claimed. Show its code or QR at the counter."), "success")
    return redirect(url_for("perks.voucher", voucher_id=voucher.id))


@bp.route("/vouchers")
@role_required(RESIDENT)
def my_vouchers():
    tab = request.args.get("tab", "active")
    tab = tab if tab in queries.VOUCHER_TABS else "active"
    pagination = paginate(queries.vouchers_for(current_user, tab))
    return render_template("perks/vouchers.html", pagination=pagination, tab=tab)


@bp.route("/vouchers/<int:voucher_id>")
@role_required(RESIDENT)
def voucher(voucher_id):
    return render_template("perks/voucher.html", voucher=queries.voucher_of(current_user, voucher_id))


@bp.route("/vouchers/<int:voucher_id>/qr.svg")
@role_required(RESIDENT)
def voucher_qr(voucher_id):
    """The voucher's code as a QR image (the code itself, so any scanner reads it)."""
    voucher = queries.voucher_of(current_user, voucher_id)
    response = Response(presentation.qr_svg(presentation.code_display(voucher.code)), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-store"
    return response
