"""Forms of the talent pages: they parse what a person typed; the rules live in the operations."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from community.core.forms import PageForm, choices, number_in_range
from community.core.labels import TALENT_TIER_LABELS
from community.talent.labels import REVOKE_REASON_LABELS, stored_name
from community.talent.models import REVIEW, STAGE_ROLES, TIERS


class ApplicationForm(PageForm):
    talent_type = SelectField(_l("Talent type"), validate_choice=False, validators=[DataRequired()])
    claimed_tier = SelectField(_l("Tier you apply for"), validate_choice=False, validators=[DataRequired()],
                               choices=choices((t, TALENT_TIER_LABELS[t]) for t in TIERS))
    employer = StringField(_l("Employer"), validators=[DataRequired(), Length(max=120)])
    position_title = StringField(_l("Position"), validators=[Optional(), Length(max=120)])
    years_in_field = IntegerField(_l("Years in the field"), validators=number_in_range(
        0, 80, _l("Years in the field: a whole number from 0 to 80."), required=False))
    statement = TextAreaField(_l("Statement"), validators=[DataRequired(), Length(max=4000)],
                              description=_l("What you do, and how you meet the criteria of the tier."))
    evidence = MultipleFileField(_l("Evidence (PDF, JPEG or PNG)"),
                                 description=_l("Certificates, contracts, awards. Only you and the reviewers of "
                                                "this application see them."))
    save = SubmitField(_l("Save draft"))
    submit = SubmitField(_l("Submit for review"))

    def __init__(self, *args, types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.talent_type.choices = choices((t.code, stored_name(t)) for t in types)


class DecisionForm(PageForm):
    decision = SelectField(_l("Decision"), validate_choice=False, choices=choices([
        ("approve", _l("Approve")), ("return", _l("Return for more evidence")),
        ("reject", lazy_pgettext("talent", "Reject"))]))
    tier = SelectField(_l("Tier"), validate_choice=False, choices=choices((t, TALENT_TIER_LABELS[t]) for t in TIERS))
    message = TextAreaField(_l("Message to the applicant"), validators=[Optional(), Length(max=2000)],
                            description=_l("Needed when you return or reject it."))
    stage = IntegerField(validators=[Optional()])
    submit = SubmitField(_l("Record decision"))


class ObjectionForm(PageForm):
    reason = TextAreaField(_l("Your objection"), validators=[DataRequired(), Length(max=2000)],
                           description=_l("What is wrong with this result? Reviewers read it; the applicant "
                                          "is not told who objected."))
    submit = SubmitField(_l("Lodge objection"))


class ResolveForm(PageForm):
    upheld = SelectField(_l("Outcome"), validate_choice=False, choices=choices([
        ("0", _l("Dismiss: the application continues")), ("1", _l("Uphold: the application is not approved"))]))
    note = TextAreaField(lazy_pgettext("talent", "Note"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Resolve objection"))


class RevokeForm(PageForm):
    reason = SelectField(lazy_pgettext("talent", "Reason"), validate_choice=False,
                         choices=choices(REVOKE_REASON_LABELS.items()))
    note = TextAreaField(lazy_pgettext("talent", "Note"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Revoke tier"))


class RenewalForm(PageForm):
    statement = TextAreaField(_l("Anything that changed"), validators=[Optional(), Length(max=4000)])
    evidence = MultipleFileField(_l("New evidence (optional)"))
    submit = SubmitField(_l("I still qualify: send to the office"))


class TypeForm(PageForm):
    code = StringField(lazy_pgettext("talent", "Code"), validators=[Optional(), Length(max=32)],
                       description=_l("Letters, digits and _; it cannot change later."))
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=60)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=60)])
    criteria_junior = TextAreaField(_l("Criteria: junior"), validators=[Optional(), Length(max=4000)])
    criteria_intermediate = TextAreaField(_l("Criteria: intermediate"), validators=[Optional(), Length(max=4000)])
    criteria_senior = TextAreaField(_l("Criteria: senior"), validators=[Optional(), Length(max=4000)])
    position = IntegerField(_l("Order"), default=100, validators=number_in_range(0, 10000, _l("Order: 0 to 10000.")))
    active = BooleanField(_l("Offered to applicants"), default=True)
    submit = SubmitField(_l("Save type"))


class StagesForm(PageForm):
    """The stages as lines "role|中文名|English name" (review) and "notice|公示|Public notice|days"."""

    stages = TextAreaField(_l("Stages, one a line"), validators=[DataRequired(), Length(max=2000)],
                           description=_l("A review line: community_admin|社区推荐|Community recommendation or "
                                          "talent_reviewer|部门评审|Department review. The notice, last: "
                                          "notice|公示|Public notice|5 (working days)."))
    submit = SubmitField(_l("Save stages"))


def parse_stage_lines(text: str) -> list[dict] | None:
    stages = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if parts[0] == "notice":
            days = parts[3] if len(parts) > 3 else "5"
            if not days.isdigit() or not 1 <= int(days) <= 60 or len(parts) < 2 or not parts[1]:
                return None
            stages.append({"kind": "notice", "role": None, "name_zh": parts[1][:60],
                           "name_en": (parts[2] if len(parts) > 2 else "")[:60], "notice_days": int(days)})
        elif parts[0] in STAGE_ROLES and len(parts) >= 2 and parts[1]:
            stages.append({"kind": REVIEW, "role": parts[0], "name_zh": parts[1][:60],
                           "name_en": (parts[2] if len(parts) > 2 else "")[:60]})
        else:
            return None
    return stages


def stage_lines(stages) -> str:
    lines = []
    for s in stages:
        if s.kind == REVIEW:
            lines.append(f"{s.role}|{s.name_zh}|{s.name_en}")
        else:
            lines.append(f"notice|{s.name_zh}|{s.name_en}|{s.notice_days}")
    return "\n".join(lines)


