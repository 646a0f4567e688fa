"""Perks JSON API under /api/v1 (contract in docs/perks.md): perks, campaigns open to the caller,
claiming, the caller's vouchers, and redemption by staff tokens."""
from flask import current_app
from flask_login import current_user
from flask_smorest import Blueprint

from community.core.api import login_required_api
from community.core.pagination import api_page
from community.extensions import limiter
from community.perks import operations as ops
from community.perks import images, queries
from community.perks.models import Voucher
from community.perks.schemas import (
    CampaignListArgs, CampaignSchema, PerkListArgs, PerkSchema, RedeemArgs, RedeemedSchema, VoucherListArgs,
    VoucherSchema,
)

blp = Blueprint("perks_api", __name__, url_prefix="/api/v1",
                description="Merchant alliance: perks, voucher campaigns, vouchers and redemption")
blp.before_request(login_required_api)


def staff_key() -> str:
    """Lookups are counted per staff account (and, by a second limit, per address)."""
    return f"perks-lookup-user:{current_user.id}"


def account_limit():
    return current_app.config["VOUCHER_LOOKUP_RATE_LIMIT_ACCOUNT"]


def ip_limit():
    return current_app.config["VOUCHER_LOOKUP_RATE_LIMIT_IP"]


def _page(stmt, pagination_parameters):
    return api_page(stmt, pagination_parameters)


@blp.route("/perks")
@blp.arguments(PerkListArgs, location="query")
@blp.response(200, PerkSchema(many=True))
@blp.paginate(page_size=20, max_page_size=100)
def list_perks(args, pagination_parameters):
    """Perks open to the caller (approved merchants, valid today, eligible tier and community)."""
    perks = _page(queries.perks_for(current_user, category=args.get("category"), search=args.get("q")),
                  pagination_parameters)
    images.image_urls(perks)
    return perks


@blp.route("/perks/<int:perk_id>")
@blp.response(200, PerkSchema)
@blp.alt_response(404, description="No such perk, or not open to the caller")
def get_perk(perk_id):
    """One perk, with the merchant's hours and address, and its images."""
    perk = queries.perk_for(current_user, perk_id)
    images.image_urls([perk])
    return perk


@blp.route("/campaigns")
@blp.arguments(CampaignListArgs, location="query")
@blp.response(200, CampaignSchema(many=True))
@blp.paginate(page_size=20, max_page_size=100)
def list_campaigns(args, pagination_parameters):
    """Campaigns open to the caller now, with what remains and how many the caller claimed."""
    campaigns = _page(queries.campaigns_for(current_user, category=args.get("category")), pagination_parameters)
    mine = queries.claimed_by(current_user, [c.id for c in campaigns])
    for campaign in campaigns:
        campaign.claimed_by_me = mine.get(campaign.id, 0)
    return campaigns


@blp.route("/campaigns/<int:campaign_id>/claim", methods=["POST"])
@blp.response(201, VoucherSchema)
@blp.alt_response(409, description="`code` sold_out (none left) or limit_reached (the per-resident limit)")
@blp.alt_response(403, description="The caller's tier or community is not eligible (`not_eligible`), or the "
                                   "caller is not a verified resident (`not_resident`)")
@blp.alt_response(404, description="No such campaign, or not visible (not approved, merchant suspended)")
@blp.alt_response(422, description="Claim window not open (`claim_not_started`, `claim_ended`) or the campaign "
                                   "is paused (`campaign_paused`)")
def claim_campaign(campaign_id):
    """Claim one voucher; its code and QR are the caller's."""
    return ops.claim(current_user, queries.claimable_campaign(campaign_id))


@blp.route("/vouchers")
@blp.arguments(VoucherListArgs, location="query")
@blp.response(200, VoucherSchema(many=True))
@blp.paginate(page_size=20, max_page_size=100)
def list_vouchers(args, pagination_parameters):
    """The caller's vouchers, newest first; ``status`` filters."""
    stmt = queries.vouchers_for(current_user)
    if args.get("status"):
        stmt = stmt.where(Voucher.status == args["status"])
    return _page(stmt, pagination_parameters)


@blp.route("/vouchers/<int:voucher_id>")
@blp.response(200, VoucherSchema)
@blp.alt_response(404, description="No such voucher of the caller")
def get_voucher(voucher_id):
    return queries.voucher_of(current_user, voucher_id)


@blp.route("/vouchers/lookup", methods=["POST"])
@limiter.limit(account_limit, key_func=staff_key)
@limiter.limit(ip_limit)
@blp.arguments(RedeemArgs)
@blp.response(200, RedeemedSchema)
@blp.alt_response(403, description="Not staff, another merchant's voucher, or the merchant is suspended")
@blp.alt_response(404, description="Unknown code (`code_mistyped` when its check character is wrong)")
@blp.alt_response(409, description="Already redeemed (`redeemed_at`, `merchant`)")
@blp.alt_response(422, description="expired, not_yet_valid, revoked or campaign_paused")
@blp.alt_response(429, description="Too many lookups from this account or address")
def lookup_voucher(body):
    """What a code is for and whose it is, before confirming (staff); the same refusals as redeem."""
    return ops.inspect_code(body["code"], actor=current_user)


@blp.route("/vouchers/redeem", methods=["POST"])
@limiter.limit(account_limit, key_func=staff_key)
@limiter.limit(ip_limit)
@blp.arguments(RedeemArgs)
@blp.response(200, RedeemedSchema)
@blp.alt_response(403, description="Not staff (`not_staff`), another merchant's voucher (`other_merchant`) or "
                                   "the merchant is suspended (`merchant_suspended`)")
@blp.alt_response(404, description="Unknown code (`unknown_code`; `code_mistyped` when its check character is wrong)")
@blp.alt_response(409, description="Already redeemed: `redeemed_at` and `merchant` say when and where")
@blp.alt_response(422, description="`expired`, `not_yet_valid`, `revoked` or `campaign_paused`")
@blp.alt_response(429, description="Too many lookups from this account or address")
def redeem_voucher(body):
    """Redeem a voucher at the counter, exactly once (a staff member of its merchant)."""
    return ops.redeem(body["code"], actor=current_user)
