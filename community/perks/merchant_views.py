"""The merchant's pages: apply, home, the counter (scan or type a code, confirm), campaigns with
their per-day chart and CSV, perks, staff and invitations. Staff see only their own merchant."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.accounts.models import Community, RoleGrant
from community.core.csv_export import csv_response
from community.core.errors import NotFound, PermissionDenied, rerender_on_domain_error
from community.core.forms import choices
from community.core.money import parse_yuan
from community.core.permissions import login_required
from community.extensions import db, limiter
from community.perks import operations as ops
from community.perks import queries
from community.perks.api import account_limit, ip_limit, staff_key
from community.perks import images
from community.perks.forms import (
    CampaignForm, CodeForm, InviteForm, MerchantApplicationForm, PerkForm, PerkImagesForm,
)
from community.perks.models import M_CHANGES, M_PENDING
from community.perks.operations.merchants import application_fields

bp = Blueprint("merchant", __name__, url_prefix="/merchant")


def _merchant(merchant_id, *, approved=True):
    merchant = queries.staff_merchant(current_user, merchant_id)
    if approved and not queries.is_staff_of(current_user, merchant_id):
        raise NotFound()
    return merchant


@bp.route("/")
@login_required
def home():
    return render_template("perks/merchant/home.html", merchants=queries.merchants_of_user(current_user))


def _application_form(obj=None):
    form = MerchantApplicationForm(data=obj)
    form.community_id.choices = choices((c.id, c.name) for c in
                                        db.session.scalars(db.select(Community).order_by(Community.name)))
    return form


@bp.route("/apply", methods=["GET", "POST"])
@login_required
def apply():
    form = _application_form()
    if form.validate_on_submit():
        community = db.session.get(Community, form.community_id.data)
        with rerender_on_domain_error("perks/merchant/apply.html", form=form, merchant=None):
            merchant = ops.apply_merchant(current_user, community, licence_image=form.licence_image.data,
                                          **form.fields_for_operation())
        flash(_("Application sent. The community office will answer here and by e-mail."), "success")
        return redirect(url_for("merchant.dashboard", merchant_id=merchant.id))
    return render_template("perks/merchant/apply.html", form=form, merchant=None), 422 if form.errors else 200


@bp.route("/<int:merchant_id>/application", methods=["GET", "POST"])
@login_required
def edit_application(merchant_id):
    merchant = queries.staff_merchant(current_user, merchant_id)
    if merchant.owner_id != current_user.id or merchant.status not in (M_PENDING, M_CHANGES):
        raise NotFound()
    form = _application_form(obj=None if request.method == "POST" else
                             {**application_fields(merchant), "community_id": merchant.community_id})
    form.community_id.render_kw = {"disabled": True}
    form.community_id.validators = []
    del form.licence_image  # kept from the application; the office asks again if it is unreadable
    if request.method == "POST":
        form.community_id.data = merchant.community_id
    if form.validate_on_submit():
        with rerender_on_domain_error("perks/merchant/apply.html", form=form, merchant=merchant):
            ops.update_application(merchant, actor=current_user, **form.fields_for_operation())
        flash(_("Application updated and sent again."), "success")
        return redirect(url_for("merchant.dashboard", merchant_id=merchant.id))
    return render_template("perks/merchant/apply.html", form=form, merchant=merchant), 422 if form.errors else 200


@bp.route("/<int:merchant_id>/")
@login_required
def dashboard(merchant_id):
    merchant = queries.staff_merchant(current_user, merchant_id)
    return render_template("perks/merchant/dashboard.html", merchant=merchant,
                           campaigns=queries.merchant_campaigns(merchant), perks=queries.merchant_perks(merchant),
                           is_staff=queries.is_staff_of(current_user, merchant.id))


def _counter_page(merchant, form, voucher=None, status=200, error=None):
    return render_template("perks/merchant/counter.html", merchant=merchant, form=form, voucher=voucher,
                           refusal=error), status


@bp.route("/<int:merchant_id>/counter", methods=["GET", "POST"])
@login_required
@limiter.limit(account_limit, key_func=staff_key, methods=["POST"])
@limiter.limit(ip_limit, methods=["POST"])
def counter(merchant_id):
    """Type (or scan) a code: see what it is for and whose, then confirm."""
    merchant = _merchant(merchant_id)
    form = CodeForm()
    if form.validate_on_submit():
        with rerender_on_domain_error(render=lambda error: _counter_page(merchant, form, status=error.status,
                                                                         error=error)):
            voucher = ops.inspect_code(form.code.data, actor=current_user)
            if voucher.merchant_id != merchant.id:
                raise PermissionDenied(_("This voucher is for another merchant."),
                                                    code="other_merchant")
        return _counter_page(merchant, form, voucher)
    return _counter_page(merchant, form, status=422 if form.errors else 200)


@bp.route("/<int:merchant_id>/redeem", methods=["POST"])
@login_required
@limiter.limit(account_limit, key_func=staff_key)
@limiter.limit(ip_limit)
def redeem(merchant_id):
    merchant = _merchant(merchant_id)
    form = CodeForm()
    if not form.validate_on_submit():
        return _counter_page(merchant, form, status=422)
    with rerender_on_domain_error(render=lambda error: _counter_page(merchant, CodeForm(formdata=None),
                                                                     status=error.status, error=error)):
        voucher = ops.redeem(form.code.data, actor=current_user)
    flash(_("Redeemed: %(title)s.", title=voucher.campaign.title), "success")
    return redirect(url_for("merchant.counter", merchant_id=merchant.id))


def _campaign_fields(form):
    return dict(title=form.title.data, benefit=form.benefit.data, total=form.total.data,
                per_resident_limit=form.per_resident_limit.data, face_value_fen=parse_yuan(str(form.face_value.data)),
                funded_by=form.funded_by.data, validity=form.validity.data, valid_from=form.valid_from.data,
                valid_until=form.valid_until.data, valid_days=form.valid_days.data, terms=form.terms.data,
                eligible_tiers=form.eligible_tiers.data or [])


@bp.route("/<int:merchant_id>/campaigns/new", methods=["GET", "POST"])
@login_required
def new_campaign(merchant_id):
    from community.core.clock import zone

    merchant = _merchant(merchant_id)
    form = CampaignForm()
    if form.validate_on_submit():
        tz = zone(merchant.community.timezone)
        with rerender_on_domain_error("perks/merchant/campaign_form.html", form=form, merchant=merchant):
            campaign = ops.create_campaign(merchant, actor=current_user, **_campaign_fields(form),
                                           claim_starts_at=form.claim_starts_at.data.replace(tzinfo=tz),
                                           claim_ends_at=form.claim_ends_at.data.replace(tzinfo=tz))
        flash(_("Campaign sent for approval."), "success")
        return redirect(url_for("merchant.campaign", merchant_id=merchant.id, campaign_id=campaign.id))
    return (render_template("perks/merchant/campaign_form.html", form=form, merchant=merchant),
            422 if form.errors else 200)


@bp.route("/<int:merchant_id>/campaigns/<int:campaign_id>")
@login_required
def campaign(merchant_id, campaign_id):
    merchant = _merchant(merchant_id)
    campaign = queries.merchant_campaign(merchant, campaign_id)
    return render_template("perks/merchant/campaign.html", merchant=merchant, campaign=campaign,
                           days=queries.daily_counts(campaign, merchant.community.timezone))


@bp.route("/<int:merchant_id>/campaigns/<int:campaign_id>/<any(pause, resume):action>", methods=["POST"])
@login_required
def pause_campaign(merchant_id, campaign_id, action):
    merchant = _merchant(merchant_id)
    campaign = queries.merchant_campaign(merchant, campaign_id)
    with rerender_on_domain_error(render=lambda error: (render_template(
            "perks/merchant/campaign.html", merchant=merchant, campaign=campaign,
            days=queries.daily_counts(campaign, merchant.community.timezone)), error.status)):
        ops.decide_campaign(campaign, action, actor=current_user)
    flash(_("Campaign paused.") if action == "pause" else _("Campaign resumed."), "success")
    return redirect(url_for("merchant.campaign", merchant_id=merchant.id, campaign_id=campaign.id))


@bp.route("/<int:merchant_id>/campaigns/<int:campaign_id>/vouchers.csv")
@login_required
def campaign_csv(merchant_id, campaign_id):
    """Every voucher of the campaign (UTF-8 with BOM, so spreadsheet programs read the Chinese)."""
    from zoneinfo import ZoneInfo

    from community.perks.labels import status_label
    from community.perks.presentation import code_display
    from community.perks.rules import mask_name

    merchant = _merchant(merchant_id)
    campaign = queries.merchant_campaign(merchant, campaign_id)
    tz = ZoneInfo(merchant.community.timezone)
    rows = ([voucher.id, code_display(voucher.code)[-4:].rjust(19, "•"), mask_name(voucher.user.display_name),
             str(status_label(voucher.status)), voucher.claimed_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
             voucher.redeemed_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if voucher.redeemed_at else ""]
            for voucher in db.session.scalars(queries.campaign_vouchers(campaign)))
    return csv_response(f"campaign-{campaign.id}.csv",
                        [_("Voucher"), _("Code"), _("Holder"), _("Status"), _("Claimed at"), _("Redeemed at")], rows)


@bp.route("/<int:merchant_id>/perks/new", methods=["GET", "POST"])
@login_required
def new_perk(merchant_id):
    merchant = _merchant(merchant_id)
    form = PerkForm()
    if form.validate_on_submit():
        with rerender_on_domain_error("perks/merchant/perk_form.html", form=form, merchant=merchant):
            perk = ops.create_perk(merchant, actor=current_user, title=form.title.data, category=form.category.data,
                                   description=form.description.data, discount_text=form.discount_text.data,
                                   terms=form.terms.data, valid_from=form.valid_from.data,
                                   valid_until=form.valid_until.data, eligible_tiers=form.eligible_tiers.data or [])
            images.add_images(perk, form.images.data, actor=current_user)
        flash(_("Perk published."), "success")
        return redirect(url_for("merchant.dashboard", merchant_id=merchant.id))
    return render_template("perks/merchant/perk_form.html", form=form, merchant=merchant), 422 if form.errors else 200


def _merchant_perk(merchant_id, perk_id):
    merchant = _merchant(merchant_id)
    perk = next((p for p in queries.merchant_perks(merchant) if p.id == perk_id), None)
    if perk is None:
        raise NotFound()
    return merchant, perk


def _images_page(merchant, perk, form, status=200):
    return render_template("perks/merchant/perk_images.html", merchant=merchant, perk=perk, form=form,
                           images=images.images_of(perk), max_images=images.MAX_IMAGES), status


@bp.route("/<int:merchant_id>/perks/<int:perk_id>/images", methods=["GET", "POST"])
@login_required
def perk_images(merchant_id, perk_id):
    """The images of one of the merchant's perks: add (type- and size-checked) and remove."""
    merchant, perk = _merchant_perk(merchant_id, perk_id)
    form = PerkImagesForm()
    if form.validate_on_submit():
        with rerender_on_domain_error(render=lambda error: _images_page(merchant, perk, form, error.status)):
            added = images.add_images(perk, form.images.data, actor=current_user)
        if added:
            flash(_("Images added."), "success")
        return redirect(url_for("merchant.perk_images", merchant_id=merchant.id, perk_id=perk.id))
    return _images_page(merchant, perk, form, 422 if form.errors else 200)


