from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from community.accounts.models import TALENT_TIERS, TALENT_TYPES
from community.accounts.operations import may_manage_role, password_problems
from community.core.forms import PageForm, choices, number_in_range
from community.core.labels import merchant_choices, role_label, talent_tier_label, talent_type_label
from community.core.permissions import PLATFORM_ADMIN, ROLES


class PasswordStrength:
    def __init__(self, login_field=None):
        self.login_field = login_field

    def __call__(self, form, field):
        login = form[self.login_field].data if self.login_field else ""
        problems = password_problems(field.data or "", login or "")
        if problems:
            from wtforms.validators import ValidationError

            raise ValidationError(" ".join(str(p) for p in problems))


class RegistrationForm(PageForm):
    login = StringField(_l("E-mail or mobile number"), validators=[DataRequired(), Length(max=255)])
    display_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=80)])
    community_id = SelectField(_l("Community"), coerce=int, validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired(), PasswordStrength("login")],
                             description=_l("At least 8 characters, with letters and digits."))
    confirm = PasswordField(_l("Repeat password"),
                            validators=[DataRequired(), EqualTo("password", _l("The passwords do not match."))])
    submit = SubmitField(_l("Create account"))


class LoginForm(PageForm):
    login = StringField(_l("E-mail or mobile number"), validators=[DataRequired(), Length(max=255)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me logged in"))
    submit = SubmitField(_l("Log in"))


class ForgotPasswordForm(PageForm):
    login = StringField(_l("E-mail address"), validators=[DataRequired(), Length(max=255)])
    submit = SubmitField(_l("Send reset link"))


class ResetPasswordForm(PageForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), PasswordStrength()])
    confirm = PasswordField(_l("Repeat new password"),
                            validators=[DataRequired(), EqualTo("password", _l("The passwords do not match."))])
    submit = SubmitField(_l("Set new password"))


class ChangePasswordForm(PageForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=[DataRequired(), PasswordStrength()])
    confirm = PasswordField(_l("Repeat new password"),
                            validators=[DataRequired(), EqualTo("password", _l("The passwords do not match."))])
    submit = SubmitField(_l("Change password"))


class ProfileForm(PageForm):
    display_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=80)])
    locale = SelectField(_l("Language"))

    def __init__(self, *args, **kwargs):
        from flask import current_app

        super().__init__(*args, **kwargs)
        self.locale.choices = choices(current_app.config["LANGUAGES"].items())
    submit = SubmitField(_l("Save"))


class ApiTokenForm(PageForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=80)],
                       description=_l("What the token is for, e.g. “monthly report script”."))
    submit = SubmitField(_l("Create token"))


class CommunityForm(PageForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=255)])
    timezone = StringField(_l("Time zone"), default="Asia/Shanghai", validators=[DataRequired(), Length(max=64)])
    submit = SubmitField(_l("Create community"))


class BuildingForm(PageForm):
    name = StringField(_l("Building name"), validators=[DataRequired(), Length(max=120)])
    floors = IntegerField(_l("Floors"), default=1,
                          validators=number_in_range(1, 200, _l("Say how many floors: a whole number from 1 to 200.")))
    submit = SubmitField(_l("Add building"))


class GrantRoleForm(PageForm):
    """Offers only the roles and communities ``actor`` may grant (accounts.operations.may_manage_role):
    a community admin is not shown platform admin. What is submitted is not held to the menus
    (validate_choice=False) but to the same rules in grant_role, so a forged or stale choice is
    refused with the rule's own message on the form again, like every other refusal."""

    login = StringField(_l("User's e-mail or mobile number"), validators=[DataRequired(), Length(max=255)])
    role = SelectField(_l("Role"), validate_choice=False)
    community_id = SelectField(_l("Community"), coerce=int, validators=[Optional()], validate_choice=False)
    merchant_id = SelectField(_l("Merchant (merchant staff only)"), coerce=int, validators=[Optional()],
                              validate_choice=False)
    submit = SubmitField(_l("Grant role"))

    def __init__(self, *args, actor, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        scopes = [None] + [c.id for c in communities]
        self.role.choices = choices((r, role_label(r)) for r in grantable_roles(actor, scopes))
        offered = [(c.id, c.name) for c in communities]
        if may_manage_role(actor, PLATFORM_ADMIN, None):
            offered.insert(0, (0, _l("— none (platform admin and talent reviewer apply everywhere)")))
        self.community_id.choices = choices(offered)
        scope = None if may_manage_role(actor, PLATFORM_ADMIN, None) else [c.id for c in communities]
        self.merchant_id.choices = choices([(0, _l("— none"))] + merchant_choices(scope))


def grantable_roles(actor, scopes) -> list[str]:
    """The roles ``actor`` may grant in at least one of ``scopes`` (community ids, None: everywhere)."""
    return [role for role in ROLES if any(may_manage_role(actor, role, scope) for scope in scopes)]


class TalentForm(PageForm):
    talent_type = SelectField(_l("Talent type"), validators=[Optional()])
    tier = SelectField(_l("Tier"), validators=[Optional()])
    valid_until = DateField(_l("Valid until"), validators=[Optional()])
    note = StringField(_l("Reason for the correction"), validators=[Optional(), Length(max=500)],
                       description=_l("Kept in the talent registry's record. Clearing the tier revokes it."))
    submit = SubmitField(_l("Save talent profile"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.talent_type.choices = choices([("", "—")] + [(t, talent_type_label(t)) for t in TALENT_TYPES])
        self.tier.choices = choices([("", "—")] + [(t, talent_tier_label(t)) for t in TALENT_TIERS])
