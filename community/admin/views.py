"""Operator pages. Platform admins see everything; community admins see their own community."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from community.accounts import operations as ops
from community.accounts import queries
from community.accounts.forms import BuildingForm, CommunityForm, GrantRoleForm, TalentForm
from community.accounts.models import Community, RoleGrant, User
from community.core import clock
from community.core.errors import NotFound, rerender_on_domain_error
from community.core.jobs import job_statuses
from community.core.labels import audit_action_choices, audit_domain_choices, audit_names, audit_object_choices
from community.core.pagination import paginate
from community.core.permissions import (
    COMMUNITY_ADMIN, MERCHANT_STAFF, PLATFORM_ADMIN, PLATFORM_ROLES, get_or_404, has_role, role_required,
)
from community.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@role_required(COMMUNITY_ADMIN, PLATFORM_ADMIN)
def only_operators():
    return None


def _community_or_404(community_id) -> Community:
    """A community the operator does not run is answered as if it did not exist."""
    community = get_or_404(Community, community_id)
    if not has_role(current_user, COMMUNITY_ADMIN, community.id):
        raise NotFound()
    return community


@bp.route("/communities")
def communities():
    pagination = paginate(queries.communities_for(current_user))
    form = CommunityForm() if has_role(current_user, PLATFORM_ADMIN) else None
    return render_template("admin/communities.html", pagination=pagination, form=form)


@bp.route("/communities", methods=["POST"])
@role_required(PLATFORM_ADMIN)
def create_community():
    form = CommunityForm()
    pagination = paginate(queries.communities_for(current_user))
    if not form.validate_on_submit():
        return render_template("admin/communities.html", pagination=pagination, form=form), 422
    with rerender_on_domain_error("admin/communities.html", pagination=pagination, form=form):
        community = ops.create_community(name=form.name.data, address=form.address.data or "",
                                         timezone=form.timezone.data, actor=current_user)
    flash(_l("Community %(name)s created.", name=community.name), "success")
    return redirect(url_for("admin.community", community_id=community.id))


@bp.route("/communities/<int:community_id>", methods=["GET", "POST"])
def community(community_id):
    community = _community_or_404(community_id)
    form = BuildingForm()
    if form.validate_on_submit():
        with rerender_on_domain_error("admin/community.html", community=community, form=form):
            building = ops.add_building(community, name=form.name.data, floors=form.floors.data,
                                        actor=current_user)
        flash(_l("Building %(name)s added.", name=building.name), "success")
        return redirect(url_for("admin.community", community_id=community.id))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/community.html", community=community, form=form), status


@bp.route("/users")
def users():
    args = request.args
    stmt = queries.users_for(current_user, search=args.get("q", ""), role=args.get("role", ""),
                             community_id=args.get("community_id", type=int), awaiting=args.get("awaiting") == "1")
    return render_template("admin/users.html", pagination=paginate(stmt), awaits_verification=ops.awaits_verification,
                           communities=db.session.scalars(queries.communities_for(current_user)).all())


def _grant_form():
    return GrantRoleForm(actor=current_user,
                         communities=db.session.scalars(queries.communities_for(current_user)).all())


@bp.route("/roles", methods=["GET", "POST"])
def roles():
    form = _grant_form()
    if not form.validate_on_submit():
        return render_template("admin/roles.html", form=form), 422 if form.is_submitted() else 200
    if form.role.data == MERCHANT_STAFF:
        return _grant_merchant_staff(form)
    community = db.session.get(Community, form.community_id.data) if form.community_id.data else None
    if community is None and form.role.data not in PLATFORM_ROLES:
        form.community_id.errors.append(_l("Choose the community this role applies to."))
        return render_template("admin/roles.html", form=form), 422
    with rerender_on_domain_error("admin/roles.html", form=form):
        # Checked before looking the login up, so the form reveals no accounts.
        ops.ensure_may_manage_role(current_user, form.role.data, community.id if community else None)
        user = ops.find_grantee(current_user, form.login.data, community.id if community else None)
        if user is None:
            form.login.errors.append(_no_grantee_message())
            return render_template("admin/roles.html", form=form), 422
        ops.grant_role(user, form.role.data, community, actor=current_user)
    flash(_l("Role granted to %(name)s.", name=user.display_name), "success")
    return redirect(url_for("admin.user", user_id=user.id))


def _grant_merchant_staff(form):
    """Merchant staff works for one merchant: the form names one of the approved merchants it
    offered (never a community, now that merchants exist)."""
    offered = {choice.value for choice in form.merchant_id.choices if choice.value}
    if not form.merchant_id.data or form.merchant_id.data not in offered:
        form.merchant_id.errors.append(_l("Choose the merchant this person works for."))
        return render_template("admin/roles.html", form=form), 422
    with rerender_on_domain_error("admin/roles.html", form=form):
        ops.ensure_may_manage_role(current_user, MERCHANT_STAFF, None)
        user = ops.find_grantee(current_user, form.login.data, None)
        if user is None:
            form.login.errors.append(_no_grantee_message())
            return render_template("admin/roles.html", form=form), 422
        ops.grant_role(user, MERCHANT_STAFF, None, merchant_id=form.merchant_id.data, actor=current_user)
    flash(_l("Role granted to %(name)s.", name=user.display_name), "success")
    return redirect(url_for("admin.user", user_id=user.id))


def _no_grantee_message():
    """An unknown login and a person outside the admin's community get the same words; a platform
    admin, who may grant to anyone, is told the account does not exist."""
    if has_role(current_user, PLATFORM_ADMIN):
        return _l("No account with this e-mail or mobile number.")
    return _l("No member of this community has this e-mail or mobile number.")


def _user_in_scope(user_id) -> User:
    user = get_or_404(User, user_id)
    in_scope = db.session.scalar(queries.users_for(current_user).where(User.id == user.id))
    if in_scope is None:
        raise NotFound()
    return user


def _user_page(user, form=None):
    """The template and context of a user's page, for showing it and for re-rendering it. Only
    the grants the viewer may remove get a Remove button (a button that answers 403 is a dead end)."""
    return "admin/user.html", {
        "user": user, "grants": queries.visible_grants(current_user, user),
        "form": form or TalentForm(obj=user.talent), "awaiting": ops.awaits_verification(user),
        "can_set_talent": ops.may_set_talent(current_user, user),
        "may_remove": lambda grant: ops.may_manage_role(current_user, grant.role, grant.community_id),
    }


def _refused_on_user_page(user):
    """Inside the block, an operation's refusal shows the user's page again with its message and
    its 4xx status. rerender_on_domain_error rolls back what the failed operation flushed (a grant,
    a removal, an audit row) before the page is drawn, so it shows what is stored."""

    def draw(_error):
        template, context = _user_page(user)
        return render_template(template, **context)

    return rerender_on_domain_error(render=draw)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id):
    user = _user_in_scope(user_id)
    talent = user.talent
    form = TalentForm(obj=talent)
    if form.validate_on_submit():
        # The office's correction goes through the talent registry (an entry with a certificate
        # number, revoked when the tier is cleared), recorded with its note. A refusal (another
        # community's person) is the 403 error page; the unit of work rolls it back.
        from community.talent.operations import correct

        correct(user, talent_type=form.talent_type.data or None, tier=form.tier.data or None,
                valid_until=form.valid_until.data, note=form.note.data or "", actor=current_user)
        flash(_l("Talent profile saved."), "success")
        return redirect(url_for("admin.user", user_id=user.id))
    template, context = _user_page(user, form)
    return render_template(template, **context), 422 if form.is_submitted() else 200


@bp.route("/users/<int:user_id>/verify", methods=["POST"])
def verify(user_id):
    user = _user_in_scope(user_id)
    with _refused_on_user_page(user):
        ops.verify_resident(user, actor=current_user)
    flash(_l("%(name)s is now a resident of %(community)s.", name=user.display_name, community=user.community.name),
          "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.route("/grants/<int:grant_id>/revoke", methods=["POST"])
def revoke(grant_id):
    grant = _grant_in_scope(grant_id)
    ops.ensure_may_manage_role(current_user, grant.role, grant.community_id)
    user = grant.user
    with _refused_on_user_page(user):
        ops.revoke_role(grant, actor=current_user)
    flash(_l("Role removed."), "success")
    return redirect(url_for("admin.user", user_id=user.id))


def _grant_in_scope(grant_id) -> RoleGrant:
    """A grant of a person the operator does not see, or held in a community the operator does
    not run, is answered as if it did not exist."""
    grant = get_or_404(RoleGrant, grant_id)
    _user_in_scope(grant.user_id)
    if grant.community_id is not None and not has_role(current_user, COMMUNITY_ADMIN, grant.community_id):
        raise NotFound()
    return grant


@bp.route("/audit")
def audit():
    args = request.args
    stmt = queries.audit_for(current_user, action=args.get("action", ""), actor=args.get("actor", ""),
                             domain=args.get("domain", ""), object_type=args.get("object_type", ""),
                             community_id=args.get("community_id", type=int))
    pagination = paginate(stmt)
    return render_template(
        "admin/audit.html", pagination=pagination,
        names=audit_names(pagination.items, current_user),
        # The menus list what the domains registered, not a DISTINCT scan of the whole log.
        domains=audit_domain_choices(), actions=audit_action_choices(), object_types=audit_object_choices(),
        communities=db.session.scalars(queries.communities_for(current_user)).all(),
    )


@bp.route("/jobs")
@role_required(PLATFORM_ADMIN)
def jobs():
    """Every registered background job and its last run: jobs serve every community, so this is
    the platform operators' page only."""
    return render_template("admin/jobs.html", statuses=job_statuses(clock.now()))