@bp.route("/<int:merchant_id>/perks/<int:perk_id>/images/<int:attachment_id>/remove", methods=["POST"])
@login_required
def remove_perk_image(merchant_id, perk_id, attachment_id):
    merchant, perk = _merchant_perk(merchant_id, perk_id)
    with rerender_on_domain_error(render=lambda error: _images_page(merchant, perk, PerkImagesForm(formdata=None),
                                                                    error.status)):
        images.remove_image(perk, attachment_id, actor=current_user)
    flash(_("Image removed."), "success")
    return redirect(url_for("merchant.perk_images", merchant_id=merchant.id, perk_id=perk.id))


def _staff_page(merchant, form, status=200):
    return render_template("perks/merchant/staff.html", merchant=merchant, form=form,
                           grants=queries.staff_grants(merchant)), status


@bp.route("/<int:merchant_id>/staff", methods=["GET", "POST"])
@login_required
def staff(merchant_id):
    merchant = _merchant(merchant_id)
    form = InviteForm()
    if form.validate_on_submit():
        with rerender_on_domain_error(render=lambda error: _staff_page(merchant, form, error.status)):
            ops.invite_staff(merchant, form.email.data, actor=current_user)
        flash(_("Invitation sent to %(email)s.", email=form.email.data), "success")
        return redirect(url_for("merchant.staff", merchant_id=merchant.id))
    return _staff_page(merchant, form, 422 if form.errors else 200)


@bp.route("/<int:merchant_id>/staff/<int:grant_id>/remove", methods=["POST"])
@login_required
def remove_staff(merchant_id, grant_id):
    merchant = _merchant(merchant_id)
    grant = db.session.get(RoleGrant, grant_id)
    if grant is None or grant.merchant_id != merchant.id:
        raise NotFound()
    with rerender_on_domain_error(render=lambda error: _staff_page(merchant, InviteForm(formdata=None),
                                                                   error.status)):
        ops.remove_staff(merchant, grant, actor=current_user)
    flash(_("Removed from the staff."), "success")
    return redirect(url_for("merchant.staff", merchant_id=merchant.id))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@login_required
def accept_invitation(token):
    from community.perks.operations.merchants import invitation_for

    invitation = invitation_for(token)
    if request.method == "POST":
        with rerender_on_domain_error("perks/merchant/invitation.html", invitation=invitation):
            ops.accept_invitation(token, user=current_user)
        flash(_("You are now staff of %(merchant)s.", merchant=invitation.merchant.name), "success")
        return redirect(url_for("merchant.dashboard", merchant_id=invitation.merchant_id))
    return render_template("perks/merchant/invitation.html", invitation=invitation)

