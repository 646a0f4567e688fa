"""Pages: a person's notices (the header count, the list, mark read), their e-mail preferences,
and the platform admin's development mail page (the outbox)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import BooleanField, SubmitField

from community.core.forms import PageForm
from community.core.pagination import paginate
from community.core.permissions import PLATFORM_ADMIN, ensure_role
from community.notifications import operations as ops
from community.notifications import queries
from community.notifications.kinds import group_is_locked, groups
from community.notifications.models import SKIPPED_NO_SERVER
from community.notifications.texts import notice_path, render_notice

bp = Blueprint("notifications", __name__)



@bp.app_template_global("unread_notice_count")
def unread_notice_count():
    """The header badge's number (None for anonymous visitors); one query per request."""
    return queries.unread_count_for_page(current_user)


# -- the notices list -----------------------------------------------------------------------------

def shown(notice):
    """A notice as the list shows it, written out now in the reader's language."""
    return {"notice": notice, "text": render_notice(notice, reader_tz=current_user.timezone),
            "url": notice_path(notice)}


@bp.route("/notifications")
@login_required
def index():
    pagination = paginate(queries.notices_for(current_user))
    return render_template("notifications/index.html", pagination=pagination,
                           entries=[shown(n) for n in pagination.items])


def back_to_list():
    page = request.form.get("page", type=int)
    return redirect(url_for("notifications.index", page=page) if page and page > 1
                    else url_for("notifications.index"))


@bp.route("/notifications/<int:notice_id>/read", methods=["POST"])
@login_required
def mark_read(notice_id):
    ops.mark_read(queries.notice_for(current_user, notice_id), user=current_user)
    return back_to_list()


@bp.route("/notifications/<int:notice_id>/open", methods=["POST"])
@login_required
def open_notice(notice_id):
    """Follow a notice to its object, marking it read on the way."""
    notice = ops.mark_read(queries.notice_for(current_user, notice_id), user=current_user)
    target = notice_path(notice)
    return redirect(target) if target else back_to_list()


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def mark_all_read():
    count = ops.mark_all_read(current_user)
    flash(_l("%(count)d notices marked as read.", count=count) if count else _l("Nothing was unread."), "success")
    return back_to_list()


# -- e-mail preferences ---------------------------------------------------------------------------

def preferences_form(choices: dict[str, bool]) -> PageForm:
    """One switch per registered event group; a group of security e-mails only shows as on."""

    class PreferencesForm(PageForm):
        submit = SubmitField(_l("Save"))

    for group in groups():
        setattr(PreferencesForm, f"email_{group.name}",
                BooleanField(group.label, default=choices[group.name], description=group.description,
                             render_kw={"disabled": True} if group_is_locked(group.name) else None))
    # Explicit form data on a POST: a form with every switch off sends no field at all (without
    # CSRF, in tests, nothing), which Flask-WTF would read as "not sent" and fill with the defaults.
    return PreferencesForm(formdata=request.form if request.method == "POST" else None)


@bp.route("/profile/notifications", methods=["GET", "POST"])
@login_required
def preferences():
    form = preferences_form(ops.email_choices(current_user))
    if not form.validate_on_submit():
        return render_template("notifications/preferences.html", form=form, locked=group_is_locked,
                               groups=groups()), 422 if form.is_submitted() else 200
    wanted = {group.name: form[f"email_{group.name}"].data for group in groups()}
    ops.set_email_preferences(current_user, wanted, actor=current_user)
    flash(_l("Your e-mail preferences have been saved."), "success")
    return redirect(url_for("notifications.preferences"))


# -- development mail: the outbox, for platform admins --------------------------------------------

@bp.route("/admin/outbox")
@login_required
def outbox():
    ensure_role(PLATFORM_ADMIN)
    return render_template("notifications/outbox.html", pagination=paginate(queries.outbox_messages()),
                           no_server=SKIPPED_NO_SERVER)


@bp.route("/admin/outbox/<int:message_id>")
@login_required
def outbox_message(message_id):
    """Subject and body of one e-mail. The body is shown only until the e-mail is delivered: from
    then on it belongs to its recipient (a reset link in it is theirs to use)."""
    ensure_role(PLATFORM_ADMIN)
    message = queries.outbox_message(message_id)
    return render_template("notifications/outbox_message.html", message=message,
                           show_body=message.sent_at is None)
